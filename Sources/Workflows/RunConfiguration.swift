// What runs store as their configuration (run.config, JSON), as typed values: a training run's
// model family, the model's own configuration and the training settings; a prediction's and an
// evaluation's data, k, seed and checkpoint. Encoded with JSONEncoder, keys sorted.
import Foundation
import TrajectoryModel
import TrajectoryStore

/// A training run: `{"family": "cvae", "model": {…}, "epochs": 50, …, "train": […], "val": […]}`
/// (the training settings' keys at the top level, as runs have always stored them).
public struct TrainingRunConfiguration: Sendable {
    public var family: String
    public var model: any ModelConfiguration
    public var training: TrainingSettings
    /// Selections DATASET[/SPLIT[/SCENE]] of the training and validation data.
    public var train: [String]
    public var val: [String]
    /// Seconds per step of that data when the run started (nil in runs stored before it was kept):
    /// the pace of the model's futures, whatever happens to the scenes later.
    public var timeStep: Double?

    public init(model: any ModelConfiguration, family: String, training: TrainingSettings, train: [String], val: [String]) {
        self.family = family
        self.model = model
        self.training = training
        self.train = train
        self.val = val
    }

    /// The configuration of a model of family `family` from command-line options.
    public init(family: String, options: ModelOptions, training: TrainingSettings, train: [String], val: [String])
        throws(ModelError)
    {
        let type = try ModelRegistry.family(named: family)
        self.init(model: try Self.configuration(type, options: options), family: family, training: training,
                  train: train, val: val)
    }

    /// How family `family` trains unless told otherwise.
    public static func defaultTraining(family: String) throws -> TrainingSettings {
        func defaults<M: ForecastModel>(_ type: M.Type) -> TrainingSettings { M.Configuration.defaultTraining }
        return defaults(try ModelRegistry.family(named: family))
    }

    /// The model's configuration as family `M`'s own type.
    func modelConfiguration<M: ForecastModel>(of type: M.Type) throws -> M.Configuration {
        guard let configuration = model as? M.Configuration else {
            throw ModelError.invalidConfiguration(family: M.family, reason: "configuration of another family")
        }
        return configuration
    }

    static func configuration<M: ForecastModel>(_ type: M.Type, options: ModelOptions) throws(ModelError)
        -> any ModelConfiguration
    {
        try M.Configuration(options: options)
    }

    enum CodingKeys: String, CodingKey { case family, model, train, val, timeStep }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(Stored(self)), as: UTF8.self)
    }

    /// Reads a stored configuration. Runs stored before model families existed are CVAE runs with β
    /// (and its warm-up) at the top level; they are read as such.
    public init(json: String) throws {
        self = try JSONDecoder().decode(Stored.self, from: Data(json.utf8)).configuration
    }

    /// The keys a configuration had before model families: β and its warm-up beside the settings.
    enum LegacyKeys: String, CodingKey { case beta, betaWarmupEpochs }

    /// The Codable form (the model's configuration is encoded by its own type, chosen by family).
    struct Stored: Codable {
        var configuration: TrainingRunConfiguration

        init(_ configuration: TrainingRunConfiguration) { self.configuration = configuration }

        func encode(to encoder: Encoder) throws {
            try configuration.training.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(configuration.family, forKey: .family)
            try configuration.model.encode(to: c.superEncoder(forKey: .model))
            try c.encode(configuration.train, forKey: .train)
            try c.encode(configuration.val, forKey: .val)
            try c.encodeIfPresent(configuration.timeStep, forKey: .timeStep)
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let family = try c.decodeIfPresent(String.self, forKey: .family) ?? TrajectoryCVAE.family
            let type = try ModelRegistry.family(named: family)
            func decode<M: ForecastModel>(_ type: M.Type) throws -> any ModelConfiguration {
                try M.Configuration(from: c.superDecoder(forKey: .model))
            }
            var model = try decode(type)
            if !c.contains(.family), var cvae = model as? CVAEConfiguration {
                let legacy = try decoder.container(keyedBy: LegacyKeys.self)
                cvae.beta = try legacy.decodeIfPresent(Float.self, forKey: .beta) ?? cvae.beta
                cvae.betaWarmupEpochs = try legacy.decodeIfPresent(Int.self, forKey: .betaWarmupEpochs) ?? cvae.betaWarmupEpochs
                model = cvae
            }
            configuration = TrainingRunConfiguration(
                model: model, family: family, training: try TrainingSettings(from: decoder),
                train: try c.decode([String].self, forKey: .train), val: try c.decode([String].self, forKey: .val))
            configuration.timeStep = try c.decodeIfPresent(Double.self, forKey: .timeStep)
        }
    }
}

/// A prediction run (`sample --store`).
public struct PredictionRunConfiguration: Codable, Sendable, Equatable {
    public var data: String
    public var k: Int
    public var seed: UInt64
    public var checkpoint: String

    public init(data: String, k: Int, seed: UInt64, checkpoint: CheckpointRecord.Label) {
        (self.data, self.k, self.seed, self.checkpoint) = (data, k, seed, checkpoint.rawValue)
    }
}

/// An evaluation run (`eval`, and each held-out scene of `benchmark`).
public struct EvaluationRunConfiguration: Codable, Sendable, Equatable {
    /// The selections as one name: one, or several joined by ", " (for reading, not for parsing).
    public var data: String
    /// The selections evaluated together, each as given (a scene name may hold ", "). Evaluations
    /// stored before it existed read one, `data`.
    public var selections: [String]
    public var k: Int
    public var seed: UInt64
    public var checkpoint: String
    public var headingNoiseDegrees: Float
    /// The benchmark the evaluation belongs to ("ethucy"), if any.
    public var benchmark: String?

    enum CodingKeys: String, CodingKey {
        case data, selections, k, seed, checkpoint, benchmark
        case headingNoiseDegrees = "heading_noise_degrees"
    }

    public init(selections: [String], k: Int, seed: UInt64, checkpoint: CheckpointRecord.Label,
                headingNoiseDegrees: Float, benchmark: String? = nil) {
        (self.data, self.selections) = (selections.joined(separator: ", "), selections)
        (self.k, self.seed, self.checkpoint) = (k, seed, checkpoint.rawValue)
        (self.headingNoiseDegrees, self.benchmark) = (headingNoiseDegrees, benchmark)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        data = try c.decode(String.self, forKey: .data)
        selections = try c.decodeIfPresent([String].self, forKey: .selections) ?? [data]
        (k, seed) = (try c.decode(Int.self, forKey: .k), try c.decode(UInt64.self, forKey: .seed))
        checkpoint = try c.decode(String.self, forKey: .checkpoint)
        headingNoiseDegrees = try c.decode(Float.self, forKey: .headingNoiseDegrees)
        benchmark = try c.decodeIfPresent(String.self, forKey: .benchmark)
    }
}

extension Encodable {
    /// JSON with sorted keys, as runs store their configuration.
    func storedJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
