// The ETH/UCY leave-one-out protocol in one call: import the tree, train each model per held-out
// scene on its train split (the best epoch chosen on its val split; then, by default, again on
// train + val for that many epochs), evaluate on its test split
// beside the baselines, over one or more seeds; the tables as Markdown with the published numbers
// and the protocol below them. The test split is read by evaluation only.
import Foundation
import NNCore
import Synchronization
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
    /// Train on the training windows' mirror images too (`TrainingSettings.mirror`), instead of each
    /// family's default.
    public var mirror: Bool?
    /// The moving average of the weights (`TrainingSettings.averaging`), instead of each family's.
    public var averaging: Float?
    /// Adam's base learning rate (`TrainingSettings.learningRate`), instead of each family's.
    public var learningRate: Float?
    /// Decoupled weight decay (`TrainingSettings.weightDecay`), instead of each family's.
    public var weightDecay: Float?
    /// Sets no model trained on, imported beforehand into the same store: each final model is also
    /// evaluated on them (a set of one scene's footage, `scene`, only by the models that held that
    /// scene out), and the table gets a part of its own. `val` lies in the training scenes, so a
    /// setting that reads context can win there and lose on a new camera: these say whether it does.
    public var unseen: [UnseenSet] = []
    /// Cross-scene validation instead of the leave-one-out table, for choosing settings: each held-out
    /// scene's model is trained again without one more of its training scenes (another scene folder
    /// of the tree whose test recordings are among its train and val files), the epoch chosen on
    /// the val split of the rest, and scored on that scene's recordings in its train and val splits:
    /// a scene left out as the held-out scene is (the recordings the field's splits never test,
    /// crowds_zara03 and uni_examples, stay in training as they do for zara1, zara2 and univ). No
    /// test split is imported or read. `val` lies in the training scenes, so it rewards fitting them;
    /// this measures transfer. No refit, no unseen sets (`run` refuses them).
    public var crossScene = false
    /// Trainings side by side, each on one core of its own (`CoreTeam.alone`) and its own connection
    /// to the store: a held-out scene's model per worker. The results do not depend on it (each
    /// training cuts its work the same way on one core as on two); the time does, as the steps'
    /// hand-overs between cores go and the work between trainings (windows, anchors, evaluation)
    /// runs on both cores too.
    public var workers = Self.defaultWorkers
    /// One training per core of the machines this is built for.
    public static let defaultWorkers = CoreTeam.laneCount

    public init(data: String) { self.data = data }

    /// A data selection no model trains on, for every model or for those that held out `scene`.
    public struct UnseenSet: Sendable, Equatable {
        public var selection: String
        public var scene: String?

        public init(selection: String, scene: String? = nil) { (self.selection, self.scene) = (selection, scene) }

        /// SELECTION or SELECTION:SCENE.
        public init(parsing text: String) throws(WorkflowError) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard (1...2).contains(parts.count), !parts.contains(where: \.isEmpty) else {
                throw .invalidInput(field: "--unseen '\(text)'", reason: "write DATASET[/SPLIT[/SCENE]], or that and :HELD-OUT-SCENE")
            }
            self.init(selection: parts[0], scene: parts.count == 2 ? parts[1] : nil)
        }

        /// Its column in the table.
        var label: String { selection + (scene.map { " (\($0) held out)" } ?? "") }
    }

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
            if let epochs { training.train(exactly: epochs) }
            if let reverse { training.reverse = reverse }
            if let mirror { training.mirror = mirror }
            if let averaging { training.averaging = averaging }
            if let learningRate { training.learningRate = learningRate }
            if let weightDecay { training.weightDecay = weightDecay }
            configurations[family] = try TrainingRunConfiguration(family: family, options: options, training: training,
                                                                  train: [], val: [])
        }
        if crossScene, !unseen.isEmpty {
            throw WorkflowError.invalidInput(field: "--unseen", reason: "cannot be used with --cross-scene (no final models are trained)")
        }
        var items = try Importing.plan([data], ImportSettings())
        let folds = crossScene ? try Self.folds(of: items, scenes: scenes) : [:]
        // Cross-scene validation names the inner scenes' recordings by their test files, and reads none.
        if crossScene { items.removeAll { $0.split == .test } }
        let shape = families.first.flatMap { configurations[$0] }.map { ($0.model.observed, $0.model.predicted) } ?? (8, 12)
        try checkUnseen(store, treeDatasets: Set(items.map(\.dataset)), observed: shape.0, predicted: shape.1)
        let reports = Importing.run(store, items: items, ImportSettings()) { progress(.imported($0)) }
        if let failed = reports.first(where: { $0.status == .failed }) { throw WorkflowError.importFailed(detail: failed.detail) }
        let stamp = Int(Date().timeIntervalSince1970)
        if crossScene {
            for scene in scenes {
                progress(.stage("\(scene): " + folds[scene, default: []].map { "without \($0.inner) (" + $0.test.joined(separator: ", ")
                    + ")" }.joined(separator: "; ")))
            }
            let jobs = scenes.flatMap { scene in
                folds[scene, default: []].flatMap { fold in
                    seeds.flatMap { seed in families.indices.map { Job(scene: scene, seed: seed, familyIndex: $0, fold: fold) } }
                }
            }
            let outcomes = try run(jobs, store: store, configurations: configurations, stamp: stamp, shouldStop: shouldStop,
                                   progress: progress)
            return crossSceneTable(jobs, outcomes, folds: folds, minutes: (ContinuousClock.now - started) / .seconds(60))
        }
        let jobs = scenes.flatMap { scene in
            seeds.flatMap { seed in families.indices.map { Job(scene: scene, seed: seed, familyIndex: $0) } }
        }
        let outcomes = try run(jobs, store: store, configurations: configurations, stamp: stamp, shouldStop: shouldStop,
                               progress: progress)
        // Merged in the order of the jobs, whichever worker finished first: the same table either way.
        var results: Results = [:]
        var methods: [String] = [], baselines: [String] = []
        var windows: [String: Int] = [:]
        var unseenResults: [String: [String: [(Double, Double)]]] = [:]
        var loaderResults: Results = [:], loaderWindows: [String: Int] = [:]
        for (job, rows) in zip(jobs, outcomes) {
            for row in rows {
                if let set = row.unseen {
                    unseenResults[row.method, default: [:]][set.label, default: []].append(row.values[0].1)
                    continue
                }
                if row.loader {
                    loaderResults[row.method, default: [:]][job.scene, default: [:]][0, default: []].append(row.values[0].1)
                    loaderWindows[job.scene] = row.windows
                    continue
                }
                if row.isModel, !methods.contains(row.method) { methods.append(row.method) }
                if !row.isModel, !baselines.contains(row.method) { baselines.append(row.method) }
                windows[job.scene] = row.windows
                for (kk, value) in row.values { results[row.method, default: [:]][job.scene, default: [:]][kk, default: []].append(value) }
            }
        }
        // The anchors model makes the anchors baseline's row twice over: keep the model's.
        if families.contains(AnchorsModel.family) { baselines.removeAll { $0.hasPrefix("anchors") } }
        let minutes = (ContinuousClock.now - started) / .seconds(60)
        return table(results: results, methods: methods + baselines, windows: windows, minutes: minutes)
            + loaderTable(loaderResults, methods: methods + baselines, windows: loaderWindows)
            + unseenTable(unseenResults, methods: methods + baselines)
    }

    /// Before any work: every unseen set has windows to evaluate, is not a dataset of the tree, and
    /// names a held-out scene of this benchmark when it names one.
    func checkUnseen(_ store: Store, treeDatasets: Set<String>, observed: Int, predicted: Int) throws {
        for set in unseen {
            let field = "--unseen \(set.selection)"
            let dataset = String(set.selection.prefix { $0 != "/" })
            if treeDatasets.contains(dataset) {
                throw WorkflowError.invalidInput(field: field, reason: "\(dataset) is a scene of the benchmark's tree, "
                    + "which the models train on; import the set under a dataset name of its own")
            }
            if let scene = set.scene, !scenes.contains(scene) {
                throw WorkflowError.invalidInput(field: field + ":" + scene, reason: "\(scene) is not a held-out scene of "
                    + "this benchmark (" + scenes.joined(separator: ", ") + ")")
            }
            let windows: WindowSet
            do {
                windows = try SceneWindows.load(store, selections: [set.selection], observed: observed, predicted: predicted).windows
            } catch let error as StoreError {
                throw WorkflowError.invalidInput(field: field, reason: "\(error) (import it into this store first)")
            }
            if windows.count == 0 {
                throw WorkflowError.invalidInput(field: field, reason: "no window of \(windows.steps) consecutive steps to evaluate")
            }
        }
    }

    /// The part of the table on the test windows Social-GAN's loader keeps, the windows the published
    /// rows score (`EvaluationPipeline.loaderWindows`): each method's headline per scene and its
    /// average, then the published rows again.
    func loaderTable(_ results: Results, methods: [String], windows: [String: Int]) -> String {
        let counts = scenes.map { "\($0) \(windows[$0].map(String.init) ?? "–")" }.joined(separator: ", ")
        let lines = ["", "On the test windows Social-GAN's loader keeps, the windows the published rows score (a pedestrian "
            + "is scored only when another one is seen at all of its 8 + 12 steps; windows: \(counts)), minADE@\(k) / "
            + "minFDE@\(k), the same models and seeds:", ""]
            + sceneTable(results, methods: methods)
        return lines.joined(separator: "\n") + "\n"
    }

    /// The part of the table for the unseen sets: each method's headline, the mean over the models
    /// that read the set and the seeds.
    func unseenTable(_ results: [String: [String: [(Double, Double)]]], methods: [String]) -> String {
        guard !unseen.isEmpty else { return "" }
        let labels = unseen.map(\.label)
        var lines = ["", "On sets no model trained on (`--unseen`, imported into the store beforehand), minADE@\(k) / "
            + "minFDE@\(k): each held-out scene's final model evaluated on the whole set (a set named with a scene: "
            + "only the models that held it out), the mean over those models and the seeds:", "",
            "| method | " + labels.joined(separator: " | ") + " |",
            "|---|" + String(repeating: "---|", count: labels.count)]
        for method in methods {
            lines.append("| \(method) | " + labels.map { label in
                guard let values = results[method]?[label], !values.isEmpty else { return "–" }
                let mean = Self.mean(values)
                return String(format: "%.3f / %.3f", mean.0, mean.1)
            }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One model of one held-out scene and seed: trained, refitted, evaluated (or, in a cross-scene
    /// fold, trained without one more scene and scored on it).
    struct Job {
        var scene: String
        var seed: UInt64
        var familyIndex: Int
        var fold: Fold? = nil
    }

    /// A cross-scene fold of a held-out scene: its training data without one more scene, `inner`, and
    /// that scene's recordings in the held-out scene's train and val splits, to score.
    struct Fold {
        var inner: String
        var train: [String], val: [String], test: [String]
    }

    /// Each held-out scene's cross-scene folds: one per other scene folder of the tree whose test
    /// recordings (by name: `students001` for `students001_train.txt`) are among its train or val
    /// scenes. A held-out scene with none, or a fold that would leave nothing to train or validate
    /// on, is refused before any training. Worked out from the files to import, before anything is
    /// stored.
    static func folds(of items: [ImportItem], scenes: [String]) throws -> [String: [Fold]] {
        func names(_ dataset: String, _ split: Split) -> [String] {
            Array(Set(items.filter { $0.dataset == dataset && $0.split == split }.map(\.scene))).sorted()
        }
        let tree = Array(Set(items.map(\.dataset))).sorted()
        var folds: [String: [Fold]] = [:]
        for scene in scenes {
            guard tree.contains(scene) else {
                throw WorkflowError.invalidInput(field: "--scenes \(scene)", reason: "the tree has no scene folder of that name "
                    + "(it has " + tree.joined(separator: ", ") + ")")
            }
            let train = names(scene, .train), val = names(scene, .val)
            for inner in tree where inner != scene {
                let recordings = Set(names(inner, .test))
                let paths = { (split: Split, names: [String]) in names.map { "\(scene)/\(split.rawValue)/\($0)" } }
                let held = paths(.train, train.filter(recordings.contains)) + paths(.val, val.filter(recordings.contains))
                guard !held.isEmpty else { continue }
                let fold = Fold(inner: inner, train: paths(.train, train.filter { !recordings.contains($0) }),
                                val: paths(.val, val.filter { !recordings.contains($0) }), test: held)
                guard !fold.train.isEmpty, !fold.val.isEmpty else {
                    throw WorkflowError.invalidInput(field: "--cross-scene", reason: "without \(inner), \(scene) has no "
                        + (fold.train.isEmpty ? "training" : "validation") + " data left")
                }
                folds[scene, default: []].append(fold)
            }
            guard folds[scene] != nil else {
                throw WorkflowError.invalidInput(field: "--cross-scene", reason: "no other scene folder's test recordings (matched "
                    + "by file name: students001.txt and students001_train.txt) are among \(scene)'s train or val files: nothing "
                    + "to hold out; it needs the whole tree (every scene folder, as in the ETH/UCY data)")
            }
        }
        return folds
    }

    /// One row of a job's evaluation: a method's headline and its values at each k (k = 0: its
    /// headline).
    struct Row {
        var method: String
        var isModel: Bool
        var windows: Int
        var values: [(Int, (Double, Double))]
        /// The unseen set evaluated, or nil for the held-out scene's test split (or a fold's recordings).
        var unseen: UnseenSet? = nil
        /// On the test windows Social-GAN's loader keeps, not on all of them.
        var loader = false
    }

    /// Every job's rows, in the order of `jobs`: here one after the other, or on `workers` threads
    /// that take the next job as they finish one. The first failure stops the others at their next
    /// step and is thrown once all have stopped.
    func run(_ jobs: [Job], store: Store, configurations: [String: TrainingRunConfiguration], stamp: Int,
             shouldStop: @escaping () -> Bool, progress: (Event) -> Void) throws -> [[Row]]
    {
        let workerCount = min(workers, jobs.count)
        if workerCount <= 1 {
            return try jobs.map { try run($0, store: store, configurations: configurations, stamp: stamp,
                                          shouldStop: shouldStop, progress: progress) }
        }
        // Side by side, a worker reports its stages and results; two trainings' epoch lines would interleave.
        let shared = Pool(Shared(outcomes: Array(repeating: nil, count: jobs.count), working: workerCount))
        let path = store.path
        return try withoutActuallyEscaping(progress) { progress in
            let report = UncheckedSendable(progress), stop = UncheckedSendable(shouldStop), benchmark = self
            DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
                defer { shared.withLock { $0.working -= 1 } }
                CoreTeam.alone(while: { shared.withLock { $0.working > 1 } }) {
                    let stopping = { shared.withLock { $0.failure != nil } || stop.value() }
                    let relay: (Event) -> Void = { event in
                        switch event {
                        case .stage, .trained: shared.withLock { _ in report.value(event) }
                        case .imported, .started, .training: break
                        }
                    }
                    do {
                        let own = try Store(path: path, create: false)
                        while let index = shared.withLock({ state -> Int? in
                            guard state.failure == nil, state.next < jobs.count else { return nil }
                            defer { state.next += 1 }
                            return state.next
                        }) {
                            let rows = try benchmark.run(jobs[index], store: own, configurations: configurations, stamp: stamp,
                                                         shouldStop: stopping, progress: relay)
                            shared.withLock { $0.outcomes[index] = rows }
                        }
                    } catch {
                        shared.withLock { state in
                            // A worker stopped by another's failure reports an interruption: not the story.
                            func isInterruption(_ error: any Error) -> Bool {
                                if case WorkflowError.interrupted = error { return true }
                                return false
                            }
                            if state.failure.map({ isInterruption($0) && !isInterruption(error) }) ?? true { state.failure = error }
                        }
                    }
                }
            }
            let state = shared.withLock { $0 }
            if let failure = state.failure { throw failure }
            return state.outcomes.map { $0! }
        }
    }

    /// The workers' common state, behind a lock.
    private final class Pool: Sendable {
        let state: Mutex<Shared>
        init(_ state: Shared) { self.state = Mutex(state) }
        func withLock<T>(_ body: (inout Shared) -> T) -> T { state.withLock { body(&$0) } }
    }

    private struct Shared: @unchecked Sendable {
        var outcomes: [[Row]?]
        /// Workers not yet out of jobs: the last one trains on both cores.
        var working: Int
        var next = 0
        var failure: (any Error)?
    }

    /// Trains the job's model on train (the epoch count chosen on val), again on train + val for
    /// that many epochs (`refit`), and evaluates it on test beside the baselines (with the first
    /// family only); a cross-scene fold's on its training data without the inner scene, evaluated at
    /// its best epoch on the inner scene's recordings.
    func run(_ job: Job, store: Store, configurations: [String: TrainingRunConfiguration], stamp: Int,
             shouldStop: @escaping () -> Bool, progress: (Event) -> Void) throws -> [Row]
    {
        let (scene, seed, family) = (job.scene, job.seed, families[job.familyIndex])
        var configuration = configurations[family]!
        if let fold = job.fold {
            progress(.stage("\(scene), seed \(seed), \(family): train on \(scene)/train and validate on \(scene)/val "
                + "without \(fold.inner); score on \(fold.inner)'s " + fold.test.joined(separator: ", ")))
            (configuration.training.seed, configuration.train, configuration.val) = (seed, fold.train, fold.val)
        } else {
            progress(.stage("\(scene), seed \(seed), \(family): train on \(scene)/train, validate on \(scene)/val"))
            (configuration.training.seed, configuration.train, configuration.val) = (seed, ["\(scene)/train"], ["\(scene)/val"])
        }
        // The model's options in run names, so benchmarks of different settings never share one.
        let training = configuration.training
        var parts: [String] = [family] + options.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        if training.reverse { parts.append("reverse") }
        if let mirror { parts.append(mirror ? "mirror" : "no-mirror") }
        if training.averaging > 0 { parts.append("ema\(training.averaging)") }
        if training.weightDecay > 0 { parts.append("wd\(training.weightDecay)") }
        if let learningRate { parts.append("lr\(learningRate)") }
        let settingsName = parts.joined(separator: "-")
        let name = "ethucy-\(scene)-" + (job.fold.map { "inner-\($0.inner)-" } ?? "")
            + "\(settingsName)-e\(configuration.training.epochs)-s\(seed)-\(stamp)"
        let session = try TrainingSession.start(store, configuration: configuration, name: name)
        progress(.started(session))
        let summary = try session.runToEnd(shouldStop: shouldStop, progress: { progress(.training($0)) })
        progress(.trained(summary, run: session.run))
        var (evaluated, checkpoint) = (name, CheckpointRecord.Label.best)
        if refit, job.fold == nil, let epochs = summary.bestEpoch {
            progress(.stage("\(scene), seed \(seed), \(family): refit on \(scene)/train + \(scene)/val for "
                + "\(epochs) epoch\(epochs == 1 ? "" : "s")"))
            var again = configuration
            again.training.train(exactly: epochs)
            again.train = ["\(scene)/train", "\(scene)/val"]
            // Its val is among its training windows: nothing to validate.
            again.training.validationSamples = 0
            (evaluated, checkpoint) = (name + "-refit", .last)
            let refit = try TrainingSession.start(store, configuration: again, name: evaluated)
            progress(.started(refit))
            let refitSummary = try refit.runToEnd(shouldStop: shouldStop, progress: { progress(.training($0)) })
            progress(.trained(refitSummary, run: refit.run))
        }
        let model = try TrainedModel.load(store, run: evaluated, checkpoint: checkpoint)
        var request = EvaluationRequest(selections: job.fold?.test ?? ["\(scene)/test"], k: k, seed: seed,
                                        checkpoint: checkpoint, headingNoiseDegrees: 25, benchmark: "ethucy")
        request.baselines = job.familyIndex == 0
        var rows: [Row] = []
        let sets = job.fold == nil ? unseen.filter({ $0.scene == nil || $0.scene == scene }) : []
        for set in [nil] + sets.map(Optional.some) {
            if let set { request.selections = [set.selection] }
            request.loaderWindows = set == nil && job.fold == nil
            let report = try EvaluationPipeline.run(store, model: model, request)
            let kept = report.rows.filter { $0.scope == "all" || $0.scope == EvaluationPipeline.loaderScope }
            rows += kept.map { (row: EvaluationRow) -> Row in
                let isModel = row.method == EvaluationPipeline.methodName(model)
                var values = [(0, (row.result.minADE, row.result.minFDE))]
                for kk in Set([k] + Evaluator.smallerK).sorted() {
                    if let at = EvaluationReport.displacement(row.result, k: kk) { values.append((kk, (at.ade, at.fde))) }
                }
                return Row(method: isModel ? "trajpred \(configuration.model.label)" : row.method, isModel: isModel,
                           windows: row.result.windows, values: values, unseen: set,
                           loader: row.scope == EvaluationPipeline.loaderScope)
            }
        }
        return rows
    }

    /// The cross-scene table: per method, each held-out scene's mean over its folds and the seeds and
    /// the average; then per scene held out inside (the mean over the held-out scenes that trained
    /// without it); the protocol.
    func crossSceneTable(_ jobs: [Job], _ outcomes: [[Row]], folds: [String: [Fold]], minutes: Double) -> String {
        var results: Results = [:], byInner: Results = [:], methods: [String] = [], baselines: [String] = []
        for (job, rows) in zip(jobs, outcomes) {
            for row in rows {
                if row.isModel, !methods.contains(row.method) { methods.append(row.method) }
                if !row.isModel, !baselines.contains(row.method) { baselines.append(row.method) }
                results[row.method, default: [:]][job.scene, default: [:]][0, default: []].append(row.values[0].1)
                byInner[row.method, default: [:]][job.fold!.inner, default: [:]][0, default: []].append(row.values[0].1)
            }
        }
        if families.contains(AnchorsModel.family) { baselines.removeAll { $0.hasPrefix("anchors") } }
        let inner = Array(Set(folds.values.joined().map(\.inner))).sorted()
        let listed = scenes.map { "\($0): " + folds[$0, default: []].map(\.inner).joined(separator: ", ") }
        let seedText = "mean of \(seeds.count) seed\(seeds.count == 1 ? "" : "s")"
        var lines = ["ETH/UCY cross-scene validation, minADE@\(k) / minFDE@\(k) in meters (per-pedestrian minimum), "
            + "\(seedText); \(String(format: "%.1f", minutes)) minutes on this machine. Each held-out scene's model trains "
            + "again without one more of its training scenes and is scored on that scene (left out as the held-out scene is); a "
            + "held-out scene's cell is the mean over those folds (\(listed.joined(separator: "; "))). No file of the "
            + "held-out scene and no test split is read: compare settings here, per held-out scene.", ""]
            + sceneTable(results, methods: methods + baselines, columns: scenes, published: false, cell: Self.fineCell)
        lines += ["", "By the scene held out inside, the mean over the held-out scenes that trained without it:", ""]
            + sceneTable(byInner, methods: methods + baselines, columns: inner, published: false, cell: Self.fineCell)
        lines += ["", "Protocol: a fold trains on the held-out scene's `train` split without the inner scene's recordings, "
            + "with the epoch chosen by validation minADE@20 on its `val` split without them, and is evaluated at that "
            + "epoch on the inner scene's recordings in both splits" + reversedNote + mirroredNote + averagedNote + decayNote
            + "; epochs: " + epochsNote + "; seeds \(seeds.map(String.init).joined(separator: ", ")). In the field's splits a "
            + "scene's train and val files are its test file cut in two, so the inner scenes' recordings are the other held-out "
            + "scenes' test recordings: choosing one setting for every held-out scene by the average reads them too; the clean "
            + "choice is a held-out scene's own cell."]
        return lines.joined(separator: "\n") + "\n"
    }

    /// One row per method, one column per held-out scene, the average last; the published numbers;
    /// the averages at several k; the protocol.
    static func mean(_ values: [(Double, Double)]) -> (Double, Double) {
        (values.map(\.0).reduce(0, +) / Double(values.count), values.map(\.1).reduce(0, +) / Double(values.count))
    }

    static func cell(_ value: (Double, Double)) -> String { String(format: "%.2f / %.2f", value.0, value.1) }
    /// To the millimeter: settings compared for a choice differ in the third decimal.
    static func fineCell(_ value: (Double, Double)) -> String { String(format: "%.3f / %.3f", value.0, value.1) }

    /// A method's average over the scenes at k = `kk` (0: its headline): the mean of its per-scene means.
    func average(_ results: Results, _ method: String, _ kk: Int) -> (Double, Double)? {
        let perScene = scenes.compactMap { results[method]?[$0]?[kk] }.filter { !$0.isEmpty }.map(Self.mean)
        return perScene.isEmpty ? nil : Self.mean(perScene)
    }

    /// One row per method, one column per scene (`columns`, the held-out scenes unless given) and the
    /// average (each method's headline), then the published rows unless `published` is false: the
    /// main table, the loader windows' part and the cross-scene tables alike.
    func sceneTable(_ results: Results, methods: [String], columns: [String]? = nil, published: Bool = true,
                    cell: ((Double, Double)) -> String = Self.cell) -> [String] {
        let columns = columns ?? scenes
        var lines = ["| method | " + columns.joined(separator: " | ") + " | AVG |",
                     "|---|" + String(repeating: "---|", count: columns.count + 1)]
        for method in methods {
            let perScene = columns.map { results[method]?[$0]?[0] ?? [] }
            let means = perScene.filter { !$0.isEmpty }.map(Self.mean)
            lines.append("| \(method) | " + perScene.map { $0.isEmpty ? "–" : cell(Self.mean($0)) }.joined(separator: " | ")
                + " | **" + (means.isEmpty ? "–" : cell(Self.mean(means))) + "** |")
        }
        guard published else { return lines }
        for (name, ade, fde) in Self.published {
            lines.append("| \(name) | " + String(repeating: "– | ", count: scenes.count) + String(format: "%.2f / %.2f |", ade, fde))
        }
        return lines
    }

    func table(results: Results, methods: [String], windows: [String: Int], minutes: Double) -> String {
        let seedText = "mean of \(seeds.count) seed\(seeds.count == 1 ? "" : "s")"
        var lines = ["ETH/UCY leave-one-out, minADE@\(k) / minFDE@\(k) in meters (per-pedestrian minimum), "
            + "\(seedText); \(String(format: "%.1f", minutes)) minutes on this machine.", ""]
            + sceneTable(results, methods: methods)
        let ks = (Evaluator.smallerK.filter { $0 < k } + [k])
        lines += ["", "Averages over the scenes at several k (k = 1: a ranked model's first future — wta's of least expected error, anchors' most frequent — a "
            + "sampler's first sample; k = 5: the first five):", "",
            "| method | " + ks.map { "k = \($0)" }.joined(separator: " | ") + " |",
            "|---|" + String(repeating: "---|", count: ks.count)]
        for method in methods {
            lines.append("| \(method) | " + ks.map { average(results, method, $0).map(Self.cell) ?? "–" }.joined(separator: " | ") + " |")
        }
        let counts = scenes.map { "\($0) \(windows[$0].map(String.init) ?? "–")" }.joined(separator: ", ")
        lines += ["", "Constant velocity makes one future: its row is its k = 1.", "",
            "Protocol: each model trains on the held-out scene's `train` split with the epoch chosen by "
            + "validation minADE@20 (all K futures of a model with fewer) on its `val` split"
            + (refit ? ", then trains again on `train` + `val` for that many epochs and is evaluated at its last epoch"
                : " and is evaluated at that epoch")
            + reversedNote + mirroredNote + averagedNote + decayNote
            + "; the `test` split is read by evaluation only. Every pedestrian "
            + "with 8 observed + 12 future consecutive steps is scored, also those alone in the scene (test "
            + "windows: \(counts)); the minimum over k futures is taken per pedestrian, for ADE and FDE "
            + "independently. Epochs: " + epochsNote + (learningRate.map { "; Adam's learning rate \($0)" } ?? "")
            + "; seeds \(seeds.map(String.init).joined(separator: ", ")). The eth "
            + "scene's file steps 0.67 s of walking per 0.4 s step (the field's benchmark file; README)."]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Each family's epochs (and step minimum).
    var epochsNote: String {
        families.map { family -> String in
            guard epochs == nil, let training = try? TrainingRunConfiguration.defaultTraining(family: family) else {
                return "\(family) \(epochs ?? 0)"
            }
            return "\(family) \(training.epochs)" + (training.minimumSteps > 0
                ? " (and at least \(grouped(training.minimumSteps)) steps of \(training.batch) windows: more epochs for a small training set)" : "")
        }.joined(separator: ", ")
    }

    /// Which families' models are a moving average of their weights.
    var averagedNote: String {
        let averaged = families.compactMap { family -> String? in
            let decay = averaging ?? (try? TrainingRunConfiguration.defaultTraining(family: family).averaging) ?? 0
            return decay > 0 ? "\(family) (decay \(decay))" : nil
        }
        guard !averaged.isEmpty else { return "" }
        return "; the model of " + averaged.joined(separator: ", ") + " is the moving average of its weights over the steps"
    }

    /// Which families' weight matrices decay (AdamW).
    var decayNote: String {
        let decayed = families.compactMap { family -> String? in
            let decay = weightDecay ?? (try? TrainingRunConfiguration.defaultTraining(family: family).weightDecay) ?? 0
            return decay > 0 ? "\(family) \(decay)" : nil
        }
        guard !decayed.isEmpty else { return "" }
        return "; decoupled weight decay (AdamW) of the weight matrices: " + decayed.joined(separator: ", ")
    }

    /// `--mirror` or `--no-mirror` when given (each family's default otherwise, unsaid).
    var mirroredNote: String {
        guard let mirror else { return "" }
        return mirror ? "; every model also trained on the training windows' mirror images (y → −y)"
            : "; no model trained on mirror images"
    }

    /// Which families also trained on their training windows walked backwards.
    var reversedNote: String {
        let reversed = families.filter { reverse ?? (try? TrainingRunConfiguration.defaultTraining(family: $0).reverse) ?? false }
        guard !reversed.isEmpty else { return "" }
        return "; " + reversed.joined(separator: ", ") + " also trained on every training window walked backwards in time"
    }
}
