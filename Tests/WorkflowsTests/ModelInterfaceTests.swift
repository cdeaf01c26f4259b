// The proof that the model interface is real: a family defined in this test (DriftModel) is
// trained, resumed, loaded, sampled, stored and evaluated by the same workflow functions the CVAE
// uses, and its numbers are checked against closed forms.
import Foundation
import NNCore
import Testing
import TestSupport
import TrajectoryData
import TrajectoryModel
import TrajectoryStore
@testable import Workflows

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// A store with data/zara1 imported, and the drift family registered.
func zara1Store() throws -> Store {
    ModelRegistry.register(DriftModel.self)
    let store = try Store(path: temporaryFolder() + "/t.sqlite")
    let settings = ImportSettings(dataset: "zara1")
    let reports = Importing.run(store, items: try Importing.plan([repositoryRoot + "/data/zara1"], settings), settings)
    #expect(reports.allSatisfy { $0.status == .imported })
    return store
}

func driftConfiguration(epochs: Int = 2) throws -> TrainingRunConfiguration {
    var training = TrainingSettings()
    (training.epochs, training.learningRate, training.batch) = (epochs, 0.05, 512)
    return try TrainingRunConfiguration(family: "drift", options: ModelOptions(), training: training,
                                        train: ["zara1/train/crowds_zara02"], val: ["zara1/val"])
}

@Suite(.serialized) struct ModelInterfaceTests {
    @Test func aSecondFamilyTrainsSamplesStoresAndEvaluates() throws {
        let store = try zara1Store()
        let session = try TrainingSession.start(store, configuration: try driftConfiguration(), name: "drift")
        var epochs: [EpochReport] = []
        let outcome = try session.run(progress: { if case let .epoch(report) = $0 { epochs.append(report) } })
        guard case let .completed(summary) = outcome else { Issue.record("\(outcome)"); return }
        #expect(epochs.count == 2 && epochs.allSatisfy { $0.kl == 0 && $0.beta == 0 })
        #expect(summary.bestMinADE != nil)
        #expect(try store.listing("SELECT model, kind, status FROM run_summary").rows
            == [[.text("drift"), .text("train"), .text("completed")]])

        // Loaded back from the store: the family, and the drift the trainer ended with in 'last'.
        let last = try TrainedModel.load(store, run: "drift", checkpoint: .last)
        let model = try #require(last.model as? DriftModel)
        #expect(last.configuration.family == "drift")
        let stored = try store.checkpoint(run: session.run.id, label: .last).tensors
        #expect(stored.parameters.map(\.name) == ["drift"] && stored.firstMoments.count == 1)
        #expect(stored.parameters[0].values == [model.d.x, model.d.y])

