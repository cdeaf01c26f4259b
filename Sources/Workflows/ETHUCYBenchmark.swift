// The ETH/UCY leave-one-out protocol in one call: import the tree, train each model per held-out
// scene on its train split (the best epoch chosen on its val split; then, by default, again on
// train + val for that many epochs), evaluate on its test split
// beside the baselines, over one or more seeds; the tables as Markdown with the published numbers
// and the protocol below them. The test split is read by evaluation only.
import Foundation
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

public struct ETHUCYBenchmark: Sendable {
    /// The tree of ETH/UCY scene folders, each with train/val/test.
    public var data: String
    public var seeds: [UInt64] = [0]
    public var scenes: [String] = ["eth", "hotel", "univ", "zara1", "zara2"]
    /// The model families to train, in the order of the table's rows.
    public var families: [String] = [TrajectoryCVAE.family]
    /// Options given to every family (each refuses what it does not have).
    public var options = ModelOptions()
    /// Epochs of every model, instead of each family's default.
    public var epochs: Int?
    /// The headline k.
    public var k = 20
    /// After choosing the epoch count on `val`, train again on train + val for that many epochs and
    /// evaluate the refit's last checkpoint (the reference's protocol trains on train + val too);
    /// false evaluates the best checkpoint of the train-only run.
    public var refit = true
    /// Train on the training windows walked backwards too (`TrainingSettings.reverse`), instead of
    /// each family's default.
    public var reverse: Bool?

    public init(data: String) { self.data = data }

    /// What the benchmark reports as it goes.
    public enum Event {
        case imported(ImportReport)
        /// A new stage begins ("eth, seed 0, wta: train on eth/train, validate on eth/val").
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

    /// Per method, scene and k: (minADE, minFDE) over the seeds; k = 0 holds each method's
    /// headline (its own k: 1 for constant velocity).
    typealias Results = [String: [String: [Int: [(Double, Double)]]]]

    /// Runs the protocol into `store` and returns the Markdown. `shouldStop` (checked after every
    /// training step) stops the current training with its checkpoint saved, and the benchmark with
    /// `WorkflowError.interrupted`.
    public func run(_ store: Store, shouldStop: @escaping () -> Bool = { false }, progress: (Event) -> Void = { _ in })
        throws -> String
    {
        let started = ContinuousClock.now
        // Every configuration first: a bad option stops the benchmark before any work.
        var configurations: [String: TrainingRunConfiguration] = [:]
        for family in families {
            var training = try TrainingRunConfiguration.defaultTraining(family: family)
            if let epochs { training.epochs = epochs }
            if let reverse { training.reverse = reverse }
            configurations[family] = try TrainingRunConfiguration(family: family, options: options, training: training,
                                                                  train: [], val: [])
        }
        let items = try Importing.plan([data], ImportSettings())
        let reports = Importing.run(store, items: items, ImportSettings()) { progress(.imported($0)) }
        if let failed = reports.first(where: { $0.status == .failed }) { throw WorkflowError.importFailed(detail: failed.detail) }
        var results: Results = [:]
        var methods: [String] = [], baselines: [String] = []
        var windows: [String: Int] = [:]
        let stamp = Int(Date().timeIntervalSince1970)
        for scene in scenes {
            for seed in seeds {
                for (index, family) in families.enumerated() {
                    progress(.stage("\(scene), seed \(seed), \(family): train on \(scene)/train, validate on \(scene)/val"))
                    var configuration = configurations[family]!
                    (configuration.training.seed, configuration.train, configuration.val) = (seed, ["\(scene)/train"],
                                                                                             ["\(scene)/val"])
                    // The model's options in run names, so benchmarks of different settings never share one.
                    let settingsName = ([family] + options.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                        + (configuration.training.reverse ? ["reverse"] : []))
                        .joined(separator: "-")
                    let name = "ethucy-\(scene)-\(settingsName)-e\(configuration.training.epochs)-s\(seed)-\(stamp)"
                    let session = try TrainingSession.start(store, configuration: configuration, name: name)
                    progress(.started(session))
                    let summary = try session.runToEnd(shouldStop: shouldStop, progress: { progress(.training($0)) })
                    progress(.trained(summary, run: session.run))
                    var (evaluated, checkpoint) = (name, CheckpointRecord.Label.best)
                    if refit, let epochs = summary.bestEpoch {
                        progress(.stage("\(scene), seed \(seed), \(family): refit on \(scene)/train + \(scene)/val for "
                            + "\(epochs) epoch\(epochs == 1 ? "" : "s")"))
                        var again = configuration
                        (again.training.epochs, again.train) = (epochs, ["\(scene)/train", "\(scene)/val"])
                        (evaluated, checkpoint) = (name + "-refit", .last)
                        let refit = try TrainingSession.start(store, configuration: again, name: evaluated)
                        progress(.started(refit))
                        let refitSummary = try refit.runToEnd(shouldStop: shouldStop, progress: { progress(.training($0)) })
                        progress(.trained(refitSummary, run: refit.run))
                    }
                    let model = try TrainedModel.load(store, run: evaluated, checkpoint: checkpoint)
                    var request = EvaluationRequest(data: "\(scene)/test", k: k, seed: seed, checkpoint: checkpoint,
                                                    headingNoiseDegrees: 25, benchmark: "ethucy")
                    request.baselines = index == 0
                    let report = try EvaluationPipeline.run(store, model: model, request)
                    for row in report.rows where row.scope == "all" {
                        let isModel = row.method == EvaluationPipeline.methodName(model)
                        let method = isModel ? "trajpred \(configuration.model.label)" : row.method
                        if isModel, !methods.contains(method) { methods.append(method) }
                        if !isModel, !baselines.contains(method) { baselines.append(method) }
                        windows[scene] = row.result.windows
                        results[method, default: [:]][scene, default: [:]][0, default: []]
                            .append((row.result.minADE, row.result.minFDE))
                        for kk in Set([k] + Evaluator.smallerK) {
                            guard let at = EvaluationReport.displacement(row.result, k: kk) else { continue }
                            results[method, default: [:]][scene, default: [:]][kk, default: []].append((at.ade, at.fde))
                        }
                    }
                }
            }
        }
        // The anchors model makes the anchors baseline's row twice over: keep the model's.
        if families.contains(AnchorsModel.family) { baselines.removeAll { $0.hasPrefix("anchors") } }
        let minutes = (ContinuousClock.now - started) / .seconds(60)
        return table(results: results, methods: methods + baselines, windows: windows, minutes: minutes)
    }

