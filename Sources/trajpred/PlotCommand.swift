// `trajpred plot`: a scene at a frame with observed paths, true futures and sampled futures, or
// (--curves) a run's loss and validation curves, as SVG.
import ArgumentParser
import Foundation
import NNCore
import Plots
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a scene's predictions at a frame (--data SCENE --frame F), or a run's training curves (--curves).",
        discussion: "Writes SVG: open it in a browser, or convert it with rsvg-convert."
    )

    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("run"), help: "The trained run (id or name).") var runReference: String
    @Option(help: "One scene: DATASET/SPLIT/SCENE (or a selection holding one scene).") var data: String?
    @Option(help: "The last observed frame.") var frame: Double?
    @Flag(help: "Draw the run's loss and validation curves instead.") var curves = false
    @Option(help: "Sampled futures per pedestrian.") var k: Int = 20
    @Option(help: "The seed of the samples.") var seed: UInt64 = 0
    @Option(help: "The checkpoint: best or last.") var checkpoint: CheckpointRecord.Label = .best
    @Flag(help: "Shade the density of the sampled positions.") var density = false
    @Option(help: "The SVG file to write.") var out: String

    func validate() throws {
        if !curves, data == nil || frame == nil {
            throw ValidationError("give --data SCENE and --frame F for a scene, or --curves for the training curves")
        }
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
    }

    func run() throws {
        let database = try store.openExisting()
        let svg = curves ? try curvesSVG(database) : try sceneSVG(database)
        try svg.write(toFile: out, atomically: true, encoding: .utf8)
        printError("wrote \(out)")
    }

    func curvesSVG(_ database: Store) throws -> String {
        let run = try database.run(named: runReference)
        let epochs = try database.listing(
            "SELECT epoch, loss, reconstruction, kl, val_min_ade, val_min_fde FROM epoch WHERE run_id = ?1 ORDER BY epoch",
            [.integer(run.id)])
        guard !epochs.rows.isEmpty else { throw ValidationErrorText("run \(run.name) has no finished epoch yet") }
        func series(_ column: Int, _ name: String, _ color: String) -> CurveSeries {
            CurveSeries(name: name, points: epochs.rows.compactMap { row in
                guard case let .integer(epoch) = row[0], case let .real(value) = row[column] else { return nil }
                return (Double(epoch), value)
            }, color: color)
        }
        return CurvePlot.render(panels: [
            ("training loss (MSE + β·KL)", [series(1, "loss", "#1f4e99"), series(2, "reconstruction", "#2ca02c")]),
            ("KL(q ‖ p), nats", [series(3, "KL", "#9467bd")]),
            ("validation, meters", [series(4, "minADE@20", "#ff7f0e"), series(5, "minFDE@20", "#d62728")]),
        ], xLabel: "epoch", title: "Training of run \(run.id) (\(run.name))")
    }

    func sceneSVG(_ database: Store) throws -> String {
        let loaded = try loadModel(database, run: runReference, checkpoint: checkpoint)
        let scenes = try database.scenes(selection: data!)
        guard scenes.count == 1, let scene = scenes.first else {
            throw ValidationErrorText("--data \(data!) holds \(scenes.count) scenes; a picture shows one: "
                + scenes.prefix(5).map(\.path).joined(separator: ", "))
        }
        let tracks = try database.tracks(scene: scene.id)
        let step = (frame! - scene.frameOrigin) / scene.frameStep
        var windows = WindowSet(observed: loaded.settings.model.observed, predicted: loaded.settings.model.predicted)
        if step == step.rounded() {
            for track in tracks { windows.addObserved(track, endingAt: Int(step), scene: 0) }
        }
        guard windows.count > 0 else {
            throw ValidationErrorText("no pedestrian of \(scene.path) has \(windows.observed) observed steps ending at frame "
                + formatted(frame!))
        }
        var rng = Xoshiro256(seed: seed)
        let workspace = TrajectoryCVAE.SamplingWorkspace(loaded.model, windows: min(256, windows.count), k: k)
        let samples = loaded.model.sample(windows, Array(0..<windows.count)[...], k: k, using: &rng, workspace: workspace)
        let byName = Dictionary(tracks.map { ($0.pedestrian, $0) }, uniquingKeysWith: { a, _ in a })
        var paths: [PedestrianPaths] = []
        for n in 0..<windows.count {
            let source = windows.sources[n], origin = windows.origins[n]
            let relative = Array(windows.observedPositions(n))
            let observed = (0..<windows.observed).map { origin + SIMD2(Double(relative[2 * $0]), Double(relative[2 * $0 + 1])) }
            let truth = (byName[source.pedestrian]?.points ?? []).filter {
                $0.step > source.lastObservedStep && $0.step <= source.lastObservedStep + windows.predicted
            }.map { SIMD2($0.x, $0.y) }
            let futures = (0..<k).map { s in
                (0..<windows.predicted).map { t -> SIMD2<Double> in
                    let i = ((n * k + s) * windows.predicted + t) * 2
                    return origin + SIMD2(Double(samples[i]), Double(samples[i + 1]))
                }
            }
            paths.append(PedestrianPaths(name: source.pedestrian, observed: observed, truth: truth, samples: futures))
        }
        return ScenePlot.render(paths, title: "\(scene.path), frame \(formatted(frame!)): \(windows.count) pedestrians, "
            + "\(k) futures each", density: density)
    }
}
