// A tiny second model family, defined outside the library through `ForecastModel` alone: every
// future is the last observed position plus (t + 1) · d for one learned 2-vector d (d = 0 is "stand
// still"), k copies, each with probability 1/k. Loss: mean squared error of the future.
// Legend: B batch, P predicted steps.
import NNCore
import TrajectoryData
import TrajectoryModel

struct DriftConfiguration: ModelConfiguration {
    var observed = 8
    var predicted = 12

    init() {}

    init(options: ModelOptions) throws(ModelError) {
        try options.check(family: DriftModel.family, known: [])
    }

    func validate() throws(ModelError) {}
    var summary: String { "one learned drift" }
    var label: String { "drift" }
}

struct DriftModel: ForecastModel {
    static let family = "drift"

    final class Workspace {
        var y: [Float]
        init(capacity: Int, predicted: Int) { y = [Float](repeating: 0, count: 2 * predicted * capacity) }
    }

    final class NoWorkspace {}

    let configuration: DriftConfiguration
    var parameters = ParameterSet()
    let drift: ParameterRange

    init(_ configuration: DriftConfiguration, using rng: inout Xoshiro256) {
        self.configuration = configuration
        drift = parameters.add("drift", shape: [2])
        parameters.values = [rng.uniform(-0.1, 0.1), rng.uniform(-0.1, 0.1)]
    }

    var d: SIMD2<Float> { SIMD2(parameters.values[drift.offset], parameters.values[drift.offset + 1]) }

    func makeTrainingWorkspace(capacity: Int) -> Workspace { Workspace(capacity: capacity, predicted: configuration.predicted) }

    /// loss = mean over (B, 2P) of (ŷ − y)², ŷ_t = (t + 1)·d; ∂loss/∂d = 2/(2PB) · Σ (t + 1)(ŷ_t − y_t).
    mutating func trainingStep(_ batch: TrainingBatch, epoch: Int, workspace: Workspace, using rng: inout Xoshiro256,
                               share: Float) -> Loss {
        let b = batch.count, p = configuration.predicted, d = self.d
        workspace.y.withUnsafeMutableBufferPointer {
            Features.future(batch.windows, batch.indices, angles: batch.angles, mirror: batch.mirror, into: $0.baseAddress!)
        }
        var loss = 0.0, gradient = SIMD2<Double>(0, 0)
        for column in 0..<b {
            for t in 0..<p {
                let truth = SIMD2(workspace.y[(2 * t) * b + column], workspace.y[(2 * t + 1) * b + column])
                let error = Float(t + 1) * d - truth
                loss += Double((error * error).sum())
                gradient += Double(t + 1) * SIMD2<Double>(Double(error.x), Double(error.y))
            }
        }
        let count = Double(2 * p * b)
        gradient *= 2 / count * Double(share)
        parameters.gradients[drift.offset] = Float(gradient.x)
        parameters.gradients[drift.offset + 1] = Float(gradient.y)
        return Loss(total: loss / count, reconstruction: loss / count, kl: 0)
    }

    func makeSamplingWorkspace(windows: Int, k: Int) -> NoWorkspace { NoWorkspace() }

    func sample(_ windows: WindowSet, _ indices: ArraySlice<Int>, k: Int, using rng: inout Xoshiro256,
                workspace: NoWorkspace) -> Samples {
        var samples = Samples(windows: indices.count, k: k, predicted: configuration.predicted,
                              probabilities: [Float](repeating: 1 / Float(k), count: indices.count * k))
        for n in 0..<indices.count {
            for s in 0..<k {
                let base = samples.offset(window: n, sample: s)
                for t in 0..<configuration.predicted {
                    samples.values[base + 2 * t] = Float(t + 1) * d.x
                    samples.values[base + 2 * t + 1] = Float(t + 1) * d.y
                }
            }
        }
        return samples
    }
}