    /// One row per method, one column per held-out scene, the average last; the published numbers;
    /// the averages at several k; the protocol.
    func table(results: Results, methods: [String], windows: [String: Int], minutes: Double) -> String {
        func mean(_ values: [(Double, Double)]) -> (Double, Double) {
            (values.map(\.0).reduce(0, +) / Double(values.count), values.map(\.1).reduce(0, +) / Double(values.count))
        }
        func cell(_ value: (Double, Double)) -> String { String(format: "%.2f / %.2f", value.0, value.1) }
        func average(_ method: String, _ kk: Int) -> (Double, Double)? {
            let perScene = scenes.compactMap { results[method]?[$0]?[kk] }.filter { !$0.isEmpty }.map(mean)
            return perScene.isEmpty ? nil : mean(perScene)
        }
        let seedText = "mean of \(seeds.count) seed\(seeds.count == 1 ? "" : "s")"
        var lines = ["ETH/UCY leave-one-out, minADE@\(k) / minFDE@\(k) in meters (per-pedestrian minimum), "
            + "\(seedText); \(String(format: "%.1f", minutes)) minutes on this machine.", "",
            "| method | " + scenes.joined(separator: " | ") + " | AVG |",
            "|---|" + String(repeating: "---|", count: scenes.count + 1)]
        for method in methods {
            let perScene = scenes.map { results[method]?[$0]?[0] ?? [] }
            lines.append("| \(method) | " + perScene.map { $0.isEmpty ? "–" : cell(mean($0)) }.joined(separator: " | ")
                + " | **" + (average(method, 0).map(cell) ?? "–") + "** |")
        }
        for (name, ade, fde) in Self.published {
            lines.append("| \(name) | " + String(repeating: "– | ", count: scenes.count) + String(format: "%.2f / %.2f |", ade, fde))
        }
        let ks = (Evaluator.smallerK.filter { $0 < k } + [k])
        lines += ["", "Averages over the scenes at several k (k = 1: a ranked model's first future — wta's of least expected error, anchors' most frequent — a "
            + "sampler's first sample; k = 5: the first five):", "",
            "| method | " + ks.map { "k = \($0)" }.joined(separator: " | ") + " |",
            "|---|" + String(repeating: "---|", count: ks.count)]
        for method in methods {
            lines.append("| \(method) | " + ks.map { average(method, $0).map(cell) ?? "–" }.joined(separator: " | ") + " |")
        }
        let counts = scenes.map { "\($0) \(windows[$0].map(String.init) ?? "–")" }.joined(separator: ", ")
        lines += ["", "Constant velocity makes one future: its row is its k = 1.", "",
            "Protocol: each model trains on the held-out scene's `train` split with the epoch chosen by "
            + "validation minADE@20 (all K futures of a model with fewer) on its `val` split"
            + (refit ? ", then trains again on `train` + `val` for that many epochs and is evaluated at its last epoch"
                : " and is evaluated at that epoch")
            + reversedNote
            + "; the `test` split is read by evaluation only. Every pedestrian "
            + "with 8 observed + 12 future consecutive steps is scored, also those alone in the scene (test "
            + "windows: \(counts)); the minimum over k futures is taken per pedestrian, for ADE and FDE "
            + "independently. Epochs: " + families.map { family -> String in
                "\(family) \(epochs ?? (try? TrainingRunConfiguration.defaultTraining(family: family).epochs) ?? 0)"
            }.joined(separator: ", ") + "; seeds \(seeds.map(String.init).joined(separator: ", ")). The eth "
            + "scene's file steps 0.67 s of walking per 0.4 s step (the field's benchmark file; README)."]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Which families also trained on their training windows walked backwards.
    var reversedNote: String {
        let reversed = families.filter { reverse ?? (try? TrainingRunConfiguration.defaultTraining(family: $0).reverse) ?? false }
        guard !reversed.isEmpty else { return "" }
        return "; " + reversed.joined(separator: ", ") + " also trained on every training window walked backwards in time"
    }
}
