// The evaluation pipeline: a trained run and the baselines (constant velocity, sampled constant
// velocity) on the same windows of a selection, with the field's metrics per scene and over all
// windows, every number kept in the store under a run of kind evaluate.
import Foundation
import NNCore
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

/// One row of an evaluation: a scope ('all' or a scene's path), a method, its metrics.
public struct EvaluationRow: Sendable, Equatable {
    public var scope: String
    public var method: String
    public var result: Evaluation
}

public struct EvaluationReport: Sendable {
    public var rows: [EvaluationRow]
    /// The run of kind evaluate that holds the numbers.
    public var run: RunRecord
    /// What the user should know of the rows: the anchors baseline left out (the run's training data
    /// is gone) or fitted on other data than the run's (it changed since).
    public var notes: [String] = []

    /// How to read the numbers back with the sqlite3 shell.
    public var query: String { "SELECT * FROM evaluation WHERE run_id = \(run.id)" }

    /// The rows as metric records (one per number).
    static func metrics(_ rows: [EvaluationRow]) -> [MetricRecord] {
        rows.flatMap { row in
            var values: [(String, Double?)] = [
                ("windows", Double(row.result.windows)), ("k", Double(row.result.k)), ("min_ade", row.result.minADE),
                ("min_fde", row.result.minFDE), ("kde_nll", row.result.kdeNLL), ("collision_rate", row.result.collisionRate)]
            for k in Evaluator.smallerK {
                guard let at = row.result.atSmallerK[k] ?? (k == row.result.k ? Displacement(ade: row.result.minADE,
                                                                                               fde: row.result.minFDE) : nil)
                else { continue }
                values += [("min_ade_\(k)", at.ade), ("min_fde_\(k)", at.fde)]
            }
            return values.map { MetricRecord(scope: row.scope, method: row.method, name: $0.0, value: $0.1) }
        }
    }

    /// minADE/minFDE of a row at k (its own k, or one of the smaller k), nil when not measured.
    static func displacement(_ result: Evaluation, k: Int) -> Displacement? {
        k == result.k ? Displacement(ade: result.minADE, fde: result.minFDE) : result.atSmallerK[k]
    }

    /// The report as a listing for people: meters to the millimetre (collision rates to 4 decimals).
    public var listing: Listing { listing(rounded: true) }

    /// The report as a listing: scope, method, windows, k, min_ade, min_fde, kde_nll, collision_rate,
    /// then minADE/minFDE at k = 1 and 5 (a ranked model's best single guess / a sampler's first sample, best of the first 5);
    /// `rounded` for a table, every digit for a script's CSV or JSON (as the store keeps them).
    public func listing(rounded: Bool) -> Listing {
        let shown: (Double, Int) -> Double = rounded ? { Workflows.rounded($0, $1) } : { value, _ in value }
        return Listing(columns: ["scope", "method", "windows", "k", "min_ade", "min_fde", "kde_nll", "collision_rate"]
                    + Evaluator.smallerK.flatMap { ["min_ade_\($0)", "min_fde_\($0)"] },
                rows: rows.map { row in
                    [.text(row.scope), .text(row.method), .integer(Int64(row.result.windows)), .integer(Int64(row.result.k)),
                     .real(shown(row.result.minADE, 3)), .real(shown(row.result.minFDE, 3)),
                     row.result.kdeNLL.map { .real(shown($0, 3)) } ?? .null,
                     row.result.collisionRate.map { .real(shown($0, 4)) } ?? .null]
                        + Evaluator.smallerK.flatMap { k -> [SQLValue] in
                            guard let at = Self.displacement(row.result, k: k) else { return [.null, .null] }
                            return [.real(shown(at.ade, 3)), .real(shown(at.fde, 3))]
                        }
                })
    }
}

