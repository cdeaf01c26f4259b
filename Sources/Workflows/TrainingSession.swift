// A training run from start to end: the run's row, its lock (one process per run), the trainer,
// an epoch row and checkpoints per epoch (best by validation minADE), the status as the run ends,
// and --resume from the last checkpoint. The caller says when to stop (Ctrl-C) and shows progress.
import Foundation
import NNCore
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

/// What a session reports as it trains.
public enum TrainingSessionEvent {
    case step(epoch: Int, step: Int, of: Int, loss: Double)
    case epoch(EpochReport)
    /// Something the user should know and act on (a collapsing KL).
    case warning(String)
}

/// How a session ended.
public enum TrainingSessionOutcome: Equatable {
    case completed(TrainingSummary)
    /// Stopped on request; a checkpoint was saved at (epoch, step): `--resume` continues there.
    case interrupted(epoch: Int, step: Int)
}

/// The end of a completed training, with the constant-velocity baseline on the same validation windows.
public struct TrainingSummary: Equatable, Sendable {
    public var bestEpoch: Int?
    public var bestMinADE: Double?
    public var validationSamples: Int
    public var constantVelocity: (ade: Double, fde: Double)

    public static func == (a: TrainingSummary, b: TrainingSummary) -> Bool {
        a.bestEpoch == b.bestEpoch && a.bestMinADE == b.bestMinADE && a.validationSamples == b.validationSamples
            && a.constantVelocity == b.constantVelocity
    }
}

public final class TrainingSession {
    public let store: Store
    public private(set) var run: RunRecord
    public let configuration: TrainingRunConfiguration
    public let train: SceneWindows
    public let validation: SceneWindows
    /// Where a resumed run continues: (epochs completed, steps into the next).
    public let resumedAt: (epoch: Int, step: Int)?
    let trainer: any TrainingLoop
    /// Steps (batches) in an epoch of this run.
    public var stepsPerEpoch: Int { trainer.stepsPerEpoch }
    /// The run's lock: held from `start`/`resume` until `run` returns (or this object goes); the
    /// kernel releases it however the process ends.
    let locks: RunLocks
    private var holdsLock: Bool

    deinit { if holdsLock { locks.release(run: run.id) } }

    init(store: Store, run: RunRecord, configuration: TrainingRunConfiguration, train: SceneWindows,
         validation: SceneWindows, trainer: any TrainingLoop, locks: RunLocks, holdsLock: Bool, resumedAt: (Int, Int)?) {
        self.store = store
        self.run = run
        self.configuration = configuration
        self.train = train
        self.validation = validation
        self.trainer = trainer
        self.locks = locks
        self.holdsLock = holdsLock
        self.resumedAt = resumedAt
    }

    /// A new run of `configuration`. Every check (data, settings) happens before the run's row
    /// exists: a refused training leaves no trace.
    public static func start(_ store: Store, configuration: TrainingRunConfiguration, name: String?) throws
        -> TrainingSession
    {
        if let name {
            if name.isEmpty { throw WorkflowError.invalidRunName(name: name, reason: "is empty: give a name, or none") }
            if Int64(name) != nil {
                throw WorkflowError.invalidRunName(name: name, reason: "is a number, which --run and --resume read as a run id; "
                    + "choose a name with a letter in it")
            }
        }
        let locks = try RunLocks.of(database: store.path)
        let (train, validation, timeStep) = try windows(store, configuration)
        let trainer = try makeTrainer(configuration, train: train.windows, validation: validation.windows, resuming: nil)
        // The run keeps the epochs it trains (more than asked when `minimumSteps` needs them).
        var configuration = configuration
        configuration.training = trainer.settings
        configuration.timeStep = timeStep
        let run = try store.createRun(name: name, kind: .train, config: try configuration.json())
        // Nobody else can know the new id yet, but a --resume of it may start any moment now.
        let holds = try locks.acquire(run: run.id)
        return TrainingSession(store: store, run: run, configuration: configuration, train: train,
                               validation: validation, trainer: trainer, locks: locks, holdsLock: holds, resumedAt: nil)
    }

