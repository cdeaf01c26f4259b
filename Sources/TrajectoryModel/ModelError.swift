// The one error type of the model library: settings a model or a trainer cannot take, data too
// small to train on, a loss that stops being finite, and checkpoints that do not fit a model.

public enum ModelError: Error, Equatable, CustomStringConvertible {
    case notEnoughWindows(split: String, found: Int, needed: Int, steps: Int)
    /// A setting out of range; `option` is the command-line option that sets it.
    case invalidSetting(option: String, reason: String)
    /// A model option given as text that does not parse, or one the chosen family does not have.
    case invalidOption(name: String, value: String, expected: String)
    case unsupportedOption(name: String, family: String, supported: [String])
    case unknownFamily(name: String, known: [String])
    /// The loss (or the validation error) stopped being a number; `checkpointKept` says whether an
    /// earlier checkpoint exists to go back to.
    case nonFiniteLoss(epoch: Int, step: Int, loss: Double, checkpointKept: Bool)
    /// Windows whose positions are not finite as 32-bit floats (coordinates beyond ±3.4e38 apart).
    case nonFiniteWindows(split: String, count: Int)
    /// A checkpoint tensor whose shape is not the model's.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    case unknownTensor(name: String)
    case missingTensor(name: String)
    case invalidGeneratorState
    /// A stored configuration that does not decode as the family's.
    case invalidConfiguration(family: String, reason: String)

    /// The model options `train`, `demo` and `benchmark` take as flags of their own (the others go
    /// through `--model-option NAME=VALUE`).
    static let optionsWithFlags: Set<String> = ["encoder", "hidden", "latent", "beta", "beta-warmup"]

    public var description: String {
        switch self {
        case let .notEnoughWindows(split, found, needed, steps):
            return "the \(split) data has \(found) windows of \(steps) consecutive steps; at least \(needed) "
                + "\(needed == 1 ? "is" : "are") needed: choose more scenes (a window is a pedestrian seen at \(steps) "
                + "consecutive steps)"
        case let .invalidSetting(option, reason):
            return "\(option) \(reason)"
        case let .invalidOption(name, value, expected):
            return "--\(name) '\(value)' is not valid: expected \(expected)"
        case let .unsupportedOption(name, family, supported):
            // As each is written on the command line: a flag of its own, or --model-option NAME=VALUE.
            func written(_ option: String) -> String {
                Self.optionsWithFlags.contains(option) ? "--\(option)" : "--model-option \(option)=…"
            }
            return "the \(family) model has no option \(written(name))"
                + (supported.isEmpty ? "" : " (its options: " + supported.map(written).joined(separator: ", ") + ")")
        case let .unknownFamily(name, known):
            return "no model family named '\(name)' (there are: \(known.joined(separator: ", ")))"
        case let .nonFiniteLoss(epoch, step, loss, kept):
            return "the loss became \(loss) at epoch \(epoch + 1), step \(step + 1): training stopped, "
                + (kept ? "the last good checkpoint is kept" : "before any checkpoint was saved")
                + " (try a smaller --lr, or a larger --beta-warmup)"
        case let .nonFiniteWindows(split, count):
            return "\(count) \(split) windows have positions that are not finite numbers once relative to their last "
                + "observed position (coordinates beyond ±3.4e38 m apart): fix or remove those tracks"
        case let .shapeMismatch(name, expected, found):
            return "cannot load the checkpoint: tensor \(name) has shape \(found), the model's is \(expected)"
        case let .unknownTensor(name):
            return "cannot load the checkpoint: the model has no tensor \(name)"
        case let .missingTensor(name):
            return "cannot load the checkpoint: it has no \(name)"
        case .invalidGeneratorState:
            return "cannot resume: the saved generator state is not valid"
        case let .invalidConfiguration(family, reason):
            return "the stored configuration is not one of a \(family) model: \(reason)"
        }
    }
}
