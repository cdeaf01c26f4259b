// The 1-D study as a workflow: the notebook's six models over one or more seeds, their prediction
// statistics as a table (per model and seed, or per model over the seeds), and the figure of the
// first seed's predictions beside the targets.
import Foundation
import Notebook
import Plots
import TrajectoryStore

public struct NotebookStudy: Sendable {
    public var settings = NotebookSettings()
    public var seeds: [UInt64] = [0]
    /// The table per model over the seeds (bimodal count, ranges) rather than per model and seed.
    public var overSeeds = false

    public init() {}

    public struct Result: Sendable {
        public var results: [NotebookResult]
        /// Per model and seed, or per model over the seeds (`overSeeds`).
        public var table: Listing
        /// The figure, when asked for.
        public var figure: String?
    }

    /// Runs every seed; `trained` hears of each model as it finishes.
    public func run(figure: Bool, trained: @Sendable (NotebookResult) -> Void = { _ in }) -> Result {
        var all: [NotebookResult] = []
        for seed in seeds {
            all += NotebookExperiment.run(seed: seed, settings: settings, keepPredictions: figure, progress: trained)
        }
        return Result(results: all, table: overSeeds ? summary(all) : perSeed(all),
                      figure: figure ? self.figure(all.filter { $0.seed == seeds[0] }) : nil)
    }

    func figure(_ first: [NotebookResult]) -> String {
        HistogramFigure.render(
            panels: first.map { result in
                HistogramPanel(
                    title: result.model.title,
                    subtitle: String(format: "mean %.2f · near −1 %.0f %% · W1 %.2f", result.stats.mean,
                                     100 * result.stats.fractionNearMinusOne, result.stats.wasserstein),
                    samples: result.predictions)
            },
            reference: NotebookExperiment.targets(count: settings.samples),
            referenceLabel: "targets (1/3 at −1, 2/3 at +1)",
            title: "A pedestrian goes to −1 or +1: \(settings.predictions.formatted()) predictions per model, seed \(seeds[0])")
    }

    func perSeed(_ all: [NotebookResult]) -> Listing {
        Listing(columns: ["model", "mean", "std", "frac_below_0", "near_minus_1", "near_plus_1", "w1", "bimodal", "train_s"],
                rows: all.map { r in
                    [.text(r.model.rawValue), .real(rounded(r.stats.mean, 3)), .real(rounded(r.stats.std, 3)),
                     .real(rounded(r.stats.fractionBelowZero, 3)), .real(rounded(r.stats.fractionNearMinusOne, 3)),
                     .real(rounded(r.stats.fractionNearPlusOne, 3)), .real(rounded(r.stats.wasserstein, 3)),
                     .text(r.stats.isBimodal ? "yes" : "no"), .real(rounded(r.trainingSeconds, 2))]
                })
    }

    func summary(_ all: [NotebookResult]) -> Listing {
        Listing(columns: ["model", "bimodal_seeds", "seeds", "mean_min", "mean_max", "near_minus_1_min",
                          "near_minus_1_max", "w1_median"],
                rows: settings.models.map { model in
                    let rows = all.filter { $0.model == model }
                    let w1 = rows.map(\.stats.wasserstein).sorted()
                    return [.text(model.rawValue), .integer(Int64(rows.filter(\.stats.isBimodal).count)),
                            .integer(Int64(rows.count)),
                            .real(rounded(rows.map(\.stats.mean).min()!, 3)), .real(rounded(rows.map(\.stats.mean).max()!, 3)),
                            .real(rounded(rows.map(\.stats.fractionNearMinusOne).min()!, 3)),
                            .real(rounded(rows.map(\.stats.fractionNearMinusOne).max()!, 3)),
                            .real(rounded(w1[w1.count / 2], 3))]
                })
    }
}
