// The settings of a trajectory CVAE: encoder kind, sizes, window lengths. Codable, so a run's
// configuration is stored as JSON and a checkpoint can be rebuilt from it.

/// How the observed past is encoded.
public enum PastEncoder: String, Codable, Sendable, CaseIterable {
    /// The observed positions, flattened, through Linear–ReLU–Linear–ReLU.
    case mlp
    /// A GRU over the steps' (relative x, y, dx, dy); its final hidden state.
    case gru
}

public struct CVAEConfiguration: Codable, Sendable, Equatable {
    public var encoder: PastEncoder = .mlp
    /// H, the width of every hidden layer.
    public var hidden = 128
    /// Z, the latent size.
    public var latent = 16
    public var observed = 8
    public var predicted = 12

    public init(encoder: PastEncoder = .mlp, hidden: Int = 128, latent: Int = 16, observed: Int = 8, predicted: Int = 12) {
        self.encoder = encoder
        self.hidden = hidden
        self.latent = latent
        self.observed = observed
        self.predicted = predicted
    }

    /// Values per window fed to the mlp encoder (2 per observed step).
    public var mlpInputSize: Int { 2 * observed }
    /// Values per step fed to the GRU: relative x, y and the backward differences dx, dy.
    public static let gruStepSize = 4
    /// Values of a future: 2 per predicted step.
    public var futureSize: Int { 2 * predicted }
}
