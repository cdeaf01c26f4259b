// The ETH/UCY leave-one-out protocol in one call: import the tree, train one model per held-out
// scene on its train split (validated on its val split), evaluate on its test split beside the
// baselines, over one or more seeds; the table as Markdown with the published numbers beside it.
import Foundation
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

public struct ETHUCYBenchmark: Sendable {
    /// The tree of ETH/UCY scene folders, each with train/val/test.
    public var data: String
    public var seeds: [UInt64] = [0]
    public var scenes: [String] = ["eth", "hotel", "univ", "zara1", "zara2"]
    public var family: String = TrajectoryCVAE.family
    public var options = ModelOptions()
    public var training = TrainingSettings()

    public init(data: String) { self.data = data }

    /// What the benchmark reports as it goes.
    public enum Event {
        case imported(ImportReport)
        /// A new stage begins ("eth, seed 0: train on eth/train, validate on eth/val").
        case stage(String)
        case started(TrainingSession)
        case training(TrainingSessionEvent)
        case trained(TrainingSummary, run: RunRecord)
    }

    /// Published best-of-20 ADE/FDE averages on ETH/UCY (README).
    public static let published: [(String, Double, Double)] = [
        ("Social-GAN", 0.58, 1.18), ("Social-STGCNN", 0.44, 0.75), ("Trajectron++ (leakage fixed)", 0.32, 0.55),
        ("sampled constant velocity (published)", 0.28, 0.49), ("AgentFormer", 0.23, 0.39), ("EigenTrajectory", 0.21, 0.34),
    ]

    /// Runs the protocol into `store` and returns the Markdown table. `shouldStop` (checked after
    /// every training step) stops the current training with its checkpoint saved, and the benchmark
    /// with `WorkflowError.interrupted`.
    public func run(_ store: Store, shouldStop: @escaping () -> Bool = { false }, progress: (Event) -> Void = { _ in })
        throws -> String
    {
        let started = ContinuousClock.now
        let items = try Importing.plan([data], ImportSettings())
        let reports = Importing.run(store, items: items, ImportSettings()) { progress(.imported($0)) }
        if let failed = reports.first(where: { $0.status == .failed }) { throw WorkflowError.importFailed(detail: failed.detail) }
        // The model's options in run names, so benchmarks of different settings never share one.
        let settingsName = ([family] + options.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
            .joined(separator: "-")
        // results[method][scene] = [(ade, fde)] over seeds
        var results: [String: [String: [(Double, Double)]]] = [:]
        var methods: [String] = []
        for scene in scenes {
            for seed in seeds {
                progress(.stage("\(scene), seed \(seed): train on \(scene)/train, validate on \(scene)/val"))
                var training = training
                training.seed = seed
                let configuration = try TrainingRunConfiguration(family: family, options: options, training: training,
                                                                 train: ["\(scene)/train"], val: ["\(scene)/val"])
                let name = "ethucy-\(scene)-\(settingsName)-e\(training.epochs)-s\(seed)-\(Int(Date().timeIntervalSince1970))"
                let session = try TrainingSession.start(store, configuration: configuration, name: name)
                progress(.started(session))
                switch try session.run(shouldStop: shouldStop, progress: { progress(.training($0)) }) {
                case let .completed(summary): progress(.trained(summary, run: session.run))
                case let .interrupted(epoch, step):
                    throw WorkflowError.interrupted(run: session.run.name, epoch: epoch, step: step)
                }
                let model = try TrainedModel.load(store, run: name, checkpoint: .best)
                let report = try EvaluationPipeline.run(store, model: model, EvaluationRequest(
                    data: "\(scene)/test", k: 20, seed: seed, checkpoint: .best, headingNoiseDegrees: 25,
                    benchmark: "ethucy"))
                for row in report.rows where row.scope == "all" {
                    let method = row.method == EvaluationPipeline.methodName(model)
                        ? "trajpred \(configuration.model.label)" : row.method
                    if !methods.contains(method) { methods.append(method) }
                    results[method, default: [:]][scene, default: []].append((row.result.minADE, row.result.minFDE))
                }
            }
        }
        let minutes = (ContinuousClock.now - started) / .seconds(60)
        return Self.table(results: results, methods: methods, scenes: scenes, seeds: seeds.count, minutes: minutes)
    }

    /// One row per method, one column per held-out scene, the average last; the published numbers below.
    static func table(results: [String: [String: [(Double, Double)]]], methods: [String], scenes: [String], seeds: Int,
                      minutes: Double) -> String {
        func mean(_ values: [(Double, Double)]) -> (Double, Double) {
            (values.map(\.0).reduce(0, +) / Double(values.count), values.map(\.1).reduce(0, +) / Double(values.count))
        }
        func cell(_ value: (Double, Double)) -> String { String(format: "%.2f / %.2f", value.0, value.1) }
        var lines = ["ETH/UCY leave-one-out, minADE@20 / minFDE@20 in meters (per-pedestrian minimum), "
            + "mean of \(seeds) seed\(seeds == 1 ? "" : "s"); \(String(format: "%.1f", minutes)) minutes on this machine.", "",
            "| method | " + scenes.joined(separator: " | ") + " | AVG |",
            "|---|" + String(repeating: "---|", count: scenes.count + 1)]
        for method in methods {
            let perScene = scenes.map { results[method]?[$0] ?? [] }
            let averages = perScene.filter { !$0.isEmpty }.map(mean)
            lines.append("| \(method) | " + perScene.map { $0.isEmpty ? "–" : cell(mean($0)) }.joined(separator: " | ")
                + " | **" + (averages.isEmpty ? "–" : cell(mean(averages))) + "** |")
        }
        for (name, ade, fde) in published {
            lines.append("| \(name) | " + String(repeating: "– | ", count: scenes.count) + String(format: "%.2f / %.2f |", ade, fde))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
