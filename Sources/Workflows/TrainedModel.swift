// A trained model back from the store: its run, the run's configuration, and a checkpoint's
// parameters in a model of the run's family.
import NNCore
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

public struct TrainedModel: Sendable {
    public let run: RunRecord
    public let configuration: TrainingRunConfiguration
    public let model: any ForecastModel
    /// Epochs completed when the checkpoint was saved.
    public let checkpointEpoch: Int
    /// The checkpoint loaded ('best' or 'last').
    public let checkpoint: CheckpointRecord.Label

    public var observed: Int { configuration.model.observed }
    public var predicted: Int { configuration.model.predicted }

    /// The checkpoint `label` of the training run called `reference` (its name or id); nil: 'best',
    /// or 'last' for a run trained without validation (no val data, or a benchmark's refit), which
    /// never has a best epoch.
    public static func load(_ store: Store, run reference: String, checkpoint label: CheckpointRecord.Label?) throws
        -> TrainedModel
    {
        let run = try store.run(named: reference)
        guard run.kind == .train else { throw WorkflowError.notATrainingRun(run: run.name, kind: run.kind) }
        let configuration = try TrainingRunConfiguration(json: run.config)
        let validated = !configuration.val.isEmpty && configuration.training.validationSamples > 0
        let resolved = label ?? (validated ? .best : .last)
        guard let checkpoint = try store.checkpointIfSaved(run: run.id, label: resolved) else {
            if resolved == .best, !validated { throw WorkflowError.notValidated(run: run.name) }
            // A run that failed before any epoch finished has neither checkpoint, and a resume repeats
            // its settings: only a new run helps.
            if run.status == .failed, try store.checkpointIfSaved(run: run.id, label: .last) == nil {
                throw WorkflowError.failedWithoutCheckpoint(run: run.name)
            }
            throw WorkflowError.noCheckpoint(run: run.name, label: resolved.rawValue)
        }
        // Weights that are not numbers (a tensor edited or damaged in the store) would give futures that
        // are not either, and metrics of inf: refused here, for every command that reads a model.
        for tensor in checkpoint.tensors.parameters {
            let bad = tensor.values.lazy.filter { !$0.isFinite }.count
            guard bad == 0 else {
                throw WorkflowError.damagedWeights(run: run.name, checkpoint: resolved.rawValue, tensor: tensor.name, count: bad)
            }
        }
        let model = try makeModel(try ModelRegistry.family(named: configuration.family), configuration,
                                  parameters: checkpoint.tensors.parameters)
        return TrainedModel(run: run, configuration: configuration, model: model, checkpointEpoch: checkpoint.epoch,
                            checkpoint: resolved)
    }

    /// A model of family `type` with `configuration`, its parameters set from `parameters`.
    static func makeModel<M: ForecastModel>(_ type: M.Type, _ configuration: TrainingRunConfiguration,
                                            parameters: [NamedTensor]) throws -> any ForecastModel {
        var rng = Xoshiro256(seed: 0)
        var model = M(try configuration.modelConfiguration(of: M.self), using: &rng)
        try model.load(parameters)
        return model
    }

    /// The seconds per step the model was trained on: kept in its configuration when it started; for a run
    /// stored before that, those of its training scenes still in the store, each once.
    public func trainingTimeSteps(_ store: Store) -> [Double] {
        if let step = configuration.timeStep { return [step] }
        return TrainedModel.timeSteps(of: configuration.train.flatMap { (try? store.scenes(selection: $0)) ?? [] })
    }

    /// The distinct seconds per step of `scenes` (equal within 10⁻⁹ of each other), in order of appearance.
    static func timeSteps(of scenes: [SceneReference]) -> [Double] {
        var found: [Double] = []
        for scene in scenes where !found.contains(where: { abs($0 - scene.timeStep) <= 1e-9 * $0 }) {
            found.append(scene.timeStep)
        }
        return found
    }

    /// Refuses scenes whose seconds per step are not those the model was trained on: it would predict
    /// their futures at the wrong pace (a 0.4 s model's 12 steps read as 0.2 s steps), with no word.
    public func checkTimeStep(of scenes: [SceneReference], store: Store) throws {
        let trained = trainingTimeSteps(store)
        guard trained.count == 1, let model = trained.first else { return }
        if let other = scenes.first(where: { abs($0.timeStep - model) > 1e-9 * model }) {
            throw WorkflowError.invalidInput(field: "--data", reason: "\(other.displayName) has steps of "
                + "\(formatted(other.timeStep)) s, but run \(run.name) was trained on steps of \(formatted(model)) s: import "
                + "it onto the model's step (import FILE --replace --resample \(formatted(model)))")
        }
    }

    /// Refuses a k above the futures the model makes.
    public func check(k: Int) throws {
        if let maximum = model.maximumFutures, k > maximum.k {
            throw WorkflowError.tooManyFutures(k: k, maximum: maximum.k, family: configuration.family, option: maximum.option)
        }
        // A sampler draws any number; a million futures per window is only an allocation that fails.
        guard k <= Self.futureLimit else {
            throw WorkflowError.invalidInput(field: "--k", reason: "must be at most \(Self.futureLimit)")
        }
    }

    /// The most futures per window any command asks of a model without a limit of its own (`stream`
    /// and `serve` too: `OnlinePredictor.maximumK`).
    public static let futureLimit = 1000

    /// k futures for windows `indices`, from a generator seeded with `seed`.
    public func sample(_ windows: WindowSet, _ indices: ArraySlice<Int>, k: Int, seed: UInt64) -> Samples {
        var rng = Xoshiro256(seed: seed)
        return model.sample(windows, indices, k: k, using: &rng)
    }
}
