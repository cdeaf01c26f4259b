// The settings of the CVAE with a learned sampler: the CVAE's own, K codes, the epochs of the
// CVAE before the sampler's, and the weight of the codes' size in the sampler's loss.

public struct DLowConfiguration: ModelConfiguration {
    public var cvae = CVAEConfiguration()
    /// K: learned latent codes, futures per window.
    public var futures = 20
    /// Epochs that train the CVAE; the epochs after them train the sampler on the frozen CVAE.
    public var cvaeEpochs = 50
    /// λ of λ · mean(code²) in the sampler's loss (keeps the codes near the prior).
    public var codeWeight: Float = 0.01

    public var observed: Int { cvae.observed }
    public var predicted: Int { cvae.predicted }

    public init() {}

    /// Options: the CVAE's (encoder, hidden, latent, beta, beta-warmup), futures, cvae-epochs, code-weight.
    public init(options: ModelOptions) throws(ModelError) {
        var own = options, cvaeOptions = ModelOptions()
        for key in ["encoder", "hidden", "latent", "beta", "beta-warmup"] {
            cvaeOptions.values[key] = own.values.removeValue(forKey: key)
        }
        try own.check(family: CVAEDLowModel.family,
                      known: ["futures", "cvae-epochs", "code-weight", "encoder", "hidden", "latent", "beta", "beta-warmup"])
        cvae = try CVAEConfiguration(options: cvaeOptions)
        futures = try own.int("futures", default: futures)
        cvaeEpochs = try own.int("cvae-epochs", default: cvaeEpochs)
        codeWeight = try own.float("code-weight", default: codeWeight)
    }

    public func validate() throws(ModelError) {
        try cvae.validate()
        guard futures >= 1 else { throw .invalidSetting(option: "--model-option futures", reason: "must be at least 1") }
        guard cvaeEpochs >= 0 else { throw .invalidSetting(option: "--model-option cvae-epochs", reason: "must be 0 or more") }
        guard codeWeight >= 0 else { throw .invalidSetting(option: "--model-option code-weight", reason: "must be 0 or more") }
    }

    /// The sampler needs epochs of its own after the CVAE's.
    public func validate(training: TrainingSettings) throws(ModelError) {
        guard training.epochs > cvaeEpochs else {
            throw .invalidSetting(option: "--epochs", reason: "must be more than the CVAE's \(cvaeEpochs) epochs "
                + "(--model-option cvae-epochs=N), so that the sampler trains")
        }
    }

    public var summary: String { cvae.summary + ", then \(futures) learned codes after epoch \(cvaeEpochs)" }
    public var label: String { "CVAE + learned sampler (\(cvae.encoder.rawValue), β \(cvae.beta), K \(futures))" }

    /// The reference protocol: 50 epochs of the CVAE with rotation, then 20 of the sampler.
    public static var defaultTraining: TrainingSettings {
        var settings = TrainingSettings()
        settings.epochs = 70
        return settings
    }
}
