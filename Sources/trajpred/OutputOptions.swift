// The options shared by commands: where the database is, how listings print, which model and
// its settings; and the CLI's one way to talk to people on stderr.
import ArgumentParser
import Foundation
import TrajectoryData
import TrajectoryModel
import TrajectoryStore
import Workflows

extension ListingFormat: ExpressibleByArgument {}
extension PredictionFormat: ExpressibleByArgument {}
extension CheckpointRecord.Label: ExpressibleByArgument {}
extension TrajectoryFormat: ExpressibleByArgument {}
extension Split: ExpressibleByArgument {}

struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table, csv or json.")
    var format: ListingFormat = .table
}

struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite database (default: $TRAJPRED_DB, else ./trajpred.sqlite).",
                                            valueName: "path"))
    var db: String = ProcessInfo.processInfo.environment["TRAJPRED_DB"] ?? "trajpred.sqlite"

    /// Opens the store for writing, creating it if needed.
    func open() throws -> Store { try Store(path: db) }

    /// Opens an existing store; a missing file is an error, not a new empty database.
    func openExisting() throws -> Store { try Store(path: db, create: false) }
}

/// The model family and its settings. Each family reads the options it has and refuses the others.
struct ModelOptionGroup: ParsableArguments {
    @Option(help: "The model family: \(ModelRegistry.names.joined(separator: ", ")).")
    var model: String = ModelRegistry.names[0]
    @Option(help: "cvae: the past encoder, mlp or gru (default mlp).") var encoder: String?
    @Option(help: "cvae: hidden width H (default 128).") var hidden: Int?
    @Option(help: "cvae: latent size Z (default 16).") var latent: Int?
    @Option(help: "cvae: weight β of KL(q‖p) in the loss (default 0.01; 1 collapses the posterior on ETH/UCY).")
    var beta: Float?
    @Option(help: "cvae: epochs over which β grows linearly to its value (default 0: none).") var betaWarmup: Int?
    @Option(name: .customLong("model-option"), help: ArgumentHelp("Any other option of the model family.",
                                                                   valueName: "name=value"))
    var extra: [String] = []

    func validate() throws {
        for item in extra where !item.contains("=") || item.hasPrefix("=") {
            throw ValidationError("--model-option takes NAME=VALUE, not '\(item)'")
        }
    }

    /// Refuses, before any work, options the family does not have and values out of range.
    func check() throws {
        do {
            try TrainingRunConfiguration(family: model, options: options, training: TrainingSettings(), train: [], val: [])
                .model.validate()
        } catch {
            throw ValidationError(error.description)
        }
    }

    var options: ModelOptions {
        var values: [String: String] = [:]
        for item in extra {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            values[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        if let encoder { values["encoder"] = encoder }
        if let hidden { values["hidden"] = String(hidden) }
        if let latent { values["latent"] = String(latent) }
        if let beta { values["beta"] = String(beta) }
        if let betaWarmup { values["beta-warmup"] = String(betaWarmup) }
        return ModelOptions(values)
    }
}

/// How to train, each setting defaulting to the model family's (cvae: 50 epochs, batch 256, Adam 1e-3,
/// rotation; anchors: one epoch; …).
struct TrainingOptionGroup: ParsableArguments {
    @Option(help: "Epochs, exactly (default: the family's; cvae 50; wta 30, more for a training set too small for 7,000 steps).") var epochs: Int?
    @Option(help: "Windows per batch (default 256).") var batch: Int?
    @Option(help: "Adam's learning rate (default 0.001).") var lr: Float?
    @Flag(inversion: .prefixedNo, help: "Rotate training windows at random every epoch (default: the family's; on for cvae).")
    var rotate: Bool?
    @Flag(inversion: .prefixedNo,
          help: "Mirror training windows at random (y → −y, half of them, every epoch; default: the family's; off for cvae).")
    var mirror: Bool?
    @Flag(inversion: .prefixedNo,
          help: "Train also on every training window walked backwards in time (twice the windows; default: the family's).")
    var reverse: Bool?
    @Option(help: "The model is the moving average of the weights with this decay per step; 0: the weights themselves (default: the family's; wta 0.99).")
    var ema: Float?
    @Option(help: "Decoupled weight decay of the weight matrices (AdamW): each step multiplies them by 1 − lr × this; 0: none (default: the family's; wta 0.1).")
    var weightDecay: Float?

    func validate() throws {
        try Self.check(epochs: epochs, batch: batch, lr: lr, ema: ema, weightDecay: weightDecay)
    }

    /// The checks of --epochs, --batch, --lr, --ema and --weight-decay before any work, shared with
    /// the commands that take them without the group: `TrainingSettings.validate`'s rules and
    /// messages, the one source.
    static func check(epochs: Int? = nil, batch: Int? = nil, lr: Float?, ema: Float?, weightDecay: Float? = nil) throws {
        var settings = TrainingSettings()
        if let epochs { settings.epochs = epochs }
        if let batch { settings.batch = batch }
        if let lr { settings.learningRate = lr }
        if let ema { settings.averaging = ema }
        if let weightDecay { settings.weightDecay = weightDecay }
        do {
            try settings.validate()
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The family's defaults with what was given.
    func settings(family: String) throws -> TrainingSettings {
        var settings = try TrainingRunConfiguration.defaultTraining(family: family)
        if let epochs { settings.train(exactly: epochs) }
        if let batch { settings.batch = batch }
        if let lr { settings.learningRate = lr }
        if let rotate { settings.rotate = rotate }
        if let mirror { settings.mirror = mirror }
        if let reverse { settings.reverse = reverse }
        if let ema { settings.averaging = ema }
        if let weightDecay { settings.weightDecay = weightDecay }
        return settings
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
