// `trajpred train`: a CVAE on selections of the store, every epoch and checkpoint kept in it.
// Ctrl-C saves and exits 130; --resume continues a run as if it had never stopped.
#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Foundation
import NNCore
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

extension PastEncoder: ExpressibleByArgument {}

enum ProgressStyle: String, ExpressibleByArgument, CaseIterable {
    /// A live line with ETA on a terminal, plain lines otherwise.
    case auto
    case plain
    case jsonl
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a CVAE on windows of the store: --train zara1/train --val zara1/val.",
        discussion: """
            Selections are DATASET, DATASET/SPLIT or DATASET/SPLIT/SCENE; give several by repeating the \
            option. Each epoch prints the loss, its reconstruction and KL parts, and the validation \
            minADE/minFDE@20; the best epoch by validation minADE is kept as the run's 'best' checkpoint. \
            Ctrl-C saves a checkpoint and exits 130; continue with --resume RUN.
            """
    )

    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("train"), help: "Training data selection (repeatable).") var trainSelections: [String] = []
    @Option(name: .customLong("val"), help: "Validation data selection (repeatable).") var validationSelections: [String] = []
    @Option(help: "Past encoder: mlp or gru.") var encoder: PastEncoder = .mlp
    @Option(help: "Epochs.") var epochs: Int = 50
    @Option(help: "Windows per batch.") var batch: Int = 256
    @Option(help: "Adam's learning rate.") var lr: Float = 1e-3
    @Option(help: "Weight of KL(q‖p) in the loss; 1 collapses the posterior on ETH/UCY.") var beta: Float = 0.01
    @Option(help: "Epochs over which beta grows linearly to its value (0: none).") var betaWarmup: Int = 0
    @Option(help: "Hidden width H.") var hidden: Int = 128
    @Option(help: "Latent size Z.") var latent: Int = 16
    @Flag(help: "Do not rotate training windows at random.") var noRotate = false
    @Flag(help: "Also mirror training windows at random (y → −y, half of them, every epoch).") var mirror = false
    @Option(help: "The seed of every random choice.") var seed: UInt64 = 0
    @Option(help: "A unique name for the run (default train-ID).") var name: String?
    @Option(help: "Continue an interrupted run (its id or name); the other options come from the run.")
    var resume: String?
    @Option(help: "Progress: auto, plain or jsonl.") var progress: ProgressStyle = .auto

    func validate() throws {
        if resume == nil {
            guard !trainSelections.isEmpty else { throw ValidationError("give the training data: --train DATASET[/SPLIT[/SCENE]]") }
            guard !validationSelections.isEmpty else { throw ValidationError("give the validation data: --val DATASET[/SPLIT[/SCENE]]") }
        }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number") }
        guard beta >= 0, beta.isFinite else { throw ValidationError("--beta must be 0 or more") }
        guard hidden >= 1, latent >= 1 else { throw ValidationError("--hidden and --latent must be at least 1") }
    }

    /// What a run stores as its configuration: the selections and every training setting.
    struct Job: Codable {
        var train: [String]
        var val: [String]
        var settings: TrainingSettings

        /// Flat JSON: the settings' keys beside "train" and "val".
        func json() throws -> String {
            var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(settings)) as! [String: Any]
            object["train"] = train
            object["val"] = val
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }

        init(train: [String], val: [String], settings: TrainingSettings) {
            (self.train, self.val, self.settings) = (train, val, settings)
        }

        init(json: String) throws {
            let data = Data(json.utf8)
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            train = object["train"] as? [String] ?? []
            val = object["val"] as? [String] ?? []
            settings = try JSONDecoder().decode(TrainingSettings.self, from: data)
        }
    }

    func run() throws {
        let store = try store.openExisting()
        var resumed: RunRecord?
        let job: Job
        var state: TrainerState?
        // A run is trained by one process at a time: this one holds its lock until it exits.
        let locks = try RunLocks(database: store.path)
        if let resume {
            let run = try store.run(named: resume)
            resumed = run
            guard try locks.acquire(run: run.id) else {
                throw ValidationError("run \(run.name) is being trained right now by process \(locks.holder(run: run.id).map(String.init) ?? "?"); "
                    + "wait for it to end, or stop it (Ctrl-C) and resume it then")
            }
            guard run.kind == "train" else { throw ValidationError("run \(run.name) is a \(run.kind) run, not a training") }
            guard run.status != "completed" else { throw ValidationError("run \(run.name) is already completed") }
            job = try Job(json: run.config)
            // A run killed before its first checkpoint starts over: with the same seed it is the same run.
            if let checkpoint = try store.checkpointIfSaved(run: run.id, label: .last) {
                state = TrainerState(counters: try JSONDecoder().decode(TrainerCounters.self, from: Data(checkpoint.state.utf8)),
                                     tensors: checkpoint.tensors)
            } else {
                printError("run \(run.name) has no checkpoint yet: starting it over")
            }
        } else {
            var settings = TrainingSettings()
            settings.model = CVAEConfiguration(encoder: encoder, hidden: hidden, latent: latent)
            (settings.epochs, settings.batch, settings.learningRate) = (epochs, batch, lr)
            (settings.beta, settings.betaWarmupEpochs, settings.seed, settings.rotate) = (beta, betaWarmup, seed, !noRotate)
            settings.mirror = mirror
            job = Job(train: trainSelections, val: validationSelections, settings: settings)
        }
        let settings = job.settings
        let train = try loadWindows(store, selections: job.train, observed: settings.model.observed,
                                    predicted: settings.model.predicted)
        let validation = try loadWindows(store, selections: job.val, observed: settings.model.observed,
                                         predicted: settings.model.predicted)
        // Every check happens before the run exists: a refused training leaves no trace.
        let trainer = try state.map {
            try Trainer(settings: settings, train: train.windows, validation: validation.windows, resuming: $0)
        } ?? Trainer(settings: settings, train: train.windows, validation: validation.windows)
        let current = try resumed ?? store.createRun(name: name, kind: "train", config: try job.json())
        if resumed != nil {
            try store.setStatus(run: current.id, "running")
        } else {
            // Nobody else can know the new id yet, but a --resume of it may start any moment now.
            _ = try locks.acquire(run: current.id)
        }
        print("run \(current.id) (\(current.name)): \(train.windows.count) training windows from \(train.scenes.count) "
            + "scenes, \(validation.windows.count) validation windows; \(settings.model.encoder.rawValue) encoder, "
            + "H \(settings.model.hidden), Z \(settings.model.latent), β \(settings.beta), \(settings.epochs) epochs"
            + (state != nil ? ", resuming at epoch \(trainer.counters.epoch + 1) step \(trainer.counters.step)" : ""))
        let display = ProgressDisplay(style: progress, epochs: settings.epochs)
        Interrupt.install()
        var warnedCollapse = false
        var storeError: Error?
        let outcome: Trainer.Outcome
        do {
            outcome = try trainer.run(shouldStop: { Interrupt.requested || storeError != nil }, progress: { event in
                switch event {
                case let .step(epoch, step, of, loss):
                    display.step(epoch: epoch, step: step, of: of, loss: loss)
                case let .epoch(report, state):
                    do {
                        let saved = try checkpointRecords(report: report, state: state)
                        try store.recordEpoch(run: current.id, EpochRecord(
                            epoch: report.epoch, loss: report.loss, reconstruction: report.reconstruction, kl: report.kl,
                            beta: Double(report.beta), learningRate: Double(report.learningRate),
                            validationMinADE: report.validationMinADE, validationMinFDE: report.validationMinFDE,
                            seconds: report.seconds), checkpoints: saved)
                    } catch {
                        storeError = error
                    }
                    display.epoch(report)
                    if report.epoch >= 3, report.kl < 0.01, !warnedCollapse {
                        warnedCollapse = true
                        printError("warning: KL(q‖p) is \(String(format: "%.4f", report.kl)): the posterior is collapsing "
                            + "onto the prior and the model will predict one averaged future; lower --beta (e.g. 0.01)")
                    }
                }
            })
        } catch {
            display.finish()
            try store.setStatus(run: current.id, "failed", error: error.description)
            throw error
        }
        display.finish()
        if let storeError {
            try? store.setStatus(run: current.id, "failed", error: "\(storeError)")
            throw storeError
        }
        switch outcome {
        case .stopped:
            let state = trainer.state()
            try store.saveCheckpoint(run: current.id, CheckpointRecord(
                label: .last, epoch: state.counters.epoch, step: state.counters.step, validationMinADE: nil,
                state: try encodeCounters(state.counters), tensors: state.tensors))
            try store.setStatus(run: current.id, "interrupted")
            printError("interrupted at epoch \(state.counters.epoch + 1), step \(state.counters.step): checkpoint saved; "
                + "continue with: trajpred train --resume \(current.name)")
            throw ExitCode(130)
        case .completed:
            try store.setStatus(run: current.id, "completed")
            let best = trainer.counters
            let all = Array(0..<validation.windows.count)[...]
            let baseline = Metrics.average(Metrics.minDisplacements(
                samples: ConstantVelocity.predict(validation.windows, all), k: 1, windows: validation.windows, indices: all))
            print("done: best epoch \(best.bestEpoch ?? 0), validation minADE@\(settings.validationSamples) "
                + String(format: "%.3f m", best.bestMinADE ?? .nan)
                + String(format: " (constant velocity: minADE %.3f m, minFDE %.3f m)", baseline.ade, baseline.fde)
                + "; run \(current.id) (\(current.name))")
        }
    }

    /// 'last' always; 'best' too when this epoch is the best so far.
    func checkpointRecords(report: EpochReport, state: TrainerState) throws -> [CheckpointRecord] {
        let counters = try encodeCounters(state.counters)
        let last = CheckpointRecord(label: .last, epoch: state.counters.epoch, step: state.counters.step,
                                    validationMinADE: report.validationMinADE, state: counters, tensors: state.tensors)
        guard report.isBest else { return [last] }
        var best = last
        best.label = .best
        best.tensors = state.tensors.filter { !$0.name.hasPrefix("adam.") }
        return [last, best]
    }

    func encodeCounters(_ counters: TrainerCounters) throws -> String {
        String(decoding: try JSONEncoder().encode(counters), as: UTF8.self)
    }
}
