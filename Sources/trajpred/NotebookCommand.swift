// `trajpred notebook`: the 2020 study notebook's 1-D experiment, its table and its figure.
import ArgumentParser
import Foundation
import Notebook
import Plots
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
    @Option(help: "The seed.") var seed: UInt64 = 0
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
        _ = try selectedModels()
    }

    func selectedModels() throws -> [NotebookModel] {
        guard let models else { return NotebookModel.allCases }
        return try models.split(separator: ",").map { name in
            guard let model = NotebookModel(rawValue: String(name)) else {
                throw ValidationError("unknown model '\(name)'; the models are "
                    + NotebookModel.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return model
        }
    }

    func run() throws {
        var settings = NotebookSettings()
        settings.epochs = epochs
        settings.predictions = predictions
        settings.models = try selectedModels()
        let seedList = try seeds.map(parseSeeds) ?? [seed]
        var all: [NotebookResult] = []
        for current in seedList {
            let results = NotebookExperiment.run(seed: current, settings: settings, keepPredictions: out != nil) { result in
                printError(String(format: "seed %llu: %@ trained in %.2f s", result.seed, result.model.rawValue,
                                  result.trainingSeconds))
            }
            all += results
        }
        if let out {
            let first = all.filter { $0.seed == seedList[0] }
            let svg = HistogramFigure.render(
                panels: first.map { result in
                    HistogramPanel(
                        title: result.model.title,
                        subtitle: String(format: "mean %.2f · near −1 %.0f %% · W1 %.2f", result.stats.mean,
                                         100 * result.stats.fractionNearMinusOne, result.stats.wasserstein),
                        samples: result.predictions)
                },
                reference: NotebookExperiment.targets(count: settings.samples),
                referenceLabel: "targets (1/3 at −1, 2/3 at +1)",
                title: "A pedestrian goes to −1 or +1: \(settings.predictions.formatted()) predictions per model, seed \(seedList[0])")
            try svg.write(toFile: out, atomically: true, encoding: .utf8)
            printError("figure: \(out)")
        }
        if seeds == nil {
            print(Listing(columns: ["model", "mean", "std", "frac_below_0", "near_minus_1", "near_plus_1", "w1",
                                    "bimodal", "train_s"],
                          rows: all.map { r in
                              [.text(r.model.rawValue), .real(rounded(r.stats.mean, 3)), .real(rounded(r.stats.std, 3)),
                               .real(rounded(r.stats.fractionBelowZero, 3)), .real(rounded(r.stats.fractionNearMinusOne, 3)),
                               .real(rounded(r.stats.fractionNearPlusOne, 3)), .real(rounded(r.stats.wasserstein, 3)),
                               .text(r.stats.isBimodal ? "yes" : "no"), .real(rounded(r.trainingSeconds, 2))]
                          }).rendered(as: output.format), terminator: "")
        } else {
            print(Listing(columns: ["model", "bimodal_seeds", "seeds", "mean_min", "mean_max", "near_minus_1_min",
                                    "near_minus_1_max", "w1_median"],
                          rows: settings.models.map { model in
                              let rows = all.filter { $0.model == model }
                              let w1 = rows.map(\.stats.wasserstein).sorted()
                              return [.text(model.rawValue), .integer(Int64(rows.filter(\.stats.isBimodal).count)),
                                      .integer(Int64(rows.count)),
                                      .real(rounded(rows.map(\.stats.mean).min()!, 3)),
                                      .real(rounded(rows.map(\.stats.mean).max()!, 3)),
                                      .real(rounded(rows.map(\.stats.fractionNearMinusOne).min()!, 3)),
                                      .real(rounded(rows.map(\.stats.fractionNearMinusOne).max()!, 3)),
                                      .real(rounded(w1[w1.count / 2], 3))]
                          }).rendered(as: output.format), terminator: "")
        }
    }
}

/// "0-14", "3,5,8" or "2" as a list of seeds.
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
    return seeds
}
