// `trajpred eval`: a trained run and the baselines on the same windows, with the field's metrics,
// per scene and overall; every number is stored under a run of kind evaluate.
import ArgumentParser
import TrajectoryStore
import Workflows

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
    @Option(help: "The checkpoint: best or last (default: best, or last for a run trained without validation).")
    var checkpoint: CheckpointRecord.Label?
    @Option(help: "Data selection DATASET[/SPLIT[/SCENE]] (repeatable: the windows of all, evaluated together).")
    var data: [String]
    @Option(parsing: .unconditional, help: "Samples per window.") var k: Int = 20
    @Option(parsing: .unconditional, help: "The seed of the samples.") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Heading noise of the sampled constant-velocity baseline, degrees.") var headingNoise: Float = 25
    @Flag(help: """
        Also score the windows Social-GAN's loader keeps (scope sgan-loader), which the published \
        rows score: a pedestrian only when another one is seen at all of its 20 steps.
        """)
    var sganLoader = false

    func validate() throws {
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
        guard headingNoise.isFinite, (0...180).contains(headingNoise) else {
            throw ValidationError("--heading-noise must be between 0 and 180 degrees")
        }
    }

    func run() throws {
        var request = EvaluationRequest(selections: data, k: k, seed: seed, checkpoint: checkpoint, headingNoiseDegrees: headingNoise)
        request.loaderWindows = sganLoader
        let report = try EvaluationPipeline.run(try store.openExisting(), run: runReference, request)
        for note in report.notes { printError(note) }
        printError("stored as run \(report.run.id) (\(report.run.name)); sqlite3: \(report.query)")
        print(report.listing(rounded: output.format == .table).rendered(as: output.format), terminator: "")
    }
}
