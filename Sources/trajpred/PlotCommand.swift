// `trajpred plot`: a scene at a frame with observed paths, true futures and sampled futures, or
// (--curves) a run's loss and validation curves, as SVG.
import ArgumentParser
import TrajectoryStore
import Workflows

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a scene's predictions at a frame (--data SCENE --frame F), or a run's training curves (--curves).",
        discussion: "Writes SVG: open it in a browser, or convert it with rsvg-convert. A scene imported with --image "
            + "and a homography or scale is drawn over its image, in its pixels."
    )

    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("run"), help: "The trained run (id or name).") var runReference: String
    @Option(help: "One scene: DATASET/SPLIT/SCENE (or a selection holding one scene).") var data: String?
    @Option(parsing: .unconditional, help: "The last observed frame, as written in the file (the nearest step matches).")
    var frame: Double?
    @Option(parsing: .unconditional, help: "The last observed time in seconds, instead of a frame.") var time: Double?
    @Flag(help: "Draw the run's loss and validation curves instead.") var curves = false
    @Option(parsing: .unconditional, help: "Sampled futures per pedestrian.") var k: Int = 20
    @Option(parsing: .unconditional, help: "The seed of the samples.") var seed: UInt64 = 0
    @Option(help: "The checkpoint: best or last (default: best, or last for a run trained without validation).")
    var checkpoint: CheckpointRecord.Label?
    @Flag(help: "Shade the density of the sampled positions.") var density = false
    @Option(help: "The SVG file to write.") var out: String

    func validate() throws {
        if frame != nil, time != nil { throw ValidationError("give --frame F or --time SECONDS, not both") }
        if !curves, data == nil || (frame ?? time) == nil {
            throw ValidationError("give --data SCENE and --frame F (or --time S) for a scene, or --curves for the training curves")
        }
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
    }

    func run() throws {
        let database = try store.openExisting()
        let svg: String
        if curves {
            svg = try Pictures.curves(database, run: runReference)
        } else {
            let model = try TrainedModel.load(database, run: runReference, checkpoint: checkpoint)
            svg = try Pictures.scene(database, model: model, selection: data!, frame: (frame ?? time)!,
                                     frameIsTime: time != nil, k: k, seed: seed, density: density)
        }
        try svg.write(toPath: out)
        printError("wrote \(out)")
    }
}