        // Everyone at a frame of the test scene: every future is origin + (t + 1)·d, k copies.
        let best = try TrainedModel.load(store, run: "drift", checkpoint: .best)
        let d = try #require(best.model as? DriftModel).d
        let request = PredictionRequest(source: .store("zara1/test"), target: .frame(5500), k: 3, seed: 0)
        let predictions = try Prediction.predict(store, model: best, request)
        #expect(predictions.count > 0 && predictions.k == 3)
        #expect(predictions.samples.probabilities == [Float](repeating: 1 / 3, count: predictions.count * 3))
        for n in 0..<predictions.count {
            #expect(predictions.lastObservedFrame(n) == 5500)
            #expect(predictions.frame(window: n, step: 11) == 5500 + 12 * 10)
            let origin = predictions.windows.origins[n]
            for s in 0..<3 {
                let p = predictions.position(window: n, sample: s, step: 4)
                #expect(abs(p.x - (origin.x + 5 * Double(d.x))) < 1e-5 && abs(p.y - (origin.y + 5 * Double(d.y))) < 1e-5)
            }
        }
        // A ranking model's probabilities reach the rows scripts read.
        let csv = temporaryFolder() + "/p.csv"
        try PredictionWriter.write(predictions, as: .csv, toFile: csv)
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "scene,pedestrian,last_observed_frame,sample,step,frame,x,y,probability")
        #expect(lines.count == 1 + predictions.count * 3 * 12 && lines.dropFirst().allSatisfy { $0.hasSuffix(",0.333333") })
        let kept = try Prediction.keep(predictions, in: store, model: best, request: request, checkpoint: .best)
        #expect(kept.points == predictions.count * 3 * 12)
        #expect(try store.database.scalarInt("SELECT count(*) FROM prediction_view WHERE run_id = ?1",
                                             .integer(kept.run.id)) == Int64(kept.points))

        // Evaluated beside the baselines: its minADE is the closed form over the same windows.
        let report = try EvaluationPipeline.run(store, model: best, EvaluationRequest(data: "zara1/test", k: 3))
        let windows = try SceneWindows.load(store, selections: ["zara1/test"], observed: 8, predicted: 12).windows
        var ade = 0.0, fde = 0.0
        for n in 0..<windows.count {
            let future = Array(windows.futurePositions(n))
            var total = 0.0, final = 0.0
            for t in 0..<12 {
                let e = SIMD2(Double(Float(t + 1) * d.x - future[2 * t]), Double(Float(t + 1) * d.y - future[2 * t + 1]))
                final = (e * e).sum().squareRoot()
                total += final
            }
            ade += total / 12
            fde += final
        }
        let row = try #require(report.rows.first { $0.scope == "all" && $0.method == "model (drift)" })
        #expect(row.result.windows == windows.count)
        #expect(abs(row.result.minADE - ade / Double(windows.count)) < 1e-6)
        #expect(abs(row.result.minFDE - fde / Double(windows.count)) < 1e-6)
        #expect(report.rows.filter { $0.scope == "all" }.map(\.method)
            == ["model (drift)", "constant velocity", "sampled constant velocity (25°)", "anchors (K 3)"])
        #expect(try store.database.scalarInt("SELECT count(*) FROM evaluation WHERE run_id = ?1 AND scope = 'all'",
                                             .integer(report.run.id)) == 4)
    }

    @Test func aSecondFamilyResumesExactly() throws {
        let store = try zara1Store()
        let configuration = try driftConfiguration(epochs: 3)
        let whole = try TrainingSession.start(store, configuration: configuration, name: "whole")
        _ = try whole.run()
        let cut = try TrainingSession.start(store, configuration: configuration, name: "cut")
        var steps = 0
        #expect(try cut.run(shouldStop: { steps += 1; return steps == 5 }) == .interrupted(epoch: 0, step: 5))
        #expect(try store.run(named: "cut").status == .interrupted)
        let resumed = try TrainingSession.resume(store, run: "cut")
        #expect(resumed.resumedAt?.step == 5)
        guard case .completed = try resumed.run() else { Issue.record("not completed"); return }
        let a = try store.checkpoint(run: whole.run.id, label: .last).tensors
        let b = try store.checkpoint(run: cut.run.id, label: .last).tensors
        #expect(a == b)
    }

    /// A resume after scenes of its selections were deleted (or imported) is refused by name: it
    /// would not continue the same training.
    @Test func aResumeOnOtherDataIsRefused() throws {
        let store = try zara1Store()
        let cut = try TrainingSession.start(store, configuration: try driftConfiguration(epochs: 3), name: "cut")
        var steps = 0
        #expect(try cut.run(shouldStop: { steps += 1; return steps == 5 }) == .interrupted(epoch: 0, step: 5))
        _ = try store.deleteScene("zara1/val/crowds_zara03")
        do {
            _ = try TrainingSession.resume(store, run: "cut")
            Issue.record("resumed on other data")
        } catch {
            #expect("\(error)".contains("run cut started on ") && "\(error)".contains(" validation windows and its selections now give "),
                    "\(error)")
        }
    }

    /// A resume after the data changed without changing the window counts (a position of a
    /// validation track edited in the shell: x doubled) is refused too, by the windows' digest; with the
    /// position put back (halved: exactly), it resumes.
    @Test func aResumeOnEditedDataIsRefused() throws {
        let store = try zara1Store()
        let cut = try TrainingSession.start(store, configuration: try driftConfiguration(epochs: 3), name: "cut")
        var steps = 0
        #expect(try cut.run(shouldStop: { steps += 1; return steps == 5 }) == .interrupted(epoch: 0, step: 5))
        func edit(_ change: String) throws {
            try store.database.execute("""
                UPDATE position SET x = x \(change) WHERE (agent_id, step) = (SELECT p.agent_id, p.step FROM position AS p
                  JOIN agent AS a ON a.id = p.agent_id JOIN scene AS s ON s.id = a.scene_id WHERE s.split = 'val'
                  ORDER BY p.agent_id, p.step LIMIT 1 OFFSET 500)
                """)
        }
        try edit("* 2")
        do {
            _ = try TrainingSession.resume(store, run: "cut")
            Issue.record("resumed on edited data")
        } catch {
            #expect("\(error)".contains("run cut's validation windows are not those it started on"), "\(error)")
        }
        try edit("/ 2")
        let resumed = try TrainingSession.resume(store, run: "cut")
        #expect(resumed.resumedAt?.step == 5)
    }

    /// Without --checkpoint a command loads 'best', or 'last' from a run trained without validation
    /// (a benchmark's refit: the final model); asking it for 'best' says why there is none.
    @Test func theDefaultCheckpointOfARunWithoutValidationIsItsLast() throws {
        let store = try zara1Store()
        let validated = try TrainingSession.start(store, configuration: try driftConfiguration(epochs: 2), name: "validated")
        _ = try validated.run()
        var configuration = try driftConfiguration(epochs: 2)
        configuration.training.validationSamples = 0
        let refit = try TrainingSession.start(store, configuration: configuration, name: "refit")
        _ = try refit.run()

        #expect(try TrainedModel.load(store, run: "validated", checkpoint: nil).checkpoint == .best)
        let model = try TrainedModel.load(store, run: "refit", checkpoint: nil)
        #expect(model.checkpoint == .last && model.checkpointEpoch == 2)
        #expect(try store.checkpointIfSaved(run: model.run.id, label: .best) == nil)
        do {
            _ = try TrainedModel.load(store, run: "refit", checkpoint: .best)
            Issue.record("'best' of a run without validation loaded")
        } catch {
            #expect("\(error)".contains("trained without validation") && "\(error)".contains("--checkpoint last"))
        }
        // The evaluation keeps the checkpoint it read.
        let report = try EvaluationPipeline.run(store, run: "refit", EvaluationRequest(data: "zara1/test", k: 3))
        #expect(report.run.config.contains("\"checkpoint\":\"last\""))
    }

    @Test func familiesRefuseOptionsTheyDoNotHave() throws {
        #expect(throws: ModelError.unsupportedOption(name: "hidden", family: "drift", supported: [])) {
            try TrainingRunConfiguration(family: "drift", options: ModelOptions(["hidden": "4"]), training: TrainingSettings(),
                                         train: [], val: [])
        }
        #expect(throws: ModelError.invalidOption(name: "encoder", value: "lstm", expected: "one of mlp, gru")) {
            try TrainingRunConfiguration(family: "cvae", options: ModelOptions(["encoder": "lstm"]),
                                         training: TrainingSettings(), train: [], val: [])
        }
        ModelRegistry.register(DriftModel.self)
        #expect(throws: ModelError.unknownFamily(name: "nope", known: ["cvae", "anchors", "wta", "cvae-dlow", "drift"])) {
            try TrainingRunConfiguration(family: "nope", options: ModelOptions(), training: TrainingSettings(),
                                         train: [], val: [])
        }
    }
}