public struct EvaluationRequest: Sendable {
    /// The data, `DATASET[/SPLIT[/SCENE]]` selections whose windows are evaluated together (one
    /// selection, or several: `eval --data` repeated, a cross-scene fold's recordings in two splits).
    public var selections: [String]
    /// The selections as the evaluation names them: one, or several joined by ", " (the stored
    /// configuration also keeps them apart, `selections`).
    public var data: String { selections.joined(separator: ", ") }
    public var k: Int
    public var seed: UInt64
    /// nil: 'best', or 'last' for a run trained without validation (`TrainedModel.load`).
    public var checkpoint: CheckpointRecord.Label?
    /// σ of the sampled constant-velocity baseline's heading noise, degrees.
    public var headingNoiseDegrees: Float
    /// The benchmark this evaluation belongs to, stored with it.
    public var benchmark: String?
    /// Evaluate the baselines beside the model: constant velocity, sampled constant velocity, and
    /// anchors fitted on the run's training data (k per group, no learning).
    public var baselines = true
    /// Also score the windows Social-GAN's loader keeps, under the scope `EvaluationPipeline.loaderScope`
    /// (`EvaluationPipeline.loaderWindows`): the windows the field's published rows score.
    public var loaderWindows = false

    public init(data: String, k: Int = 20, seed: UInt64 = 0, checkpoint: CheckpointRecord.Label? = nil,
                headingNoiseDegrees: Float = 25, benchmark: String? = nil) {
        self.init(selections: [data], k: k, seed: seed, checkpoint: checkpoint, headingNoiseDegrees: headingNoiseDegrees,
                  benchmark: benchmark)
    }

    public init(selections: [String], k: Int = 20, seed: UInt64 = 0, checkpoint: CheckpointRecord.Label? = nil,
                headingNoiseDegrees: Float = 25, benchmark: String? = nil) {
        precondition(!selections.isEmpty, "an evaluation reads some data")
        (self.selections, self.k, self.seed, self.checkpoint) = (selections, k, seed, checkpoint)
        (self.headingNoiseDegrees, self.benchmark) = (headingNoiseDegrees, benchmark)
    }
}

public enum EvaluationPipeline {
    /// Evaluates the run called `run` and keeps every number under a new run of kind evaluate.
    public static func run(_ store: Store, run reference: String, _ request: EvaluationRequest) throws -> EvaluationReport {
        let model = try TrainedModel.load(store, run: reference, checkpoint: request.checkpoint)
        return try run(store, model: model, request)
    }

    /// Evaluates `model` and keeps every number under a new run of kind evaluate.
    public static func run(_ store: Store, model: TrainedModel, _ request: EvaluationRequest) throws -> EvaluationReport {
        var notes: [String] = []
        let rows = try evaluate(store, model: model, request) { notes.append($0) }
        let configuration = EvaluationRunConfiguration(selections: request.selections, k: request.k,
                                                       seed: request.seed, checkpoint: model.checkpoint,
                                                       headingNoiseDegrees: request.headingNoiseDegrees,
                                                       benchmark: request.benchmark)
        let evaluation = try store.createRun(name: nil, kind: .evaluate, config: try configuration.storedJSON(),
                                             parent: model.run.id)
        do {
            try store.storeMetrics(run: evaluation.id, EvaluationReport.metrics(rows))
        } catch {
            try? store.setStatus(run: evaluation.id, .failed, error: "\(error)")
            throw error
        }
        return EvaluationReport(rows: rows, run: try store.run(id: evaluation.id), notes: notes)
    }

    /// Anchors (k per group) of the run's training windows and their mirror images, seeded by the
    /// run's seed: no learning, so any run's evaluation can show them. `note` hears when those windows
    /// are not the ones the run trained on (its stored digest differs: scenes deleted, replaced or
    /// edited since).
    static func anchorsBaseline(_ store: Store, model: TrainedModel, k: Int, note: (String) -> Void = { _ in })
        throws -> AnchorsModel
    {
        let training = try SceneWindows.loadForTraining(store, selections: model.configuration.train,
                                                        observed: model.observed, predicted: model.predicted)
        if let state = try store.checkpointState(run: model.run.id, label: .last),
           let counters = try? JSONDecoder().decode(TrainerCounters.self, from: Data(state.utf8)),
           let digest = counters.trainingDigest, digest != training.windows.contentDigest() {
            note("the anchors row is fitted on the run's training data as it is now (\(training.windows.count) windows), "
                 + "which changed since the run trained on it" + (counters.trainingWindows.map { " (\($0) windows)" } ?? ""))
        }
        var configuration = AnchorsConfiguration()
        (configuration.futures, configuration.observed, configuration.predicted) = (k, model.observed, model.predicted)
        var rng = Xoshiro256(seed: model.configuration.training.seed &+ 0x9AE9)
        var anchors = AnchorsModel(configuration, using: &rng)
        anchors.prepare(training.windows, mirror: true, using: &rng)
        return anchors
    }

