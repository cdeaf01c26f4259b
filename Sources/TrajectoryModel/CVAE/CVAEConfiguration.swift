// The settings of a trajectory CVAE: encoder kind, sizes, window lengths, and the weight β of
// KL(q ‖ p) in its loss with its warm-up. Codable, so a run's configuration is stored as JSON and a
// checkpoint can be rebuilt from it. β defaults to 0.01: with β = 1 the posterior collapses on
// ETH/UCY and the model predicts one averaged future (the notebook's lesson, README).
import Foundation

/// How the observed past is encoded.
public enum PastEncoder: String, Codable, Sendable, CaseIterable {
    /// The observed positions, flattened, through Linear–ReLU–Linear–ReLU.
    case mlp
    /// A GRU over the steps' (relative x, y, dx, dy); its final hidden state.
    case gru
}

public struct CVAEConfiguration: ModelConfiguration {
    public var encoder: PastEncoder = .mlp
    /// H, the width of every hidden layer.
    public var hidden = 128
    /// Z, the latent size.
    public var latent = 16
    public var observed = 8
    public var predicted = 12
    /// β, the weight of KL(q ‖ p) in the loss.
    public var beta: Float = 0.01
    /// β grows linearly from β/warm-up to β over this many epochs (0: constant).
    public var betaWarmupEpochs = 0

    public init(encoder: PastEncoder = .mlp, hidden: Int = 128, latent: Int = 16, observed: Int = 8, predicted: Int = 12,
                beta: Float = 0.01, betaWarmupEpochs: Int = 0) {
        self.encoder = encoder
        self.hidden = hidden
        self.latent = latent
        self.observed = observed
        self.predicted = predicted
        self.beta = beta
        self.betaWarmupEpochs = betaWarmupEpochs
    }

    /// Options: encoder, hidden, latent, beta, beta-warmup.
    public init(options: ModelOptions) throws(ModelError) {
        try options.check(family: TrajectoryCVAE.family, known: ["encoder", "hidden", "latent", "beta", "beta-warmup"])
        self.init()
        encoder = try options.choice("encoder", default: encoder)
        hidden = try options.int("hidden", default: hidden)
        latent = try options.int("latent", default: latent)
        beta = try options.float("beta", default: beta)
        betaWarmupEpochs = try options.int("beta-warmup", default: betaWarmupEpochs)
    }

    enum CodingKeys: String, CodingKey {
        case encoder, hidden, latent, observed, predicted, beta, betaWarmupEpochs
    }

    /// Configurations stored before β moved here decode with the defaults (the run configuration
    /// moves a stored top-level β in first).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        encoder = try c.decode(PastEncoder.self, forKey: .encoder)
        hidden = try c.decode(Int.self, forKey: .hidden)
        latent = try c.decode(Int.self, forKey: .latent)
        observed = try c.decode(Int.self, forKey: .observed)
        predicted = try c.decode(Int.self, forKey: .predicted)
        beta = try c.decodeIfPresent(Float.self, forKey: .beta) ?? 0.01
        betaWarmupEpochs = try c.decodeIfPresent(Int.self, forKey: .betaWarmupEpochs) ?? 0
    }

    public func validate() throws(ModelError) {
        guard hidden >= 1 else { throw .invalidSetting(option: "--hidden", reason: "must be at least 1") }
        guard latent >= 1 else { throw .invalidSetting(option: "--latent", reason: "must be at least 1") }
        guard beta >= 0, beta.isFinite else { throw .invalidSetting(option: "--beta", reason: "must be 0 or more") }
        guard betaWarmupEpochs >= 0 else { throw .invalidSetting(option: "--beta-warmup", reason: "must be 0 or more") }
        guard observed >= 2, predicted >= 1 else {
            throw .invalidSetting(option: "window", reason: "needs at least 2 observed and 1 predicted step")
        }
    }

    public var summary: String {
        "\(encoder.rawValue) encoder, H \(hidden), Z \(latent), β \(beta)"
    }

    public var label: String { "CVAE (\(encoder.rawValue), β \(String(format: "%g", Double(beta))))" }

    /// β of epoch `epoch` (0-based) under the warm-up schedule.
    public func beta(epoch: Int) -> Float {
        guard betaWarmupEpochs > 0 else { return beta }
        return beta * min(1, Float(epoch + 1) / Float(betaWarmupEpochs))
    }

    /// Values per window fed to the mlp encoder (2 per observed step).
    public var mlpInputSize: Int { 2 * observed }
    /// Values per step fed to the GRU: relative x, y and the backward differences dx, dy.
    public static let gruStepSize = 4
    /// Values of a future: 2 per predicted step.
    public var futureSize: Int { 2 * predicted }
    /// Values of the encoder input per window.
    public var pastSize: Int { encoder == .mlp ? mlpInputSize : observed * Self.gruStepSize }
}
