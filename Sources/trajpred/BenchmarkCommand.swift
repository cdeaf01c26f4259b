// `trajpred benchmark ethucy`: the ETH/UCY leave-one-out protocol in one command — import the
// tree, train one model per held-out scene on its train split (validated on its val split),
// evaluate on its test split — with the baselines and the published numbers beside it.
import ArgumentParser
import Foundation
import TrajectoryModel
import Workflows

struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Standard benchmarks of the field.",
        subcommands: [BenchmarkETHUCY.self]
    )
}

struct BenchmarkETHUCY: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ethucy",
        abstract: "Leave-one-out ETH/UCY: train per held-out scene, minADE/minFDE@20 on its test split.",
        discussion: """
            --data is the ETH/UCY tree (scene folders with train/val/test). --models cvae,anchors,wta \
            trains each family (model options are those of `trajpred train`, given to every family). \
            Prints the per-scene table with the average, beside constant velocity, sampled constant \
            velocity and anchors (same evaluator, same windows) and the published best-of-20 numbers, \
            the averages at k = 1, 5 and 20, and the protocol; --out writes it as Markdown. \
            --cross-scene is for choosing settings: each held-out scene's model trains again without \
            each other scene of the tree and is scored on that scene's recordings in its train and val \
            files (left out as the held-out scene is); the test splits are not read.
            """
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "The ETH/UCY tree.") var data: String
    @Option(help: "Seeds to repeat with, e.g. 0 or 0-2.") var seeds: String = "0"
    @Option(help: "Held-out scenes, comma-separated.") var scenes: String = "eth,hotel,univ,zara1,zara2"
    @Option(help: "Model families, comma-separated, one row each (default: --model).") var models: String?
    @OptionGroup var model: ModelOptionGroup
    @Option(help: "Epochs per model, exactly (default: each family's; cvae 50, wta 30 and at least 7,000 steps, anchors 1).") var epochs: Int?
    @Option(help: "Write the table as Markdown to this file.") var out: String?
    @Flag(inversion: .prefixedNo,
          help: "After choosing the epoch count on val, train again on train + val for that many epochs and evaluate that (default: --refit).")
    var refit: Bool?
    @Flag(inversion: .prefixedNo,
          help: "Train also on the training windows walked backwards in time (default: each family's).")
    var reverse: Bool?
    @Flag(inversion: .prefixedNo,
          help: "Train also on the training windows' mirror images, y → −y (default: each family's; anchors and wta mirror).")
    var mirror: Bool?
    @Option(help: "The model is the moving average of the weights with this decay per step; 0: the weights (default: each family's; wta 0.99).")
    var ema: Float?
    @Option(help: "Adam's base learning rate of every model (default: each family's; 0.001).")
    var lr: Float?
    @Option(help: "Decoupled weight decay of every model's weight matrices (AdamW); 0: none (default: each family's; wta 0.1).")
    var weightDecay: Float?
    @Flag(help: ArgumentHelp(
        "Cross-scene validation, for choosing settings: train each held-out scene's model again without each other scene of the tree and score it on that scene (no refit; the test splits are not read).",
        discussion: "A scene left out as the held-out scene is; val lies in the training scenes."))
    var crossScene = false
    @Option(help: ArgumentHelp(
        "Also evaluate every final model on this selection, imported into the same store beforehand (data no model trained on); SELECTION:SCENE: only the models that held SCENE out. Repeatable.",
        valueName: "selection[:scene]"))
    var unseen: [String] = []
    @Option(help: "Trainings side by side, each on one core; 1 trains one model at a time on both. The results do not change.")
    var jobs = ETHUCYBenchmark.defaultWorkers

    func validate() throws {
        _ = try parseSeeds(seeds)
        try TrainingOptionGroup.check(epochs: epochs, lr: lr, ema: ema, weightDecay: weightDecay)
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if models == nil { try model.check() }
        if let models, !models.split(separator: ",").contains(where: { !$0.isEmpty }) {
            throw ValidationError("--models lists no model family")
        }
        if crossScene, !unseen.isEmpty { throw ValidationError("--unseen cannot be used with --cross-scene (no final models are trained)") }
        if crossScene, let refit {
            throw ValidationError("--\(refit ? "" : "no-")refit cannot be used with --cross-scene (no final models are trained)")
        }
        for text in unseen { _ = try ETHUCYBenchmark.UnseenSet(parsing: text) }
        if let twice = unseen.first(where: { text in unseen.filter { $0 == text }.count > 1 }) {
            throw ValidationError("--unseen \(twice) is given twice")
        }
    }

    func run() throws {
        var benchmark = ETHUCYBenchmark(data: data)
        benchmark.seeds = try parseSeeds(seeds)
        benchmark.scenes = scenes.split(separator: ",").map(String.init)
        benchmark.families = models.map { $0.split(separator: ",").filter { !$0.isEmpty }.map(String.init) } ?? [model.model]
        (benchmark.options, benchmark.epochs, benchmark.refit, benchmark.reverse) = (model.options, epochs, refit ?? true, reverse)
        (benchmark.averaging, benchmark.learningRate, benchmark.workers) = (ema, lr, jobs)
        (benchmark.weightDecay, benchmark.crossScene, benchmark.mirror) = (weightDecay, crossScene, mirror)
        benchmark.unseen = try unseen.map { try ETHUCYBenchmark.UnseenSet(parsing: $0) }
        // stdout holds the table alone (`> table.md`); the trainings' lines go to stderr.
        let training = TrainingOutput(style: .plain, onStandardError: true)
        Interrupt.install()
        let markdown = try runInterruptible { try benchmark.run(try store.open(), shouldStop: { Interrupt.requested }) { event in
            switch event {
            case .imported: break
            case let .stage(title):
                fflush(nil)
                printError("\n== \(title)")
            case let .started(session): training.started(session)
            case let .training(event): training.event(event)
            case let .trained(summary, run): training.trained(summary, run: "\(run.id) (\(run.name))")
            }
        } }
        fflush(nil)
        print(markdown)
        if let out { try markdown.write(toPath: out) }
    }
}
