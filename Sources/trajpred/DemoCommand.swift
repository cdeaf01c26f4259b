// `trajpred demo`: the whole job on the data shipped in data/ — import, a short training,
// sampling, evaluation against the baselines, and pictures — in a folder of its own, by running
// the same commands a user would type.
import ArgumentParser
import Foundation
import TrajectoryStore

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Import data/zara1, train a CVAE briefly, sample, evaluate and draw, into one folder.",
        discussion: "Everything goes to --dir: the database, predictions.csv, evaluation.csv, scene.svg, curves.svg."
    )

    @Option(help: "The folder to write into (created if needed).") var dir: String = "trajpred-demo"
    @Option(help: "The ETH/UCY scene folder to use (default: data/zara1 of the repository).") var data: String?
    @Option(help: "Training epochs.") var epochs: Int = 15
    @Option(help: "The seed.") var seed: UInt64 = 0

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
    }

    func run() throws {
        let source = try data ?? shippedData()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let db = dir + "/demo.sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        let started = ContinuousClock.now
        func step(_ title: String) {
            fflush(nil)  // what the previous step printed comes before the next title, even through a pipe
            printError("\n== \(title)")
        }

        step("import \(source)")
        let importing = try ImportCommand.parse([source, "--dataset", "zara1", "--db", db])
        try importing.run()

        step("train on zara1/train, validate on zara1/val (\(epochs) epochs)")
        let training = try TrainCommand.parse(["--train", "zara1/train", "--val", "zara1/val", "--epochs", String(epochs),
                                               "--seed", String(seed), "--name", "demo", "--db", db, "--progress", "plain"])
        try training.run()

        let store = try Store(path: db, create: false)
        let frame = try store.database.scalarInt("""
            SELECT t.frame FROM trajectory AS t
            JOIN trajectory AS p ON p.scene = t.scene AND p.pedestrian = t.pedestrian AND p.step = t.step - 7
            WHERE t.dataset = 'zara1' AND t.split = 'test' GROUP BY t.frame ORDER BY count(*) DESC, t.frame LIMIT 1
            """) ?? 0
        let scene = try store.scenes(selection: "zara1/test").first!.path

        step("sample 20 futures of everyone at frame \(frame) of \(scene)")
        let sampling = try SampleCommand.parse(["--run", "demo", "--data", scene, "--frame", String(frame), "--k", "20",
                                                "--seed", String(seed), "--out", dir + "/predictions.csv", "--db", db, "--store"])
        try sampling.run()

        step("evaluate on zara1/test beside the baselines")
        let evaluating = try EvalCommand.parse(["--run", "demo", "--data", "zara1/test", "--seed", String(seed), "--db", db])
        let report = try evaluating.perform(store)
        print(report.listing.rendered(as: .table), terminator: "")
        try report.listing.rendered(as: .csv).write(toFile: dir + "/evaluation.csv", atomically: true, encoding: .utf8)

        step("draw")
        let scenePlot = try PlotCommand.parse(["--run", "demo", "--data", scene, "--frame", String(frame), "--seed", String(seed),
                                               "--density", "--out", dir + "/scene.svg", "--db", db])
        try scenePlot.run()
        let curvePlot = try PlotCommand.parse(["--run", "demo", "--curves", "--out", dir + "/curves.svg", "--db", db])
        try curvePlot.run()

        let seconds = (ContinuousClock.now - started) / .seconds(1)
        fflush(nil)
        print("""

            demo done in \(String(format: "%.0f", seconds)) s; everything is in \(dir)/:
              demo.sqlite      the store (sqlite3 \(dir)/demo.sqlite 'select * from run_summary')
              predictions.csv  20 futures of each pedestrian at frame \(frame) of \(scene)
              evaluation.csv   minADE/minFDE@20, KDE-NLL and collisions on zara1/test, with the baselines
              scene.svg        observed paths, true and sampled futures at frame \(frame)
              curves.svg       loss and validation curves of the training
            """)
    }

    /// data/zara1 of the repository: from the current folder, or beside the executable's checkout.
    func shippedData() throws -> String {
        var candidates = ["data/zara1"]
        var folder = URL(fileURLWithPath: currentExecutable()).deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.appendingPathComponent("data/zara1").path)
            folder.deleteLastPathComponent()
        }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0 + "/test") }) else {
            throw ValidationErrorText("cannot find data/zara1: run the demo from the repository, or give --data FOLDER")
        }
        return found
    }
}