@Suite(.serialized) struct HonestyTests {
    /// Training (and its choice of the best epoch) never reads the test split: moving every test
    /// position far away changes no epoch and no tensor of a run trained on train and val.
    @Test(arguments: ["wta", "cvae-dlow"])
    func theTestSplitIsNeverReadByTraining(family: String) throws {
        let store = try zara1Store()
        var training = try TrainingRunConfiguration.defaultTraining(family: family)
        (training.epochs, training.minimumSteps) = (3, 0)
        var options = ModelOptions(["hidden": "16"])
        if family == "cvae-dlow" { options.values["cvae-epochs"] = "2" }
        let configuration = try TrainingRunConfiguration(family: family, options: options, training: training,
                                                         train: ["zara1/train/crowds_zara02"], val: ["zara1/val"])
        func trained(_ name: String) throws -> (CheckpointTensors, CheckpointTensors, [EpochRecord]) {
            let session = try TrainingSession.start(store, configuration: configuration, name: name)
            _ = try session.run()
            return (try store.checkpoint(run: session.run.id, label: .best).tensors,
                    try store.checkpoint(run: session.run.id, label: .last).tensors,
                    try store.epochs(run: session.run.id).map { var e = $0; e.seconds = 0; return e })
        }
        let before = try trained("before")
        try store.database.execute("""
            UPDATE position SET x = x + 1000, y = y - 500 WHERE agent_id IN
              (SELECT a.id FROM agent AS a JOIN scene AS s ON s.id = a.scene_id WHERE s.split = 'test')
            """)
        let after = try trained("after")
        #expect(before.0 == after.0 && before.1 == after.1 && before.2 == after.2)
        // And the training data does matter (stretched, not moved: windows are relative): the test can fail.
        try store.database.execute("""
            UPDATE position SET x = x * 1.3 WHERE agent_id IN
              (SELECT a.id FROM agent AS a JOIN scene AS s ON s.id = a.scene_id WHERE s.name = 'crowds_zara02')
            """)
        #expect(try trained("moved").1 != before.1)
    }
}
