// `trajpred notebook`: the 2020 study notebook's 1-D experiment, its table and its figure.
import ArgumentParser
import Foundation
import Notebook
import TrajectoryStore
import Workflows

struct NotebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Re-run the 1-D notebook: six models learn a pedestrian that goes to -1 (1/3) or +1 (2/3).",
        discussion: """
            Trains Simple+L1, Simple+MSE and four VAEs (MSE/L1 with KL weight 2.0/2.1 and 0.1) for 10,000 \
            full-batch SGD epochs on 1,000 samples and summarises 1,000,000 predictions of each. With \
            --seeds it repeats over seeds and counts how often each model is bimodal (>15 % of \
            predictions near -1 and >50 % near +1).
            """
    )

    @OptionGroup var output: OutputOptions
    @Option(parsing: .unconditional, help: "The seed (default 0).") var seed: UInt64?
    @Option(help: "A range of seeds, e.g. 0-14 or 3,5,8: the robustness table.") var seeds: String?
    @Option(help: "Write the figure (SVG) here.") var out: String?
    @Option(help: "Training epochs.") var epochs: Int = 10_000
    @Option(help: "Predictions per model.") var predictions: Int = 1_000_000
    @Option(help: "Only these models, comma-separated (simple_l1, simple_mse, vae_mse_kld2.0, vae_mse_kld0.1, vae_l1_kld2.1, vae_l1_kld0.1).")
    var models: String?

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard predictions >= 10 else { throw ValidationError("--predictions must be at least 10") }
        if let seeds { _ = try parseSeeds(seeds) }
        if seed != nil, seeds != nil { throw ValidationError("give --seed or --seeds, not both") }
        _ = try selectedModels()
    }

    func selectedModels() throws -> [NotebookModel] {
        guard let models else { return NotebookModel.allCases }
        let chosen = try models.split(separator: ",").map { name in
            guard let model = NotebookModel(rawValue: String(name)) else {
                throw ValidationError("unknown model '\(name)'; the models are "
                    + NotebookModel.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return model
        }
        guard !chosen.isEmpty else { throw ValidationError("--models names no model") }
        guard Set(chosen).count == chosen.count else { throw ValidationError("--models names a model twice: '\(models)'") }
        return chosen
    }

    func run() throws {
        var study = NotebookStudy()
        study.settings.epochs = epochs
        study.settings.predictions = predictions
        study.settings.models = try selectedModels()
        study.seeds = try seeds.map(parseSeeds) ?? [seed ?? 0]
        study.overSeeds = seeds != nil
        let result = study.run(figure: out != nil) { result in
            printError(String(format: "seed %llu: %@ trained in %.2f s", result.seed, result.model.rawValue,
                              result.trainingSeconds))
        }
        if let out, let figure = result.figure {
            try figure.write(toPath: out)
            printError("figure: \(out)")
        }
        print(result.table.rendered(as: output.format), terminator: "")
    }
}

func parseSeeds(_ text: String) throws -> [UInt64] {
    var seeds: [UInt64] = []
    for part in text.split(separator: ",") {
        let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
        if bounds.count == 2, let low = UInt64(bounds[0]), let high = UInt64(bounds[1]), low <= high {
            seeds += Array(low...high)
        } else if bounds.count == 1, let single = UInt64(bounds[0]) {
            seeds.append(single)
        } else {
            throw ValidationError("--seeds takes ranges and lists like 0-14 or 3,5,8, not '\(text)'")
        }
    }
    guard !seeds.isEmpty else { throw ValidationError("--seeds names no seed") }
    // A seed twice would train twice and count twice in every mean.
    var seen = Set<UInt64>()
    if let twice = seeds.first(where: { !seen.insert($0).inserted }) {
        throw ValidationError("--seeds names seed \(twice) twice, in '\(text)'")
    }
    return seeds
}
