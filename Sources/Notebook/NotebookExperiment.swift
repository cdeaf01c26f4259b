// The 2020 study notebook's experiment, exactly: a pedestrian at x = 0 goes to −1 in a third of
// the cases and to +1 otherwise. Six models are trained full-batch with SGD and asked for many
// predictions; only a VAE with a small KL weight reproduces both modes. The six models train
// independently (own noise streams), two at a time on two cores; the results do not depend on that.
import Dispatch
import NNCore
import Synchronization

/// One of the notebook's six models.
public enum NotebookModel: String, CaseIterable, Sendable, Codable {
    case simpleL1 = "simple_l1"
    case simpleMSE = "simple_mse"
    case vaeMSE2 = "vae_mse_kld2.0"
    case vaeMSE01 = "vae_mse_kld0.1"
    case vaeL121 = "vae_l1_kld2.1"
    case vaeL101 = "vae_l1_kld0.1"

    public var reconstruction: ToyVAE.Reconstruction {
        switch self {
        case .simpleL1, .vaeL121, .vaeL101: return .l1
        case .simpleMSE, .vaeMSE2, .vaeMSE01: return .mse
        }
    }

    /// How the notebook's figure names the model.
    public var title: String {
        switch self {
        case .simpleL1: return "Simple + L1"
        case .simpleMSE: return "Simple + MSE"
        case .vaeMSE2: return "VAE, MSE, KL weight 2.0"
        case .vaeMSE01: return "VAE, MSE, KL weight 0.1"
        case .vaeL121: return "VAE, L1, KL weight 2.1"
        case .vaeL101: return "VAE, L1, KL weight 0.1"
        }
    }

    /// The KL prefactor of a VAE; nil for the simple regressors.
    public var klWeight: Float? {
        switch self {
        case .simpleL1, .simpleMSE: return nil
        case .vaeMSE2: return 2.0
        case .vaeMSE01, .vaeL101: return 0.1
        case .vaeL121: return 2.1
        }
    }
}

/// The experiment's settings; the defaults are the notebook's.
public struct NotebookSettings: Sendable, Codable, Equatable {
    public var samples = 1000
    public var epochs = 10_000
    public var predictions = 1_000_000
    public var learningRate: Float = 0.01
    public var momentum: Float = 0.9
    public var models = NotebookModel.allCases

    public init() {}
}

/// What one model did.
public struct NotebookResult: Sendable, Codable, Equatable {
    public var model: NotebookModel
    public var seed: UInt64
    public var stats: PredictionStats
    public var finalLoss: Double
    public var trainingSeconds: Double
    /// The predictions themselves, for histograms (empty when not kept).
    public var predictions: [Float]
}

public enum NotebookExperiment {
    /// The training targets: +1, except every third sample (indices 0, 3, 6, …) at −1.
    public static func targets(count: Int) -> [Float] {
        (0..<count).map { $0 % 3 == 0 ? -1 : 1 }
    }

    /// Runs the models of `settings` for `seed`, two at a time. `keepPredictions` keeps them in the results.
    /// `progress` is called (from any thread, serially) as each model finishes.
    public static func run(seed: UInt64, settings: NotebookSettings = NotebookSettings(), keepPredictions: Bool = false,
                           progress: @Sendable (NotebookResult) -> Void = { _ in }) -> [NotebookResult] {
        let models = settings.models
        let results = ResultSlots(count: models.count)
        DispatchQueue.concurrentPerform(iterations: models.count) { index in
            let result = runModel(models[index], seed: seed, settings: settings, keepPredictions: keepPredictions)
            results.set(index, result)
            progress(result)
        }
        return results.values
    }

    /// Trains one model and summarises its predictions. Every model of a family starts from the
    /// family's shared initial state for this seed; noise comes from the model's own stream.
    public static func runModel(_ model: NotebookModel, seed: UInt64, settings: NotebookSettings,
                                keepPredictions: Bool = false) -> NotebookResult {
        let target = targets(count: settings.samples)
        var noise = Xoshiro256(seed: stream(seed, 10 + UInt64(NotebookModel.allCases.firstIndex(of: model)!)))
        var sgd = SGD(learningRate: settings.learningRate, momentum: settings.momentum)
        let clock = ContinuousClock()
        let start = clock.now
        var loss = 0.0
        let predictions: [Float]
        let seconds: Double
        if let klWeight = model.klWeight {
            var initRNG = Xoshiro256(seed: stream(seed, 2))
            var vae = ToyVAE(using: &initRNG)
            let workspace = ToyVAE.Workspace(batch: settings.samples)
            for _ in 0..<settings.epochs {
                workspace.epsilon.withUnsafeMutableBufferPointer { noise.fillNormal($0) }
                loss = vae.lossAndGradients(target: target, reconstruction: model.reconstruction, klWeight: klWeight,
                                            workspace: workspace).total
                sgd.step(&vae.parameters)
            }
            seconds = (clock.now - start) / .seconds(1)
            predictions = vae.sample(count: settings.predictions, using: &noise,
                                     workspace: ToyVAE.Workspace(batch: 8192))
        } else {
            var initRNG = Xoshiro256(seed: stream(seed, 1))
            var simple = SimpleRegressor(using: &initRNG)
            let workspace = SimpleRegressor.Workspace(batch: settings.samples)
            for _ in 0..<settings.epochs {
                workspace.noise.withUnsafeMutableBufferPointer { noise.fillNormal($0) }
                loss = simple.lossAndGradients(target: target, reconstruction: model.reconstruction, workspace: workspace)
                sgd.step(&simple.parameters)
            }
            seconds = (clock.now - start) / .seconds(1)
            predictions = simple.sample(count: settings.predictions, using: &noise,
                                        workspace: SimpleRegressor.Workspace(batch: 8192))
        }
        return NotebookResult(model: model, seed: seed, stats: PredictionStats(predictions), finalLoss: loss,
                              trainingSeconds: seconds, predictions: keepPredictions ? predictions : [])
    }

    /// Floating-point operations of one run of `settings` (a multiply-add counts 2): per sample,
    /// forward + backward ≈ 3 × forward for training, and the forward pass for predictions.
    public static func floatingPointOperations(_ settings: NotebookSettings) -> Double {
        let simple = Double(SimpleRegressor.hidden * 2)
        let vaeTraining = Double(1 * ToyVAE.hidden + 2 * ToyVAE.hidden * ToyVAE.latent + ToyVAE.latent * ToyVAE.hidden
            + ToyVAE.hidden * ToyVAE.hidden + ToyVAE.hidden)
        let vaeDecoder = Double(ToyVAE.latent * ToyVAE.hidden + ToyVAE.hidden * ToyVAE.hidden + ToyVAE.hidden)
        return settings.models.reduce(0.0) { total, model in
            let (train, predict) = model.klWeight == nil ? (simple, simple) : (vaeTraining, vaeDecoder)
            return total + 2 * (3 * train * Double(settings.samples * settings.epochs) + predict * Double(settings.predictions))
        }
    }

    /// The seed of stream `index` of the experiment seeded with `seed`.
    static func stream(_ seed: UInt64, _ index: UInt64) -> UInt64 {
        seed &* 0x9E37_79B9_7F4A_7C15 &+ index &* 0xD1B5_4A32_D192_ED03
    }
}

/// Results written by concurrent workers into their own slots.
private final class ResultSlots: Sendable {
    private let slots: Mutex<[NotebookResult?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func set(_ index: Int, _ value: NotebookResult) { slots.withLock { $0[index] = value } }

    var values: [NotebookResult] { slots.withLock { $0.map { $0! } } }
}
