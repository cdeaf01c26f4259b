// The trajectory CVAE of the PyTorch reference (cvae_ref.py; its golden values are in
// Tests/TrajectoryModelTests/Golden), as forward/backward pairs over
// feature-major buffers. Parts named after the math (Sohn et al. 2015):
//   past encoder  h = enc(x)                   mlp: Linear(2T,H)–ReLU–Linear(H,H)–ReLU; gru: GRU(4,H), h_T
//   q(z | x, y)   posterior: [h; ReLU(Linear(2P,H) y)] → Linear(2H,H)–ReLU → μq, log σq²
//   p(z | x)      learned prior: h → Linear(H,H)–ReLU → μp, log σp²
//   p(y | x, z)   decoder: [h; z] → Linear(H+Z,H)–ReLU–Linear(H,H)–ReLU–Linear(H,2P)
//   loss = mean squared error of y + β · KL(q ‖ p) (summed over Z, averaged over B).
// Training samples z from q; prediction samples z from p. Legend: B batch, H hidden, Z latent,
// T observed steps, P predicted steps, K samples.
import NNCore
import Synchronization
import TrajectoryData

public struct TrajectoryCVAE: Sendable {
    public let configuration: CVAEConfiguration
    /// Every weight and bias. Any change gives them a new version (an atomic counter: no allocation,
    /// although every backward pass writes through here), so weights derived from an older version
    /// are not used again.
    public var parameters = ParameterSet() { didSet { version = DerivedWeights.nextVersion() } }
    /// Which values `parameters` holds; copies share it until one of them changes.
    var version = DerivedWeights.nextVersion()

    // Past encoder (one of the two).
    let encoder1: Linear?, encoder2: Linear?, gru: GRU?
    // q(z | x, y)
    let futureEncoder: Linear, posterior: Linear, posteriorMu: Linear, posteriorLogVariance: Linear
    // p(z | x)
    let prior: Linear, priorMu: Linear, priorLogVariance: Linear
    // p(y | x, z)
    let decoder1: Linear, decoder2: Linear, decoder3: Linear

    /// Layers named as in the PyTorch reference (enc.0, enc.2 or gru, fut_enc.0, post.0, post_mu, …),
    /// initialised as PyTorch does, in that order, from `rng`.
    public init(configuration: CVAEConfiguration, using rng: inout Xoshiro256) {
        self.configuration = configuration
        let h = configuration.hidden, z = configuration.latent
        var p = ParameterSet()
        switch configuration.encoder {
        case .mlp:
            encoder1 = Linear(inputSize: configuration.mlpInputSize, outputSize: h, name: "enc.0", in: &p)
            encoder2 = Linear(inputSize: h, outputSize: h, name: "enc.2", in: &p)
            gru = nil
        case .gru:
            encoder1 = nil
            encoder2 = nil
            gru = GRU(inputSize: CVAEConfiguration.gruStepSize, hiddenSize: h, name: "gru", in: &p)
        }
        futureEncoder = Linear(inputSize: configuration.futureSize, outputSize: h, name: "fut_enc.0", in: &p)
        posterior = Linear(inputSize: 2 * h, outputSize: h, name: "post.0", in: &p)
        posteriorMu = Linear(inputSize: h, outputSize: z, name: "post_mu", in: &p)
        posteriorLogVariance = Linear(inputSize: h, outputSize: z, name: "post_lv", in: &p)
        prior = Linear(inputSize: h, outputSize: h, name: "prior.0", in: &p)
        priorMu = Linear(inputSize: h, outputSize: z, name: "prior_mu", in: &p)
        priorLogVariance = Linear(inputSize: h, outputSize: z, name: "prior_lv", in: &p)
        decoder1 = Linear(inputSize: h + z, outputSize: h, name: "dec.0", in: &p)
        decoder2 = Linear(inputSize: h, outputSize: h, name: "dec.2", in: &p)
        decoder3 = Linear(inputSize: h, outputSize: configuration.futureSize, name: "dec.4", in: &p)
        parameters = p
        if let gru { gru.initialize(&parameters.values, using: &rng) }
        for layer in [encoder1, encoder2].compactMap({ $0 }) + [futureEncoder, posterior, posteriorMu,
            posteriorLogVariance, prior, priorMu, priorLogVariance, decoder1, decoder2, decoder3] {
            layer.initialize(&parameters.values, using: &rng)
        }
    }