    /// Continues the run called `reference` from its last checkpoint, with its stored configuration.
    /// A run killed before its first checkpoint starts over (`notice` says so): with the same seed
    /// it is the same run.
    public static func resume(_ store: Store, run reference: String, notice: (String) -> Void = { _ in }) throws
        -> TrainingSession
    {
        let locks = try RunLocks.of(database: store.path)
        var run = try store.run(named: reference)
        guard try locks.acquire(run: run.id) else { throw WorkflowError.runBusy(run: run.name, pid: locks.holder(run: run.id)) }
        // A resume refused from here on lets the run go again.
        var resumed = false
        defer { if !resumed { locks.release(run: run.id) } }
        guard run.kind == .train else { throw WorkflowError.notATrainingRun(run: run.name, kind: run.kind) }
        guard run.status != .completed else { throw WorkflowError.alreadyCompleted(run: run.name) }
        let configuration = try TrainingRunConfiguration(json: run.config)
        var state: TrainerState?
        if let checkpoint = try store.checkpointIfSaved(run: run.id, label: .last) {
            state = TrainerState(counters: try JSONDecoder().decode(TrainerCounters.self, from: Data(checkpoint.state.utf8)),
                                 tensors: checkpoint.tensors)
        } else {
            notice("run \(run.name) has no checkpoint yet: starting it over")
        }
        let (train, validation, _) = try windows(store, configuration)
        if let counters = state?.counters {
            for (what, before, now) in [("training", counters.trainingWindows, train.windows.count),
                                        ("validation", counters.validationWindows, validation.windows.count)]
            where before.map({ $0 != now }) ?? false {
                throw WorkflowError.trainingDataChanged(run: run.name, what: what, before: before!, now: now)
            }
            for (what, before, windows) in [("training", counters.trainingDigest, train.windows),
                                            ("validation", counters.validationDigest, validation.windows)]
            where before.map({ $0 != windows.contentDigest() }) ?? false {
                throw WorkflowError.trainingDataEdited(run: run.name, what: what)
            }
        }
        let trainer = try makeTrainer(configuration, train: train.windows, validation: validation.windows, resuming: state)
        try store.setStatus(run: run.id, .running)
        run.status = .running
        resumed = true
        return TrainingSession(store: store, run: run, configuration: configuration, train: train,
                               validation: validation, trainer: trainer, locks: locks, holdsLock: true,
                               resumedAt: state.map { ($0.counters.epoch, $0.counters.step) })
    }

    /// The training and validation windows, whose scenes must share one step, and that step in seconds
    /// (nil without scenes): a model learns steps of one length (0.2 s and 0.4 s scenes together trained
    /// on both paces with no word).
    static func windows(_ store: Store, _ configuration: TrainingRunConfiguration) throws
        -> (SceneWindows, SceneWindows, timeStep: Double?)
    {
        let model = configuration.model
        let train = try SceneWindows.loadForTraining(store, selections: configuration.train, observed: model.observed,
                                                     predicted: model.predicted)
        let validation = try SceneWindows.load(store, selections: configuration.val, observed: model.observed,
                                               predicted: model.predicted)
        let scenes = train.scenes + validation.scenes
        let steps = TrainedModel.timeSteps(of: scenes)
        guard steps.count <= 1 else {
            let named = steps.map { step in
                let scene = scenes.first { abs($0.timeStep - step) <= 1e-9 * step }!
                return "\(formatted(step)) s (\(scene.path))"
            }
            throw WorkflowError.invalidInput(field: "--train", reason: "the scenes of --train and --val have steps of "
                + named.joined(separator: " and ") + ": a model learns steps of one length; import them onto one "
                + "step (import FILE --replace --resample SECONDS)")
        }
        return (train, validation, steps.first)
    }

    /// A trainer for the configuration's family.
    static func makeTrainer(_ configuration: TrainingRunConfiguration, train: WindowSet, validation: WindowSet,
                            resuming state: TrainerState?) throws -> any TrainingLoop {
        func make<M: ForecastModel>(_ type: M.Type) throws -> any TrainingLoop {
            let model = try configuration.modelConfiguration(of: M.self)
            if let state {
                return try Trainer<M>(model, settings: configuration.training, train: train, validation: validation,
                                      resuming: state)
            }
            return try Trainer<M>(model, settings: configuration.training, train: train, validation: validation)
        }
        return try make(try ModelRegistry.family(named: configuration.family))
    }

