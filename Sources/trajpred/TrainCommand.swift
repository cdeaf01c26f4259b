// `trajpred train`: a model on selections of the store, every epoch and checkpoint kept in it.
// Ctrl-C saves and exits 130; --resume continues a run as if it had never stopped.
import ArgumentParser
import Foundation
import TrajectoryModel
import Workflows

enum ProgressStyle: String, ExpressibleByArgument, CaseIterable {
    /// A live line with ETA on a terminal, plain lines otherwise.
    case auto
    case plain
    case jsonl
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on windows of the store: --train zara1/train --val zara1/val.",
        discussion: """
            Selections are DATASET, DATASET/SPLIT or DATASET/SPLIT/SCENE; give several by repeating the \
            option. Each epoch prints the loss (for the CVAEs its reconstruction and KL parts and β), the \
            learning rate, and the validation minADE/minFDE@20; the best epoch by validation minADE is kept as the run's 'best' checkpoint. \
            Ctrl-C saves a checkpoint and exits 130; continue with --resume RUN.
            """
    )

    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("train"), help: "Training data selection (repeatable; required unless --resume).")
    var trainSelections: [String] = []
    @Option(name: .customLong("val"), help: "Validation data selection (repeatable; required unless --resume).")
    var validationSelections: [String] = []
    @OptionGroup var model: ModelOptionGroup
    @OptionGroup var training: TrainingOptionGroup
    @Option(parsing: .unconditional, help: "The seed of every random choice.") var seed: UInt64 = 0
    @Option(help: "A unique name for the run (default train-ID).") var name: String?
    @Option(help: "Continue an interrupted run (its id or name); the other options come from the run.")
    var resume: String?
    @Option(help: "Progress: auto, plain or jsonl.") var progress: ProgressStyle = .auto

    func validate() throws {
        if resume != nil {
            // A resumed run trains on with the settings it was started with: an option that would
            // change them is refused, not silently dropped.
            let given = CommandLine.arguments.dropFirst().filter { $0.hasPrefix("-") && $0 != "-" }
                .map { String($0.split(separator: "=", maxSplits: 1)[0]) }
            if let other = given.first(where: { !["--resume", "--db", "--progress", "-h", "--help"].contains($0) }) {
                throw ValidationError("\(other) cannot be given with --resume: a run goes on with the settings it started "
                    + "with (start a new run to change them)")
            }
        }
        if resume == nil {
            guard !trainSelections.isEmpty else { throw ValidationError("give the training data: --train DATASET[/SPLIT[/SCENE]]") }
            guard !validationSelections.isEmpty else { throw ValidationError("give the validation data: --val DATASET[/SPLIT[/SCENE]]") }
        }
        if resume == nil { try model.check() }
    }

    func run() throws {
        let database = try store.openExisting()
        let session: TrainingSession
        if let resume {
            session = try TrainingSession.resume(database, run: resume, notice: printError)
        } else {
            var settings = try training.settings(family: model.model)
            settings.seed = seed
            let configuration = try TrainingRunConfiguration(family: model.model, options: model.options, training: settings,
                                                             train: trainSelections, val: validationSelections)
            session = try TrainingSession.start(database, configuration: configuration, name: name)
        }
        Interrupt.install()
        try runInterruptible { try TrainingOutput(style: progress).train(session, shouldStop: { Interrupt.requested }) }
    }
}
