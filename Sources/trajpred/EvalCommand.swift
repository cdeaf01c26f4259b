// `trajpred eval`: a trained run and the baselines on the same windows, with the field's metrics,
// per scene and overall; every number is stored under a run of kind evaluate.
import ArgumentParser
import Foundation
import NNCore
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a run and the constant-velocity baselines: minADE@k, minFDE@k, KDE-NLL, collisions.",
        discussion: """
            Every window of 8 observed + 12 future steps of the selection is scored; the per-pedestrian \
            minimum over k samples is taken for ADE and FDE independently (see the README).
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @Option(name: .customLong("run"), help: "The trained run (id or name).") var runReference: String
    @Option(help: "The checkpoint: best or last.") var checkpoint: CheckpointRecord.Label = .best
    @Option(help: "Data selection DATASET[/SPLIT[/SCENE]].") var data: String
    @Option(help: "Samples per window.") var k: Int = 20
    @Option(help: "The seed of the samples.") var seed: UInt64 = 0
    @Option(help: "Heading noise of the sampled constant-velocity baseline, degrees.") var headingNoise: Float = 25

    func validate() throws {
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
    }

    func run() throws {
        let report = try perform(try store.openExisting())
        print(report.listing.rendered(as: output.format), terminator: "")
    }

    /// Evaluates and stores every number under a new run of kind evaluate.
    func perform(_ database: Store) throws -> EvaluationReport {
        let loaded = try loadModel(database, run: runReference, checkpoint: checkpoint)
        let report = try evaluate(database, loaded: loaded, data: data, k: k, seed: seed, headingNoise: headingNoise)
        let config = "{\"data\":\(jsonString(data)),\"k\":\(k),\"seed\":\(seed),\"checkpoint\":\"\(checkpoint.rawValue)\","
            + "\"heading_noise_degrees\":\(headingNoise)}"
        let evaluation = try database.createRun(name: nil, kind: "evaluate", config: config, parent: loaded.run.id)
        try database.storeMetrics(run: evaluation.id, report.metrics)
        printError("stored as run \(evaluation.id) (\(evaluation.name)); sqlite3: SELECT * FROM evaluation WHERE run_id = \(evaluation.id)")
        return report
    }
}

struct EvaluationReport {
    var rows: [(scope: String, method: String, result: Evaluation)]

    var metrics: [MetricRecord] {
        rows.flatMap { row in
            [("windows", Double(row.result.windows)), ("k", Double(row.result.k)), ("min_ade", row.result.minADE),
             ("min_fde", row.result.minFDE), ("kde_nll", row.result.kdeNLL), ("collision_rate", row.result.collisionRate)]
                .map { MetricRecord(scope: row.scope, method: row.method, name: $0.0, value: $0.1) }
        }
    }

    var listing: Listing {
        Listing(columns: ["scope", "method", "windows", "k", "min_ade", "min_fde", "kde_nll", "collision_rate"],
                rows: rows.map { row in
                    [.text(row.scope), .text(row.method), .integer(Int64(row.result.windows)), .integer(Int64(row.result.k)),
                     .real(rounded(row.result.minADE, 3)), .real(rounded(row.result.minFDE, 3)),
                     row.result.kdeNLL.map { .real(rounded($0, 3)) } ?? .null,
                     row.result.collisionRate.map { .real(rounded($0, 4)) } ?? .null]
                })
    }
}

/// The model, constant velocity and sampled constant velocity on every window of `data`: per scene,
/// then over all windows ('all').
func evaluate(_ database: Store, loaded: LoadedModel, data: String, k: Int, seed: UInt64, headingNoise: Float) throws
    -> EvaluationReport
{
    let configuration = loaded.settings.model
    let selected = try loadWindows(database, selections: [data], observed: configuration.observed,
                                   predicted: configuration.predicted)
    let (scenes, windows) = (selected.scenes, selected.windows)
    guard windows.count > 0 else {
        throw ValidationErrorText("\(data) has no window of \(windows.steps) consecutive steps to evaluate")
    }
    let neighbours = Neighbours(tracks: selected.tracks)
    let all = Array(0..<windows.count)[...]
    var rng = Xoshiro256(seed: seed)
    let workspace = TrajectoryCVAE.SamplingWorkspace(loaded.model, windows: min(256, windows.count), k: k)
    let modelSamples = loaded.model.sample(windows, all, k: k, using: &rng, workspace: workspace)
    let cv = ConstantVelocity.predict(windows, all)
    var noise = Xoshiro256(seed: seed &+ 1)
    let sampledCV = ConstantVelocity.sample(windows, all, k: k, headingNoiseDegrees: headingNoise, using: &noise)
    let methods: [(String, [Float], Int)] = [
        ("model (\(loaded.run.name))", modelSamples, k), ("constant velocity", cv, 1),
        ("sampled constant velocity (\(formatted(Double(headingNoise)))°)", sampledCV, k),
    ]
    var rows: [(String, String, Evaluation)] = []
    let perScene = scenes.count > 1
    for (name, samples, methodK) in methods {
        rows.append(("all", name, Evaluator.evaluate(samples: samples, k: methodK, windows: windows, indices: all,
                                                     neighbours: neighbours)))
    }
    if perScene {
        let stride = windows.predicted * 2
        for (s, scene) in scenes.enumerated() {
            let indices = all.filter { windows.sources[$0].scene == s }
            guard !indices.isEmpty else { continue }
            for (name, samples, methodK) in methods {
                var subset: [Float] = []
                subset.reserveCapacity(indices.count * methodK * stride)
                for n in indices { subset += samples[(n * methodK * stride)..<((n + 1) * methodK * stride)] }
                rows.append((scene.path, name, Evaluator.evaluate(samples: subset, k: methodK, windows: windows,
                                                                  indices: indices[...], neighbours: neighbours)))
            }
        }
    }
    return EvaluationReport(rows: rows.map { (scope: $0.0, method: $0.1, result: $0.2) })
}
