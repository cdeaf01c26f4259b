// What a trainer reports and saves: a finished epoch's numbers, and the counters and generator
// state that, with the tensors, let a run resume exactly where it stopped.
import TrajectoryData

/// One finished epoch.
public struct EpochReport: Codable, Sendable, Equatable {
    /// 1-based.
    public var epoch: Int
    public var loss: Double
    public var reconstruction: Double
    public var kl: Double
    public var beta: Float
    public var learningRate: Float
    public var validationMinADE: Double?
    public var validationMinFDE: Double?
    public var seconds: Double
    public var isBest: Bool
}

/// Everything a trainer needs to continue exactly where it was, besides the tensors.
public struct TrainerCounters: Codable, Sendable, Equatable {
    /// Epochs completed.
    public var epoch = 0
    /// Steps completed in the current epoch.
    public var step = 0
    public var adamSteps = 0
    public var lossSum = 0.0, reconstructionSum = 0.0, klSum = 0.0
    public var secondsInEpoch = 0.0
    public var bestMinADE: Double?
    public var bestEpoch: Int?
    /// Steps taken into the moving average of the weights (0 without averaging; counts from a new
    /// phase's first step).
    public var averagedSteps = 0
    /// The generator now, and as it was when the current epoch began (it shuffled that epoch).
    public var generator: [UInt64] = []
    public var epochGenerator: [UInt64] = []
    /// The training and validation windows the run started with (before any reversal): a resume
    /// on other data would not continue the same training. Nil in states saved before they were kept.
    public var trainingWindows: Int?
    public var validationWindows: Int?
    /// Their content (`WindowSet.contentDigest`): the same counts on other data (a scene swapped,
    /// positions edited) are other data too. Nil in states saved before they were kept.
    public var trainingDigest: String?
    public var validationDigest: String?

    public init() {}

    enum CodingKeys: String, CodingKey {
        case epoch, step, adamSteps, lossSum, reconstructionSum, klSum, secondsInEpoch, bestMinADE, bestEpoch
        case averagedSteps, generator, epochGenerator, trainingWindows, validationWindows, trainingDigest, validationDigest
    }

    // Generator words are written as hex strings: a JSON number cannot hold 64 bits exactly.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epoch = try c.decode(Int.self, forKey: .epoch)
        step = try c.decode(Int.self, forKey: .step)
        adamSteps = try c.decode(Int.self, forKey: .adamSteps)
        lossSum = try c.decode(Double.self, forKey: .lossSum)
        reconstructionSum = try c.decode(Double.self, forKey: .reconstructionSum)
        klSum = try c.decode(Double.self, forKey: .klSum)
        secondsInEpoch = try c.decode(Double.self, forKey: .secondsInEpoch)
        bestMinADE = try c.decodeIfPresent(Double.self, forKey: .bestMinADE)
        bestEpoch = try c.decodeIfPresent(Int.self, forKey: .bestEpoch)
        averagedSteps = try c.decodeIfPresent(Int.self, forKey: .averagedSteps) ?? 0
        trainingWindows = try c.decodeIfPresent(Int.self, forKey: .trainingWindows)
        validationWindows = try c.decodeIfPresent(Int.self, forKey: .validationWindows)
        trainingDigest = try c.decodeIfPresent(String.self, forKey: .trainingDigest)
        validationDigest = try c.decodeIfPresent(String.self, forKey: .validationDigest)
        func words(_ key: CodingKeys) throws -> [UInt64] {
            try c.decode([String].self, forKey: key).map { text in
                guard let word = UInt64(text, radix: 16) else {
                    throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not a hex word: \(text)")
                }
                return word
            }
        }
        generator = try words(.generator)
        epochGenerator = try words(.epochGenerator)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(step, forKey: .step)
        try c.encode(adamSteps, forKey: .adamSteps)
        try c.encode(lossSum, forKey: .lossSum)
        try c.encode(reconstructionSum, forKey: .reconstructionSum)
        try c.encode(klSum, forKey: .klSum)
        try c.encode(secondsInEpoch, forKey: .secondsInEpoch)
        try c.encodeIfPresent(bestMinADE, forKey: .bestMinADE)
        try c.encodeIfPresent(bestEpoch, forKey: .bestEpoch)
        try c.encodeIfPresent(trainingWindows, forKey: .trainingWindows)
        try c.encodeIfPresent(validationWindows, forKey: .validationWindows)
        try c.encodeIfPresent(trainingDigest, forKey: .trainingDigest)
        try c.encodeIfPresent(validationDigest, forKey: .validationDigest)
        if averagedSteps > 0 { try c.encode(averagedSteps, forKey: .averagedSteps) }
        try c.encode(generator.map { String($0, radix: 16) }, forKey: .generator)
        try c.encode(epochGenerator.map { String($0, radix: 16) }, forKey: .epochGenerator)
    }
}

/// A trainer's complete state: counters, parameters and Adam's moments.
public struct TrainerState: Sendable {
    public var counters: TrainerCounters
    public var tensors: CheckpointTensors

    public init(counters: TrainerCounters, tensors: CheckpointTensors) {
        self.counters = counters
        self.tensors = tensors
    }
}
