// The field's displacement metrics over k sampled futures (README, Metrics): for each window, the
// smallest over samples of the mean (ADE) and of the final (FDE) Euclidean error, minimised
// independently; then averaged over windows.
// Legend: N windows, K samples, P predicted steps.
import TrajectoryData

public enum Metrics {
    /// (minADE, minFDE) of one window: `samples` (K, P, 2) and `truth` (P, 2), same frame.
    public static func minDisplacement(samples: UnsafePointer<Float>, k: Int, truth: UnsafePointer<Float>,
                                       steps: Int) -> (ade: Double, fde: Double) {
        var bestADE = Double.infinity, bestFDE = Double.infinity
        for s in 0..<k {
            let sample = samples + s * steps * 2
            var total = 0.0, last = 0.0
            for t in 0..<steps {
                let dx = Double(sample[2 * t] - truth[2 * t]), dy = Double(sample[2 * t + 1] - truth[2 * t + 1])
                last = (dx * dx + dy * dy).squareRoot()
                total += last
            }
            bestADE = min(bestADE, total / Double(steps))
            bestFDE = min(bestFDE, last)
        }
        return (bestADE, bestFDE)
    }

    /// Per-window (minADE, minFDE) of `samples` (window i of the samples is window indices[i])
    /// against the futures of `indices`.
    public static func minDisplacements(samples: Samples, windows: WindowSet, indices: ArraySlice<Int>)
        -> [(ade: Double, fde: Double)]
    {
        precondition(samples.count == indices.count && samples.predicted == windows.predicted, "samples do not fit")
        let steps = windows.predicted
        var truth = [Float](repeating: 0, count: steps * 2)
        return samples.values.withUnsafeBufferPointer { buffer in
            indices.enumerated().map { offset, n in
                truth.replaceSubrange(0..<(steps * 2), with: windows.futurePositions(n))
                return minDisplacement(samples: buffer.baseAddress! + samples.offset(window: offset, sample: 0),
                                       k: samples.k, truth: truth, steps: steps)
            }
        }
    }

    /// The averages over windows of per-window (minADE, minFDE).
    public static func average(_ values: [(ade: Double, fde: Double)]) -> (ade: Double, fde: Double) {
        guard !values.isEmpty else { return (.nan, .nan) }
        let n = Double(values.count)
        return (values.reduce(0) { $0 + $1.ade } / n, values.reduce(0) { $0 + $1.fde } / n)
    }
}
