// `anchors`: no learning at all. The K anchors of the training futures of the window's group
// (moving or static) in its agent frame, mapped back to meters, ranked by their share of the
// group's training futures. The strongest cheap baseline of the field's protocol.
// Legend: B windows, K anchors, P predicted steps.
import NNCore
import TrajectoryData

public struct AnchorsConfiguration: ModelConfiguration {
    /// K, the futures per window.
    public var futures = 20
    /// Lloyd iterations after the k-means++ seeding.
    public var iterations = 60
    public var observed = 8
    public var predicted = 12

    public init() {}

    /// Options: futures, iterations.
    public init(options: ModelOptions) throws(ModelError) {
        try options.check(family: AnchorsModel.family, known: ["futures", "iterations"])
        futures = try options.int("futures", default: futures)
        iterations = try options.int("iterations", default: iterations)
    }

    public func validate() throws(ModelError) {
        guard futures >= 1 else { throw .invalidSetting(option: "--model-option futures", reason: "must be at least 1") }
        guard iterations >= 0 else { throw .invalidSetting(option: "--model-option iterations", reason: "must be 0 or more") }
        guard observed >= 3, predicted >= 1 else {
            throw .invalidSetting(option: "window", reason: "needs at least 3 observed and 1 predicted step")
        }
    }

    public var summary: String { "\(futures) anchors per group, k-means++ and \(iterations) Lloyd iterations" }
    public var label: String { "anchors (K \(futures))" }

    /// Fitted once: one epoch (it only validates), on the windows and their mirror images.
    public static var defaultTraining: TrainingSettings {
        var settings = TrainingSettings()
        (settings.epochs, settings.rotate, settings.mirror) = (1, false, true)
        return settings
    }
}

public struct AnchorsModel: ForecastModel {
    public static let family = "anchors"

    public final class Workspace {}

    public let configuration: AnchorsConfiguration
    public var parameters = ParameterSet()
    let anchors: AnchorParameters

    public init(_ configuration: AnchorsConfiguration, using rng: inout Xoshiro256) {
        self.configuration = configuration
        anchors = AnchorParameters(count: configuration.futures, predicted: configuration.predicted, in: &parameters)
    }

    public mutating func prepare(_ windows: WindowSet, mirror: Bool, using rng: inout Xoshiro256) {
        let fitted = AnchorSet.fit(windows, count: configuration.futures, iterations: configuration.iterations,
                                   mirror: mirror, using: &rng)
        anchors.store(fitted, in: &parameters.values)
    }

    public func makeTrainingWorkspace(capacity: Int) -> Workspace { Workspace() }

    /// Nothing to learn: zero gradients; the loss reported is the batch's mean of the best anchor's
    /// ADE + FDE in meters.
    public mutating func trainingStep(_ batch: TrainingBatch, epoch: Int, workspace: Workspace, using rng: inout Xoshiro256,
                                      share: Float) -> Loss {
        anchors.zeroGradients(&parameters.gradients)
        let set = anchors.read(parameters.values)
        var total = 0.0
        for (b, n) in batch.indices.enumerated() {
            let m = batch.mirror?[b] ?? 1
            let frame = AgentFrame.of(batch.windows, n, mirror: m)
            let future = Array(batch.windows.futurePositions(n))
            var best = Float.infinity
            for a in 0..<set.count {
                let anchor = set.anchor(a, moving: frame.moving)
                var sum: Float = 0, last: Float = 0
                for t in 0..<configuration.predicted {
                    let p = frame.denormalise(SIMD2(anchor[anchor.startIndex + 2 * t], anchor[anchor.startIndex + 2 * t + 1]))
                    let e = p - SIMD2(future[2 * t], m * future[2 * t + 1])
                    last = (e * e).sum().squareRoot()
                    sum += last
                }
                best = min(best, sum / Float(configuration.predicted) + last)
            }
            total += Double(best)
        }
        let loss = total / Double(max(1, batch.count))
        return Loss(total: loss, reconstruction: loss, kl: 0)
    }

    public func makeSamplingWorkspace(windows: Int, k: Int) -> Workspace { Workspace() }

    public var maximumFutures: (k: Int, option: String)? { (configuration.futures, "--model-option futures=N") }

    /// The group's k most frequent anchors, most frequent first, with their shares as probabilities
    /// (renormalised over the k returned).
    public func sample(_ windows: WindowSet, _ indices: ArraySlice<Int>, k: Int, using rng: inout Xoshiro256,
                       workspace: Workspace) -> Samples {
        precondition(k <= configuration.futures, "at most \(configuration.futures) futures")
        let set = anchors.read(parameters.values)
        let order = (moving: ranking(set.movingShare), still: ranking(set.stillShare))
        var samples = Samples(windows: indices.count, k: k, predicted: configuration.predicted,
                              probabilities: [Float](repeating: 0, count: indices.count * k))
        for (b, n) in indices.enumerated() {
            let frame = AgentFrame.of(windows, n)
            let ranked = frame.moving ? order.moving : order.still
            let shares = set.shares(moving: frame.moving)
            let total = ranked.prefix(k).reduce(Float(0)) { $0 + shares[$1] }
            for s in 0..<k {
                let anchor = set.anchor(ranked[s], moving: frame.moving)
                let base = samples.offset(window: b, sample: s)
                for t in 0..<configuration.predicted {
                    let p = frame.denormalise(SIMD2(anchor[anchor.startIndex + 2 * t], anchor[anchor.startIndex + 2 * t + 1]))
                    samples.values[base + 2 * t] = p.x
                    samples.values[base + 2 * t + 1] = p.y
                }
                samples.probabilities![b * k + s] = total > 0 ? shares[ranked[s]] / total : 1 / Float(k)
            }
        }
        return samples
    }
}

/// Indices of `weights`, largest first (the lower index first on a tie).
func ranking(_ weights: [Float]) -> [Int] {
    weights.indices.sorted { weights[$0] > weights[$1] || (weights[$0] == weights[$1] && $0 < $1) }
}
