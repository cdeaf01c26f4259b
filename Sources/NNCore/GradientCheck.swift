// Finite-difference gradient checking: central differences of a scalar loss, accumulated in
// Double, compared with an analytic gradient. Every layer, loss and model is tested with it.

/// The outcome of a check: the worst entry relative to the tolerance, and how many were checked.
public struct GradientCheckResult: Sendable, CustomStringConvertible {
    /// max over entries of |analytic − numeric| / (absoluteTolerance + relativeTolerance · max(|a|, |n|)); ≤ 1 passes.
    public var worst: Double
    public var index: Int
    public var analytic: Double
    public var numeric: Double
    public var checked: Int
    /// Entries skipped because the loss has a kink within ± step there (see `skipKinks`).
    public var skipped: Int = 0

    public var passed: Bool { worst <= 1 }

    public var description: String {
        "worst \(worst) at [\(index)]: analytic \(analytic), numeric \(numeric) (\(checked) entries, \(skipped) skipped)"
    }
}

/// Compares `analytic` with (loss(v + h·eᵢ) − loss(v − h·eᵢ)) / 2h for each i of `indices`
/// (default: every index of `values`). `loss` must be deterministic: replay the same noise.
/// With `skipKinks`, an entry whose one-sided slopes (L(v+h) − L(v))/h and (L(v) − L(v−h))/h differ
/// by more than the tolerance is skipped and counted: a ReLU switched inside ± h, where no finite
/// difference means anything. Callers bound the share skipped.
public func gradientCheck(values: [Float], analytic: [Float], indices: [Int]? = nil, step: Float = 1e-2,
                          absoluteTolerance: Double = 1e-3, relativeTolerance: Double = 1e-2,
                          skipKinks: Bool = false, loss: ([Float]) -> Double) -> GradientCheckResult {
    precondition(values.count == analytic.count, "one analytic gradient per value")
    var result = GradientCheckResult(worst: 0, index: -1, analytic: 0, numeric: 0, checked: 0)
    var probe = values
    let center = skipKinks ? loss(values) : 0
    for i in indices ?? Array(values.indices) {
        probe[i] = values[i] + step
        let plus = loss(probe)
        probe[i] = values[i] - step
        let minus = loss(probe)
        probe[i] = values[i]
        // The actual distance between the two probes, as rounded in Float.
        let distance = Double(values[i] + step) - Double(values[i] - step)
        let numeric = (plus - minus) / distance
        let a = Double(analytic[i])
        if skipKinks {
            let forward = (plus - center) / (Double(values[i] + step) - Double(values[i]))
            let backward = (center - minus) / (Double(values[i]) - Double(values[i] - step))
            if abs(forward - backward) > 2 * (absoluteTolerance + relativeTolerance * max(abs(forward), abs(backward))) {
                result.skipped += 1
                continue
            }
        }
        let error = abs(a - numeric) / (absoluteTolerance + relativeTolerance * max(abs(a), abs(numeric)))
        if error > result.worst || result.index < 0 {
            result = GradientCheckResult(worst: error, index: i, analytic: a, numeric: numeric, checked: result.checked,
                                         skipped: result.skipped)
        }
        result.checked += 1
    }
    return result
}
