// The whole job on data shipped in data/: import a scene folder, short trainings of the CVAE and of
// the winner-takes-all model, 20 futures of everyone at the busiest frame of the test scene, an
// evaluation of both beside the baselines, and the pictures, all in one folder of its own.
import Foundation
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

public struct Demo: Sendable {
    /// The folder everything goes to (created if needed; its demo.sqlite is started anew).
    public var directory: String
    /// An ETH/UCY scene folder with train/val/test.
    public var data: String
    public var epochs = 15
    public var seed: UInt64 = 0

    public init(directory: String, data: String) {
        self.directory = directory
        self.data = data
    }

    public enum Event {
        case stage(String)
        case imported(ImportReport)
        case started(TrainingSession)
        case training(TrainingSessionEvent)
        case trained(TrainingSummary, run: RunRecord)
        case predicted(run: RunRecord, points: Int)
        case evaluated(EvaluationReport)
        case wrote(String)
    }

    /// What the demo made.
    public struct Result: Sendable {
        public var database: String
        /// The dataset the scene folder was imported as: the folder's name.
        public var dataset: String
        public var scene: String
        public var frame: Double
        public var seconds: Double
    }

    public var database: String { directory + "/demo.sqlite" }

    /// Runs the demo; `shouldStop` (checked after every training step) stops the training with
    /// its checkpoint saved, and the demo with `WorkflowError.interrupted`.
    public func run(shouldStop: @escaping () -> Bool = { false }, progress: (Event) -> Void = { _ in }) throws -> Result {
        // What could stop the demo half-way is refused before anything is written: a --dir that is a
        // file, data that is not a scene folder with the three splits the demo trains, validates and
        // samples on.
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder), !isFolder.boolValue {
            throw WorkflowError.invalidInput(field: "--dir", reason: "\(directory) is a file, not a folder")
        }
        // The dataset is named after the scene folder, as `trajpred import` names it.
        let settings = ImportSettings()
        let items = try Importing.plan([data], settings)
        let missing = [Split.train, .val, .test].filter { split in !items.contains { $0.split == split } }
        guard missing.isEmpty else {
            throw WorkflowError.invalidInput(field: "--data", reason: "\(data) has no " + missing.map { "\($0.rawValue)/" }
                .joined(separator: ", ") + " files: the demo needs a scene folder with train/, val/ and test/ (as data/zara1)")
        }
        let datasets = Set(items.map(\.dataset)).sorted()
        guard let dataset = datasets.first, datasets.count == 1 else {
            throw WorkflowError.invalidInput(field: "--data", reason: "\(data) holds \(datasets.count) datasets ("
                + datasets.joined(separator: ", ") + "): the demo needs one scene folder with train/, val/ and test/ (as data/zara1)")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        let started = ContinuousClock.now
        let store = try Store(path: database)

        progress(.stage("import \(data)"))
        let reports = Importing.run(store, items: items, settings) { progress(.imported($0)) }
        if let failed = reports.first(where: { $0.status == .failed }) { throw WorkflowError.importFailed(detail: failed.detail) }

        // The CVAE (the study the project started from) and the winner-takes-all model beside it.
        for (family, name) in [(TrajectoryCVAE.family, "demo"), (WTAModel.family, "demo-wta")] {
            progress(.stage("train \(family) on \(dataset)/train, validate on \(dataset)/val (\(epochs) epochs)"))
            var training = try TrainingRunConfiguration.defaultTraining(family: family)
            training.train(exactly: epochs)
            training.seed = seed
            let configuration = try TrainingRunConfiguration(family: family, options: ModelOptions(), training: training,
                                                             train: ["\(dataset)/train"], val: ["\(dataset)/val"])
            let session = try TrainingSession.start(store, configuration: configuration, name: name)
            progress(.started(session))
            let summary = try session.runToEnd(shouldStop: shouldStop, progress: { progress(.training($0)) })
            progress(.trained(summary, run: session.run))
        }
        let model = try TrainedModel.load(store, run: "demo", checkpoint: .best)
        let wta = try TrainedModel.load(store, run: "demo-wta", checkpoint: .best)

        guard let (scene, frame) = try store.busiestFrame(dataset: dataset, split: .test, observed: model.observed) else {
            throw WorkflowError.nothingToPredict(observed: model.observed, ending: nil, pedestrian: nil, data: "\(dataset)/test")
        }
        progress(.stage("sample 20 futures of everyone at frame \(formatted(frame)) of \(scene)"))
        let request = PredictionRequest(source: .store(scene), target: .frame(frame), k: 20, seed: seed)
        let predictions = try Prediction.predict(store, model: model, request)
        try PredictionWriter.write(predictions, as: .csv, toFile: directory + "/predictions.csv")
        let kept = try Prediction.keep(predictions, in: store, model: model, request: request, checkpoint: .best)
        progress(.predicted(run: kept.run, points: kept.points))

        progress(.stage("evaluate both on \(dataset)/test beside the baselines"))
        var report = try EvaluationPipeline.run(store, model: model, EvaluationRequest(data: "\(dataset)/test", seed: seed))
        var modelOnly = EvaluationRequest(data: "\(dataset)/test", seed: seed)
        modelOnly.baselines = false
        let wtaReport = try EvaluationPipeline.run(store, model: wta, modelOnly)
        report.rows.insert(contentsOf: wtaReport.rows.filter { $0.scope == "all" }, at: 1)
        try report.listing(rounded: false).rendered(as: .csv).write(toPath: directory + "/evaluation.csv")
        progress(.evaluated(report))

        progress(.stage("draw"))
        let sceneSVG = try Pictures.scene(store, model: model, selection: scene, frame: frame, k: 20, seed: seed,
                                          density: true)
        try sceneSVG.write(toPath: directory + "/scene.svg")
        progress(.wrote(directory + "/scene.svg"))
        try Pictures.scene(store, model: wta, selection: scene, frame: frame, k: 20, seed: seed, density: true)
            .write(toPath: directory + "/scene_wta.svg")
        progress(.wrote(directory + "/scene_wta.svg"))
        try Pictures.curves(store, run: "demo").write(toPath: directory + "/curves.svg")
        progress(.wrote(directory + "/curves.svg"))
        return Result(database: database, dataset: dataset, scene: scene, frame: frame,
                      seconds: (ContinuousClock.now - started) / .seconds(1))
    }

    /// data/zara1 of the repository: from the current folder, or beside the executable's checkout.
    public static func shippedData(executable: String) throws -> String {
        var candidates = ["data/zara1"]
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent("data/zara1").path)
            folder.deleteLastPathComponent()
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/test") }) else {
            throw WorkflowError.unreadable(path: "data/zara1",
                                           reason: "not found: run the demo from the repository, or give --data FOLDER")
        }
        return found
    }
}
