// `trajpred bench`: throughput of the workloads that matter, measured side by side with their
// reference (the sqlite3 shell for import), medians over repeats after a warm-up.
import ArgumentParser
import Foundation
import NNCore
import TrajectoryStore

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput against the reference implementations.",
        subcommands: [BenchImport.self]
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

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func rounded(_ value: Double, _ digits: Int) -> Double {
    let scale = pow(10, Double(digits))
    return (value * scale).rounded() / scale
}