    /// Multiply-adds of one training forward pass per window, as the reference's flop_counts has them
    /// (its "0.70 MFLOP per window" for mlp is 6 × this: forward, and backward at twice the forward).
    public var trainingMultiplyAdds: Int {
        let c = configuration, h = c.hidden, z = c.latent
        return encoderMultiplyAdds + c.futureSize * h + 2 * h * h + 2 * h * z + h * h + 2 * h * z + (h + z) * h + h * h
            + h * c.futureSize
    }

    /// Multiply-adds one training window actually costs here, forward and backward: 3 ×
    /// `trainingMultiplyAdds` less what is never computed. From h_0 = 0 the GRU's first hidden
    /// product is its bias, that step adds nothing to dW_hh, and dh_0 is not needed.
    public var performedTrainingMultiplyAdds: Int {
        let h = configuration.hidden
        return 3 * trainingMultiplyAdds - (configuration.encoder == .gru ? 3 * (3 * h * h) : 0)
    }

    /// Multiply-adds per sampled future when k futures share one window's encoding, prior and the
    /// h-part of the decoder's first layer (the reference counts the whole first layer per future).
    public func samplingMultiplyAdds(k: Int) -> Double {
        let c = configuration, h = c.hidden, z = c.latent
        let skipped = configuration.encoder == .gru ? 3 * h * h : 0
        let perWindow = encoderMultiplyAdds - skipped + h * h + 2 * h * z + h * h
        let perFuture = z * h + h * h + h * c.futureSize
        return Double(perFuture) + Double(perWindow) / Double(k)
    }

    /// The past encoder's multiply-adds per window: mlp's two layers, or T steps of the GRU's
    /// input and hidden products.
    var encoderMultiplyAdds: Int {
        let c = configuration, h = c.hidden
        return c.encoder == .mlp ? c.mlpInputSize * h + h * h : c.observed * 3 * h * (CVAEConfiguration.gruStepSize + h)
    }
}

/// Weights rearranged for a fast path (the GRU's transposed weights, for one pedestrian), made
/// once per version of a model's parameters; the four most recent versions are kept.
final class DerivedWeights: Sendable {
    static let shared = DerivedWeights()
    private static let versions = Atomic<UInt64>(0)
    private let recent = Mutex<[(version: UInt64, gruTransposed: [Float])]>([])

    static func nextVersion() -> UInt64 { versions.add(1, ordering: .relaxed).newValue }

    /// The GRU's transposed weights of parameters `version`, made by `make` when not kept.
    func gruTransposed(version: UInt64, _ make: () -> [Float]) -> [Float] {
        if let kept = recent.withLock({ $0.first { $0.version == version }?.gruTransposed }) { return kept }
        let made = make()
        recent.withLock { recent in
            recent.insert((version, made), at: 0)
            if recent.count > 4 { recent.removeLast() }
        }
        return made
    }
}

extension TrajectoryCVAE: ForecastModel {
    public static let family = "cvae"

    public init(_ configuration: CVAEConfiguration, using rng: inout Xoshiro256) {
        self.init(configuration: configuration, using: &rng)
    }

    public func makeTrainingWorkspace(capacity: Int) -> Workspace { Workspace(self, capacity: capacity) }

    public func makeSamplingWorkspace(windows: Int, k: Int) -> SamplingWorkspace {
        SamplingWorkspace(self, windows: windows, k: k)
    }

    public func klWeight(epoch: Int) -> Float { configuration.beta(epoch: epoch) }

    public var trainingMultiplyAddsPerWindow: Int? { performedTrainingMultiplyAdds }

    public func samplingMultiplyAddsPerFuture(k: Int) -> Double? { samplingMultiplyAdds(k: k) }
}
