// `trajpred benchmark ethucy`: the ETH/UCY leave-one-out protocol in one command — import the
// tree, train one model per held-out scene on its train split (validated on its val split),
// evaluate on its test split — with the baselines and the published numbers beside it.
import ArgumentParser
import Foundation
import TrajectoryStore

struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Standard benchmarks of the field.",
        subcommands: [BenchmarkETHUCY.self]
    )
}

struct BenchmarkETHUCY: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ethucy",
        abstract: "Leave-one-out ETH/UCY: train per held-out scene, minADE/minFDE@20 on its test split.",
        discussion: """
            --data is the tree of ../shared/data/ethucy (scene folders with train/val/test). Training options \
            are those of `trajpred train`, with its defaults. Prints the per-scene table with the average, \
            beside constant velocity and sampled constant velocity (same evaluator, same windows) and the \
            published best-of-20 numbers, and writes it as Markdown with --out.
            """
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "The ETH/UCY tree.") var data: String
    @Option(help: "Seeds to repeat with, e.g. 0 or 0-2.") var seeds: String = "0"
    @Option(help: "Held-out scenes, comma-separated.") var scenes: String = "eth,hotel,univ,zara1,zara2"
    @Option(help: "Past encoder: mlp or gru.") var encoder: String = "mlp"
    @Option(help: "Epochs per model.") var epochs: Int = 50
    @Option(help: "Weight of the KL term.") var beta: Float = 0.01
    @Option(help: "Write the table as Markdown to this file.") var out: String?

    /// Published best-of-20 ADE/FDE averages on ETH/UCY (PRODUCT.md).
    static let published: [(String, Double, Double)] = [
        ("Social-GAN", 0.58, 1.18), ("Social-STGCNN", 0.44, 0.75), ("Trajectron++ (leakage fixed)", 0.32, 0.55),
        ("sampled constant velocity (published)", 0.28, 0.49), ("AgentFormer", 0.23, 0.39), ("EigenTrajectory", 0.21, 0.34),
    ]

    func run() throws {
        let started = ContinuousClock.now
        let seedList = try parseSeeds(seeds)
        let sceneList = scenes.split(separator: ",").map(String.init)
        let importing = try ImportCommand.parse([data, "--db", store.db])
        try importing.run()
        let database = try store.open()
        // results[method][scene] = [(ade, fde)] over seeds
        var results: [String: [String: [(Double, Double)]]] = [:]
        var methods: [String] = []
        for scene in sceneList {
            for seed in seedList {
                fflush(nil)
                printError("\n== \(scene), seed \(seed): train on \(scene)/train, validate on \(scene)/val")
                let name = "ethucy-\(scene)-\(encoder)-b\(beta)-e\(epochs)-s\(seed)-\(Int(Date().timeIntervalSince1970))"
                let training = try TrainCommand.parse(["--train", "\(scene)/train", "--val", "\(scene)/val", "--encoder", encoder,
                                                       "--epochs", String(epochs), "--beta", String(beta), "--seed", String(seed),
                                                       "--name", name, "--db", store.db, "--progress", "plain"])
                try training.run()
                let loaded = try loadModel(database, run: name, checkpoint: .best)
                let report = try evaluate(database, loaded: loaded, data: "\(scene)/test", k: 20, seed: seed, headingNoise: 25)
                let evaluation = try database.createRun(
                    name: nil, kind: "evaluate",
                    config: "{\"data\":\"\(scene)/test\",\"k\":20,\"seed\":\(seed),\"checkpoint\":\"best\",\"benchmark\":\"ethucy\"}",
                    parent: loaded.run.id)
                try database.storeMetrics(run: evaluation.id, report.metrics)
                for row in report.rows where row.scope == "all" {
                    let method = row.method.hasPrefix("model") ? "trajpred CVAE (\(encoder), β \(String(format: "%g", beta)))" : row.method
                    if !methods.contains(method) { methods.append(method) }
                    results[method, default: [:]][scene, default: []].append((row.result.minADE, row.result.minFDE))
                }
            }
        }
        let minutes = (ContinuousClock.now - started) / .seconds(60)
        let markdown = table(results: results, methods: methods, scenes: sceneList, seeds: seedList.count, minutes: minutes)
        fflush(nil)
        print("\n" + markdown)
        if let out { try markdown.write(toFile: out, atomically: true, encoding: .utf8) }
    }

    func table(results: [String: [String: [(Double, Double)]]], methods: [String], scenes: [String], seeds: Int,
               minutes: Double) -> String {
        func cell(_ values: [(Double, Double)]) -> String {
            let ade = values.map(\.0).reduce(0, +) / Double(values.count), fde = values.map(\.1).reduce(0, +) / Double(values.count)
            return String(format: "%.2f / %.2f", ade, fde)
        }
        var lines = ["ETH/UCY leave-one-out, minADE@20 / minFDE@20 in meters (per-pedestrian minimum), "
            + "mean of \(seeds) seed\(seeds == 1 ? "" : "s"); \(String(format: "%.1f", minutes)) minutes on this machine.", "",
            "| method | " + scenes.joined(separator: " | ") + " | AVG |",
            "|---|" + String(repeating: "---|", count: scenes.count + 1)]
        for method in methods {
            let perScene = scenes.map { results[method]?[$0] ?? [] }
            let averages = perScene.filter { !$0.isEmpty }.map { values in
                (values.map(\.0).reduce(0, +) / Double(values.count), values.map(\.1).reduce(0, +) / Double(values.count))
            }
            lines.append("| \(method) | " + perScene.map { $0.isEmpty ? "–" : cell($0) }.joined(separator: " | ")
                + " | **" + (averages.isEmpty ? "–" : cell(averages)) + "** |")
        }
        for (name, ade, fde) in Self.published {
            lines.append("| \(name) | " + String(repeating: "– | ", count: scenes.count) + String(format: "%.2f / %.2f |", ade, fde))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
