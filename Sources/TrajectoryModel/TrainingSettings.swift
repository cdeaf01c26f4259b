// How any model is trained, stored with the run as JSON beside the model's own configuration.
// The defaults are the reference protocol's: Adam 1e-3, batch 256, 50 epochs, rotation
// augmentation, validation minADE/minFDE@20 after every epoch.

public struct TrainingSettings: Codable, Sendable, Equatable {
    public var epochs = 50
    public var batch = 256
    public var learningRate: Float = 1e-3
    public var seed: UInt64 = 0
    /// Rotate each training window by a uniform random angle every epoch.
    public var rotate = true
    /// Mirror each training window (y → −y, before the rotation) with probability ½ every epoch.
    public var mirror = false
    /// Train also on every training window walked backwards in time (twice the windows, each epoch
    /// twice as long): a walker retracing its steps is as plausible a walker. The model fits its
    /// anchors on both; validation and test windows are never reversed.
    public var reverse = false
    /// Samples per window for the validation minADE/minFDE; 0: no validation (every epoch is saved
    /// as the last, none as the best), for a refit whose training windows include the validation's.
    public var validationSamples = 20
    /// At least this many steps (batches): a training set too small for `epochs` to give that many
    /// trains for more epochs, so every model gets about as many updates whatever its data's size.
    /// The trainer resolves it into `epochs` when it starts; 0: `epochs` as given.
    public var minimumSteps = 0
    /// The model is an exponential moving average of the weights trained, updated after every step
    /// with this decay (warmed up as min(decay, (1 + t) / (10 + t)) at step t, so early weights do
    /// not linger): what is validated, saved and used. 0 (the default): the weights themselves.
    /// The warm-up reaches the decay d at step (10d − 1) / (1 − d): 890 for 0.99, 8,990 for 0.999 (a
    /// run shorter than that averages as the warm-up does, whatever d).
    public var averaging: Float = 0
    /// Decoupled weight decay (AdamW, Loshchilov & Hutter): before each of Adam's steps every weight
    /// matrix (the parameters named `….weight`; not biases, anchors or fitted ranges) is multiplied by
    /// 1 − learning rate × this, as `torch.optim.AdamW` does. 0 (the default): plain Adam.
    public var weightDecay: Float = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case epochs, batch, learningRate, seed, rotate, mirror, reverse, validationSamples, minimumSteps, averaging
        case weightDecay
    }

    /// Settings stored before `mirror`, `reverse`, `minimumSteps`, `averaging` or `weightDecay`
    /// existed decode with their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epochs = try c.decode(Int.self, forKey: .epochs)
        batch = try c.decode(Int.self, forKey: .batch)
        learningRate = try c.decode(Float.self, forKey: .learningRate)
        seed = try c.decode(UInt64.self, forKey: .seed)
        rotate = try c.decode(Bool.self, forKey: .rotate)
        mirror = try c.decodeIfPresent(Bool.self, forKey: .mirror) ?? false
        reverse = try c.decodeIfPresent(Bool.self, forKey: .reverse) ?? false
        validationSamples = try c.decode(Int.self, forKey: .validationSamples)
        minimumSteps = try c.decodeIfPresent(Int.self, forKey: .minimumSteps) ?? 0
        averaging = try c.decodeIfPresent(Float.self, forKey: .averaging) ?? 0
        weightDecay = try c.decodeIfPresent(Float.self, forKey: .weightDecay) ?? 0
    }

    /// Exactly `count` epochs, whatever the training set's size (no floor of steps): what an
    /// explicit `--epochs` asks for, and a refit of a chosen epoch count.
    public mutating func train(exactly count: Int) {
        (epochs, minimumSteps) = (count, 0)
    }

    /// `epochs`, or more when `minimumSteps` needs them on `windows` training windows per epoch.
    public func resolvingMinimumSteps(windowsPerEpoch windows: Int) -> TrainingSettings {
        var resolved = self
        let steps = max(1, (windows + batch - 1) / batch)
        resolved.epochs = max(epochs, (minimumSteps + steps - 1) / steps)
        return resolved
    }

    /// Checks ranges before any step.
    public func validate() throws(ModelError) {
        guard epochs >= 1 else { throw .invalidSetting(option: "--epochs", reason: "must be at least 1") }
        guard batch >= 1 else { throw .invalidSetting(option: "--batch", reason: "must be at least 1") }
        guard learningRate > 0, learningRate.isFinite else {
            throw .invalidSetting(option: "--lr", reason: "must be a positive number")
        }
        guard averaging >= 0, averaging < 1 else {
            throw .invalidSetting(option: "--ema", reason: "must be 0 (no averaging) or more, and below 1")
        }
        guard weightDecay >= 0, weightDecay.isFinite, learningRate * weightDecay < 1 else {
            throw .invalidSetting(option: "--weight-decay", reason: "must be 0 (none) or more, with --lr × it below 1")
        }
        guard minimumSteps >= 0 else { throw .invalidSetting(option: "minimum steps", reason: "must be 0 or more") }
        guard validationSamples >= 0 else {
            throw .invalidSetting(option: "validation samples", reason: "must be 0 (no validation) or more")
        }
    }
}
