// `trajpred bench`: throughput of the workloads that matter, measured side by side with their
// reference (the sqlite3 shell for import), medians over repeats after a warm-up.
import ArgumentParser
import Foundation
import NNCore
import Notebook
import TrajectoryStore

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput against the reference implementations.",
        subcommands: [BenchNotebook.self, BenchImport.self]
    )
}

struct BenchImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a generated ETH/UCY file, beside the sqlite3 shell's .import of it into a STRICT table keyed in file order.",
        discussion: """
            Both run as child processes on the same file, alternating, after one warm-up each; the \
            table gives median seconds, rows per second, peak memory, and trajpred's time over sqlite3's.
            """
    )

    @OptionGroup var output: OutputOptions
    @Option(help: "Rows in the generated file.") var rows: Int = 1_000_000
    @Option(help: "Timed runs of each side.") var repeats: Int = 5
    @Option(help: "The sqlite3 shell to compare with.") var sqlite3: String = "sqlite3"

    func validate() throws {
        guard rows >= 1_000 else { throw ValidationError("--rows must be at least 1000") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trajpred-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/walkers.txt"
        try writeWalkers(rows: rows, to: file)
        let database = folder + "/bench.sqlite"

        func ours() throws -> ChildMeasurement {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
            return try measureChild([currentExecutable(), "import", file, "--dataset", "bench", "--db", database])
        }
        func shell() throws -> ChildMeasurement {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
            return try measureChild([
                sqlite3, database,
                "CREATE TABLE position (frame REAL NOT NULL, pedestrian REAL NOT NULL, x REAL NOT NULL, "
                    + "y REAL NOT NULL, PRIMARY KEY (frame, pedestrian)) STRICT, WITHOUT ROWID",
                ".mode tabs", ".import \(file) position",
            ])
        }
        printError("bench import: \(rows) rows, warm-up then \(repeats) runs each, alternating")
        _ = try ours()
        _ = try shell()
        var trajpredRuns: [ChildMeasurement] = [], shellRuns: [ChildMeasurement] = []
        for _ in 0..<repeats {
            trajpredRuns.append(try ours())
            shellRuns.append(try shell())
        }
        if let failed = (trajpredRuns + shellRuns).first(where: { $0.status != 0 }) {
            throw ValidationErrorText("a benchmark run failed with exit status \(failed.status)")
        }
        let oursMedian = median(trajpredRuns.map(\.seconds)), shellMedian = median(shellRuns.map(\.seconds))
        let listing = Listing(
            columns: ["workload", "implementation", "median_s", "rows_per_s", "peak_rss_mb", "ratio_to_sqlite3"],
            rows: [
                [.text("import"), .text("trajpred"), .real(rounded(oursMedian, 3)),
                 .integer(Int64(Double(rows) / oursMedian)),
                 .real(rounded(Double(trajpredRuns.map(\.peakRSSBytes).max()!) / 1e6, 1)),
                 .real(rounded(oursMedian / shellMedian, 2))],
                [.text("import"), .text("sqlite3 .import"), .real(rounded(shellMedian, 3)),
                 .integer(Int64(Double(rows) / shellMedian)),
                 .real(rounded(Double(shellRuns.map(\.peakRSSBytes).max()!) / 1e6, 1)), .real(1)],
            ])
        print(listing.rendered(as: output.format), terminator: "")
    }

    /// `rows` ETH/UCY rows: pedestrians of 200 steps each, random walks, starts staggered, sorted by frame.
    func writeWalkers(rows: Int, to path: String) throws {
        var rng = Xoshiro256(seed: 1)
        let steps = 200
        var lines: [(frame: Int, pedestrian: Int, x: Float, y: Float)] = []
        lines.reserveCapacity(rows)
        var pedestrian = 0
        while lines.count < rows {
            pedestrian += 1
            let start = rng.below(2_000) * 10
            var x = rng.uniform(-10, 10), y = rng.uniform(-10, 10)
            for k in 0..<min(steps, rows - lines.count) {
                x += 0.4 + 0.1 * rng.normal()
                y += 0.1 * rng.normal()
                lines.append((start + 10 * k, pedestrian, x, y))
            }
        }
        lines.sort { ($0.frame, $0.pedestrian) < ($1.frame, $1.pedestrian) }
        var text = ""
        text.reserveCapacity(rows * 40)
        for line in lines { text += "\(line.frame).0\t\(line.pedestrian).0\t\(line.x)\t\(line.y)\n" }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }
}

struct BenchNotebook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notebook",
        abstract: "Time the full 1-D notebook (six models × 10,000 epochs + 1,000,000 predictions each) per seed.",
        discussion: """
            Median wall time of --repeats runs after one warm-up, the achieved GFLOP/s, peak memory, and             with --reference (the JSON written by ../shared/reference/notebook_1d.py on this machine)             the speed-up over PyTorch. PyTorch's time is the sum of its six training times for the same             seed, which leaves out its predictions, so the speed-up shown is a lower bound.
            """
    )

    @OptionGroup var output: OutputOptions
    @Option(help: "Timed runs.") var repeats: Int = 3
    @Option(help: "The seed.") var seed: UInt64 = 0
    @Option(help: "JSON from notebook_1d.py --out, measured on this machine.") var reference: String?

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        let referenceSeconds = try reference.map(referenceNotebookSeconds)
        let settings = NotebookSettings()
        printError("bench notebook: warm-up, then \(repeats) runs")
        _ = NotebookExperiment.run(seed: seed, settings: settings)
        var times: [Double] = []
        for _ in 0..<repeats {
            let clock = ContinuousClock()
            let start = clock.now
            _ = NotebookExperiment.run(seed: seed, settings: settings)
            times.append((clock.now - start) / .seconds(1))
        }
        let seconds = median(times)
        let flops = NotebookExperiment.floatingPointOperations(settings)
        var rows: [[SQLValue]] = [[
            .text("notebook"), .text("trajpred"), .real(rounded(seconds, 3)), .real(rounded(flops / seconds / 1e9, 1)),
            .real(rounded(Double(peakResidentBytes()) / 1e6, 1)),
            referenceSeconds.map { .real(rounded($0 / seconds, 1)) } ?? .null,
        ]]
        if let referenceSeconds {
            rows.append([.text("notebook"), .text("PyTorch (training only)"), .real(rounded(referenceSeconds, 3)),
                         .real(rounded(flops / referenceSeconds / 1e9, 1)), .null, .real(1)])
        }
        print(Listing(columns: ["workload", "implementation", "seconds_per_seed", "gflop_per_s", "peak_rss_mb",
                                "speedup"], rows: rows).rendered(as: output.format), terminator: "")
    }

    /// Σ train_time_s of the first seed in a notebook_1d.py results file.
    func referenceNotebookSeconds(_ path: String) throws -> Double {
        guard let data = FileManager.default.contents(atPath: path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let results = json["results"] as? [String: Any],
              let first = results.keys.sorted().first, let models = results[first] as? [String: Any]
        else { throw ValidationErrorText("\(path): not a results file of notebook_1d.py (no \"results\")") }
        let times = models.values.compactMap { ($0 as? [String: Any])?["train_time_s"] as? Double }
        guard times.count == 6 else { throw ValidationErrorText("\(path): expected six models' train_time_s") }
        return times.reduce(0, +)
    }
}

/// The peak resident memory of this process so far, in bytes.
func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func rounded(_ value: Double, _ digits: Int) -> Double {
    let scale = pow(10, Double(digits))
    return (value * scale).rounded() / scale
}