    /// Trains to the end, or until `shouldStop()` (checked after every step) says so; then saves a
    /// checkpoint and marks the run interrupted. A failure marks the run failed with its message
    /// and is rethrown; the last good checkpoint stays. However it ends, the run's lock is let go
    /// (a resume may take it); a second call takes it again.
    public func run(shouldStop: @escaping () -> Bool = { false }, progress: (TrainingSessionEvent) -> Void = { _ in })
        throws -> TrainingSessionOutcome
    {
        if !holdsLock {
            guard try locks.acquire(run: run.id) else {
                throw WorkflowError.runBusy(run: run.name, pid: locks.holder(run: run.id))
            }
            holdsLock = true
        }
        defer {
            locks.release(run: run.id)
            holdsLock = false
        }
        var warnedCollapse = false
        var storeError: Error?
        let outcome: TrainingOutcome
        do {
            outcome = try trainer.run(shouldStop: { shouldStop() || storeError != nil }, progress: { event in
                switch event {
                case let .step(epoch, step, of, loss):
                    progress(.step(epoch: epoch, step: step, of: of, loss: loss))
                case let .epoch(report, state):
                    do {
                        try store.recordEpoch(run: run.id, EpochRecord(
                            epoch: report.epoch, loss: report.loss, reconstruction: report.reconstruction, kl: report.kl,
                            beta: Double(report.beta), learningRate: Double(report.learningRate),
                            validationMinADE: report.validationMinADE, validationMinFDE: report.validationMinFDE,
                            seconds: report.seconds), checkpoints: try checkpoints(report: report, state: state))
                    } catch {
                        storeError = error
                    }
                    progress(.epoch(report))
                    // A KL weight > 0 that has pushed the KL to nothing: the posterior collapsed.
                    if report.epoch >= 3, report.beta > 0, report.kl < 0.01, !warnedCollapse {
                        warnedCollapse = true
                        progress(.warning("KL(q‖p) is \(String(format: "%.4f", report.kl)): the posterior is collapsing "
                            + "onto the prior and the model will predict one averaged future; lower --beta (e.g. 0.01)"))
                    }
                }
            })
        } catch {
            try store.setStatus(run: run.id, .failed, error: "\(error)")
            throw error
        }
        if let storeError {
            try? store.setStatus(run: run.id, .failed, error: "\(storeError)")
            throw storeError
        }
        switch outcome {
        case .stopped:
            let state = trainer.state()
            try store.saveCheckpoint(run: run.id, CheckpointRecord(
                label: .last, epoch: state.counters.epoch, step: state.counters.step, validationMinADE: nil,
                state: try encode(state.counters), tensors: state.tensors))
            try store.setStatus(run: run.id, .interrupted)
            return .interrupted(epoch: state.counters.epoch, step: state.counters.step)
        case .completed:
            try store.setStatus(run: run.id, .completed)
            let windows = validation.windows, all = Array(0..<windows.count)[...]
            let baseline = Metrics.average(Metrics.minDisplacements(samples: ConstantVelocity.predict(windows, all),
                                                                    windows: windows, indices: all))
            return .completed(TrainingSummary(bestEpoch: trainer.counters.bestEpoch, bestMinADE: trainer.counters.bestMinADE,
                                              validationSamples: configuration.training.validationSamples,
                                              constantVelocity: baseline))
        }
    }

    /// Trains to the end and returns the summary; stopped on request, it throws
    /// `WorkflowError.interrupted` (the checkpoint is saved), for workflows that train on the way.
    public func runToEnd(shouldStop: @escaping () -> Bool, progress: (TrainingSessionEvent) -> Void) throws
        -> TrainingSummary
    {
        switch try run(shouldStop: shouldStop, progress: progress) {
        case let .completed(summary): return summary
        case let .interrupted(epoch, step):
            throw WorkflowError.interrupted(run: run.name, epoch: epoch, step: step, database: store.path)
        }
    }

    /// 'last' always; 'best' too, without the optimiser's moments, when this epoch is the best so far.
    func checkpoints(report: EpochReport, state: TrainerState) throws -> [CheckpointRecord] {
        let counters = try encode(state.counters)
        let last = CheckpointRecord(label: .last, epoch: state.counters.epoch, step: state.counters.step,
                                    validationMinADE: report.validationMinADE, state: counters, tensors: state.tensors)
        guard report.isBest else { return [last] }
        var best = last
        best.label = .best
        best.tensors = state.tensors.withoutMoments
        return [last, best]
    }

    func encode(_ counters: TrainerCounters) throws -> String {
        String(decoding: try JSONEncoder().encode(counters), as: UTF8.self)
    }
}
