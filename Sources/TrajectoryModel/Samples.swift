// Sampled futures: k per window, each of P steps, relative to the window's last observed
// position (the window's origin; `Predictions` in the application layer adds it back together
// with frames and times). One place knows the layout (N, K, P, 2).
// Legend: N windows, K samples, P predicted steps.

public struct Samples: Sendable, Equatable {
    /// Windows.
    public private(set) var count: Int
    public let k: Int
    public let predicted: Int
    /// (N, K, P, 2), meters relative to each window's origin.
    public var values: [Float]
    /// (N, K), each future's probability, for models that rank their futures; nil otherwise.
    public var probabilities: [Float]?

    public init(windows count: Int, k: Int, predicted: Int, values: [Float]? = nil, probabilities: [Float]? = nil) {
        precondition(values == nil || values!.count == count * k * predicted * 2, "samples are (N, K, P, 2)")
        precondition(probabilities == nil || probabilities!.count == count * k, "probabilities are (N, K)")
        self.count = count
        self.k = k
        self.predicted = predicted
        self.values = values ?? [Float](repeating: 0, count: count * k * predicted * 2)
        self.probabilities = probabilities
    }

    /// Where sample s of window n starts in `values`: then 2 values per step.
    @inline(__always)
    public func offset(window n: Int, sample s: Int) -> Int { (n * k + s) * predicted * 2 }

    /// Step t (0-based) of sample s of window n, relative to the window's origin.
    public subscript(window n: Int, sample s: Int, step t: Int) -> SIMD2<Float> {
        let i = offset(window: n, sample: s) + 2 * t
        return SIMD2(values[i], values[i + 1])
    }

    /// The windows `windows` (positions in this set), in that order.
    public func subset<C: Collection>(_ windows: C) -> Samples where C.Element == Int {
        let stride = k * predicted * 2
        var picked: [Float] = []
        picked.reserveCapacity(windows.count * stride)
        var probabilities: [Float]? = self.probabilities.map { _ in [] }
        for n in windows {
            picked += values[(n * stride)..<((n + 1) * stride)]
            if let all = self.probabilities { probabilities!.append(contentsOf: all[(n * k)..<((n + 1) * k)]) }
        }
        return Samples(windows: windows.count, k: k, predicted: predicted, values: picked, probabilities: probabilities)
    }

    /// The first `k` futures of every window (a ranked model's best k), probabilities
    /// renormalised over them.
    public func prefix(_ k: Int) -> Samples {
        precondition(k >= 1 && k <= self.k, "k within 1…\(self.k)")
        let stride = predicted * 2
        var values: [Float] = []
        values.reserveCapacity(count * k * stride)
        var probabilities: [Float]? = self.probabilities.map { _ in [] }
        for n in 0..<count {
            let start = offset(window: n, sample: 0)
            values += self.values[start..<(start + k * stride)]
            if let all = self.probabilities {
                let kept = all[(n * self.k)..<(n * self.k + k)], total = kept.reduce(0, +)
                probabilities! += kept.map { total > 0 ? $0 / total : 1 / Float(k) }
            }
        }
        return Samples(windows: count, k: k, predicted: predicted, values: values, probabilities: probabilities)
    }

    /// Appends the windows of `other` (same k and P).
    public mutating func append(_ other: Samples) {
        precondition(other.k == k && other.predicted == predicted, "samples of another shape")
        precondition(count == 0 || (probabilities == nil) == (other.probabilities == nil),
                     "samples with and without probabilities")
        if count == 0 { probabilities = other.probabilities }
        else if probabilities != nil { probabilities! += other.probabilities ?? [] }
        values += other.values
        count += other.count
    }
}
