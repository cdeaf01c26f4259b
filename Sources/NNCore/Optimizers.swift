// Optimisers over the flat parameter buffer, each one loop (llm.c's gpt2_update), with PyTorch's
// exact update rules so golden tests can compare parameters after N steps. State is flat too,
// so a checkpoint saves it as named blobs.
import CVectorMath
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `torch.optim.SGD` with momentum μ, no dampening, no Nesterov, no weight decay:
/// b ← g on the first step, then b ← μ·b + g; p ← p − lr·b. (μ = 0: p ← p − lr·g.)
public struct SGD: Sendable {
    public var learningRate: Float
    public var momentum: Float
    /// The momentum buffer b, empty until the first step.
    public var buffer: [Float] = []

    public init(learningRate: Float, momentum: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public mutating func step(_ parameters: inout ParameterSet) {
        let lr = learningRate, mu = momentum
        let first = buffer.isEmpty
        if first { buffer = [Float](repeating: 0, count: parameters.count) }
        buffer.withUnsafeMutableBufferPointer { b in
            parameters.gradients.withUnsafeBufferPointer { g in
                parameters.values.withUnsafeMutableBufferPointer { p in
                    for i in 0..<p.count {
                        if mu == 0 {
                            p[i] -= lr * g[i]
                        } else {
                            b[i] = first ? g[i] : mu * b[i] + g[i]
                            p[i] -= lr * b[i]
                        }
                    }
                }
            }
        }
    }
}

/// `torch.optim.Adam` (β1, β2, ε; no amsgrad), in PyTorch's order of operations:
/// t ← t + 1; m ← m + (1 − β1)(g − m); v ← β2·v + (1 − β2)·g²;
/// p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε);
/// with `weightDecay` λ > 0 it is `torch.optim.AdamW` on the `decayed` ranges: p ← p·(1 − lr·λ) first.
public struct Adam: Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// Decoupled weight decay λ (AdamW) of the values in `decayed`; 0: none.
    public var weightDecay: Float = 0
    /// The ranges of values that decay (a model's weight matrices).
    public var decayed: [Range<Int>] = []
    /// Steps taken so far (t).
    public var stepCount: Int = 0
    /// First and second moment estimates, empty until the first step.
    public var m: [Float] = []
    public var v: [Float] = []

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public mutating func step(_ parameters: inout ParameterSet) {
        let count = parameters.count
        parameters.gradients.withUnsafeBufferPointer { g in
            withUnsafePointer(to: g.baseAddress!) { only in
                parameters.values.withUnsafeMutableBufferPointer { p in
                    update(values: p.baseAddress!, parts: UnsafeBufferPointer(start: only, count: 1), count: count)
                }
            }
        }
    }

    /// One step whose gradient is the sum of `parts` (each `parameters.count` long), added in the
    /// order given, in the same pass over memory as the update (`parameters.gradients` is not
    /// used). Equals adding the parts into `parameters.gradients` first and then calling
    /// `step(_:)`, bit for bit.
    public mutating func step(_ parameters: inout ParameterSet, summing parts: UnsafeBufferPointer<UnsafePointer<Float>>) {
        precondition(!parts.isEmpty, "no gradient to step with")
        let count = parameters.count
        parameters.values.withUnsafeMutableBufferPointer { p in
            update(values: p.baseAddress!, parts: parts, count: count)
        }
    }

    /// The update of `step`, as PyTorch writes it but in SIMD16 lanes: the same operations in the
    /// same order on each element (no fused multiply-add), so the bits equal the scalar loop's.
    private mutating func update(values: UnsafeMutablePointer<Float>, parts: UnsafeBufferPointer<UnsafePointer<Float>>,
                                 count: Int) {
        if m.isEmpty {
            m = [Float](repeating: 0, count: count)
            v = [Float](repeating: 0, count: count)
        }
        precondition(m.count == count && v.count == count, "optimizer state of another model")
        stepCount += 1
        let b1 = beta1, b2 = beta2, eps = epsilon
        if weightDecay > 0 {
            // AdamW's decay before the step, as PyTorch's `param.mul_(1 - lr * weight_decay)`.
            let keep = 1 - learningRate * weightDecay
            for range in decayed { for i in range { values[i] *= keep } }
        }
        // Bias corrections in Double as PyTorch computes them on Python floats, then used as Float.
        let correction1 = 1 - pow(Double(b1), Double(stepCount))
        let correction2 = 1 - pow(Double(b2), Double(stepCount))
        let stepSize = Float(Double(learningRate) / correction1)
        let correction2Root = Float(correction2.squareRoot())
        m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
                let (m, v, p) = (m.baseAddress!, v.baseAddress!, values)
                // Element-wise, so the two halves on two cores give the same bits as one loop.
                let halves = count >= 32_768 ? 2 : 1
                func update(_ half: Int) {
                    let lower = (count * half / halves) & ~15
                    let upper = half == halves - 1 ? count : (count * (half + 1) / halves) & ~15
                    var i = lower
                    while i + 16 <= upper {
                        var gi = load16(parts[0] + i)
                        for q in 1..<parts.count { gi += load16(parts[q] + i) }
                        var mi = load16(m + i), vi = load16(v + i)
                        mi += (1 - b1) * (gi - mi)
                        vi = b2 * vi + (1 - b2) * gi * gi
                        let denominator = cvm_sqrt16(vi) / correction2Root + eps
                        let pi = load16(p + i) - stepSize * mi / denominator
                        store16(mi, m + i); store16(vi, v + i); store16(pi, p + i)
                        i += 16
                    }
                    while i < upper {
                        var gi = parts[0][i]
                        for q in 1..<parts.count { gi += parts[q][i] }
                        m[i] += (1 - b1) * (gi - m[i])
                        v[i] = b2 * v[i] + (1 - b2) * gi * gi
                        let denominator = v[i].squareRoot() / correction2Root + eps
                        p[i] -= stepSize * m[i] / denominator
                        i += 1
                    }
                }
                if halves == 1 { update(0) } else { CoreTeam.shared.run(update) }
            }
        }
    }

    /// `step` as the plain scalar loop of PyTorch's formula: the definition the SIMD update is
    /// tested against.
    public mutating func referenceStep(_ parameters: inout ParameterSet) {
        if m.isEmpty {
            m = [Float](repeating: 0, count: parameters.count)
            v = [Float](repeating: 0, count: parameters.count)
        }
        stepCount += 1
        let b1 = beta1, b2 = beta2, eps = epsilon
        if weightDecay > 0 {
            for range in decayed { for i in range { parameters.values[i] *= 1 - learningRate * weightDecay } }
        }
        let stepSize = Float(Double(learningRate) / (1 - pow(Double(b1), Double(stepCount))))
        let correction2Root = Float((1 - pow(Double(b2), Double(stepCount))).squareRoot())
        for i in 0..<parameters.count {
            let g = parameters.gradients[i]
            m[i] += (1 - b1) * (g - m[i])
            v[i] = b2 * v[i] + (1 - b2) * g * g
            let denominator = v[i].squareRoot() / correction2Root + eps
            parameters.values[i] -= stepSize * m[i] / denominator
        }
    }
}