    /// The scope of the rows on the windows Social-GAN's loader keeps.
    public static let loaderScope = "sgan-loader"

    /// The windows Social-GAN's data loader keeps, which the field's published rows score: a window
    /// is kept when another pedestrian of its scene has a window over the same steps (the loader
    /// cuts a scene into runs of 8 + 12 frames and drops a run where fewer than two pedestrians are
    /// seen at all of its frames). In ETH/UCY it keeps 181 of eth's 364 test windows, 1,053 of
    /// hotel's 1,197, every one of univ's 24,334. The loader counts frames that occur in the file,
    /// these count steps: the same wherever some pedestrian is seen at every step.
    public static func loaderWindows(_ windows: WindowSet) -> [Int] {
        struct Key: Hashable { var scene: Int, step: Int }
        var counts: [Key: Int] = [:]
        for source in windows.sources { counts[Key(scene: source.scene, step: source.lastObservedStep), default: 0] += 1 }
        return windows.sources.indices.filter {
            let source = windows.sources[$0]
            return counts[Key(scene: source.scene, step: source.lastObservedStep)]! > 1
        }
    }

    /// The method name of a trained run in evaluation rows.
    public static func methodName(_ model: TrainedModel) -> String { "model (\(model.run.name))" }

    /// The model, constant velocity and sampled constant velocity on every window of the request's
    /// data: over all windows ('all'), then per scene when there are several. `note` hears what was
    /// left out and why.
    public static func evaluate(_ store: Store, model: TrainedModel, _ request: EvaluationRequest,
                                note: (String) -> Void = { _ in }) throws -> [EvaluationRow] {
        try model.check(k: request.k)
        let selected = try SceneWindows.load(store, selections: request.selections, observed: model.observed,
                                             predicted: model.predicted)
        try model.checkTimeStep(of: selected.scenes, store: store)
        let windows = selected.windows
        guard windows.count > 0 else { throw WorkflowError.nothingToEvaluate(selections: request.selections, steps: windows.steps) }
        let all = Array(0..<windows.count)[...]
        let modelSamples = model.sample(windows, all, k: request.k, seed: request.seed)
        var noise = Xoshiro256(seed: request.seed &+ 1)
        var methods: [(String, Samples)] = [(methodName(model), modelSamples)]
        if request.baselines {
            methods.append(("constant velocity", ConstantVelocity.predict(windows, all)))
            methods.append(("sampled constant velocity (\(formatted(Double(request.headingNoiseDegrees)))°)",
                            ConstantVelocity.sample(windows, all, k: request.k,
                                                    headingNoiseDegrees: request.headingNoiseDegrees, using: &noise)))
            // Anchors need the run's training data: when it was deleted since, the row is left out, saying so.
            do {
                let anchors = try anchorsBaseline(store, model: model, k: request.k, note: note)
                var none = Xoshiro256(seed: 0)
                methods.append((anchors.configuration.label, anchors.sample(windows, all, k: request.k, using: &none)))
            } catch {
                note("no anchors row: they are fitted on the run's training data ("
                     + model.configuration.train.joined(separator: ", ") + "), which cannot be read now: \(error)")
            }
        }
        var rows: [EvaluationRow] = []
        for (name, samples) in methods {
            rows.append(EvaluationRow(scope: "all", method: name,
                                      result: Evaluator.evaluate(samples: samples, windows: windows, indices: all)))
        }
        if selected.scenes.count > 1 {
            for (s, scene) in selected.scenes.enumerated() {
                let indices = all.filter { windows.sources[$0].scene == s }
                guard !indices.isEmpty else { continue }
                for (name, samples) in methods {
                    rows.append(EvaluationRow(scope: scene.path, method: name, result: Evaluator.evaluate(
                        samples: samples.subset(indices), windows: windows, indices: indices[...])))
                }
            }
        }
        if request.loaderWindows {
            let kept = loaderWindows(windows)
            if kept.isEmpty {
                note("no \(loaderScope) rows: Social-GAN's loader keeps none of these \(windows.count) windows (a pedestrian "
                     + "is kept only when another one is seen at all of its \(windows.steps) steps)")
            } else {
                for (name, samples) in methods {
                    rows.append(EvaluationRow(scope: loaderScope, method: name, result: Evaluator.evaluate(
                        samples: samples.subset(kept[...]), windows: windows, indices: kept[...])))
                }
            }
        }
        return rows
    }
}
