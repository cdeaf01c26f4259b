// What a training run is asked to do, stored with the run as JSON. The defaults are the
// reference protocol's (Adam 1e-3, batch 256, 50 epochs, rotation augmentation) with β = 0.01,
// the KL weight that does not collapse the posterior on ETH/UCY (PRODUCT.md).

public struct TrainingSettings: Codable, Sendable, Equatable {
    public var model = CVAEConfiguration()
    public var epochs = 50
    public var batch = 256
    public var learningRate: Float = 1e-3
    /// β, the weight of KL(q ‖ p) in the loss.
    public var beta: Float = 0.01
    /// β grows linearly from β/warm-up to β over this many epochs (0: constant).
    public var betaWarmupEpochs = 0
    public var seed: UInt64 = 0
    /// Rotate each training window by a uniform random angle every epoch.
    public var rotate = true
    /// Mirror each training window (y → −y, before the rotation) with probability ½ every epoch.
    public var mirror = false
    /// Samples per window for the validation minADE/minFDE.
    public var validationSamples = 20

    public init() {}

    enum CodingKeys: String, CodingKey {
        case model, epochs, batch, learningRate, beta, betaWarmupEpochs, seed, rotate, mirror, validationSamples
    }

    /// Settings stored before `mirror` existed decode with its default.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(CVAEConfiguration.self, forKey: .model)
        epochs = try c.decode(Int.self, forKey: .epochs)
        batch = try c.decode(Int.self, forKey: .batch)
        learningRate = try c.decode(Float.self, forKey: .learningRate)
        beta = try c.decode(Float.self, forKey: .beta)
        betaWarmupEpochs = try c.decode(Int.self, forKey: .betaWarmupEpochs)
        seed = try c.decode(UInt64.self, forKey: .seed)
        rotate = try c.decode(Bool.self, forKey: .rotate)
        mirror = try c.decodeIfPresent(Bool.self, forKey: .mirror) ?? false
        validationSamples = try c.decode(Int.self, forKey: .validationSamples)
    }

    /// β of epoch `epoch` (0-based) under the warm-up schedule.
    public func beta(epoch: Int) -> Float {
        guard betaWarmupEpochs > 0 else { return beta }
        return beta * min(1, Float(epoch + 1) / Float(betaWarmupEpochs))
    }
}
