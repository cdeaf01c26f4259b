// `trajpred bench`: throughput of the workloads that matter, measured side by side with their
// reference (the sqlite3 shell for import), medians over repeats after a warm-up.
import ArgumentParser
import Foundation
import NNCore
import Notebook
import TrajectoryModel
import TrajectoryStore

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput against the reference implementations.",
        subcommands: [BenchTrain.self, BenchSample.self, BenchNotebook.self, BenchImport.self, BenchGemm.self]
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

/// PyTorch's figures from ../shared/reference/cvae_ref.py: one run's JSON (`--sample`) or the sweep file.
struct ReferenceTimings {
    var train: [String: Double] = [:]      // "mlp/256" → windows/s (2 threads)
    var sample: [String: Double] = [:]     // "mlp" → futures/s, calls of 1k pedestrians
    var latency: [String: Double] = [:]    // "mlp" → µs, one pedestrian, k = 1

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw ValidationErrorText("\(path): not a JSON object from cvae_ref.py") }
        if let runs = json["train"] as? [[String: Any]] {
            for run in runs where run["threads"] as? Int == 2 {
                if let encoder = run["encoder"] as? String, let batch = run["batch"] as? Int,
                   let rate = run["windows_per_s"] as? Double { train["\(encoder)/\(batch)"] = rate }
            }
            for run in (json["sample"] as? [[String: Any]] ?? []) where run["threads"] as? Int == 2 {
                guard let encoder = run["encoder"] as? String else { continue }
                sample[encoder] = (run["chunk1000"] as? [String: Any])?["futures_per_s"] as? Double
                latency[encoder] = (run["latency_1ped_k1_us_median"] as? [Double]).map { median($0) }
            }
        } else if let encoder = json["encoder"] as? String {
            if let batch = json["batch"] as? Int,
               let rate = (json["train"] as? [String: Any])?["windows_per_s_median"] as? Double {
                train["\(encoder)/\(batch)"] = rate
            }
            let sampling = json["sample"] as? [String: Any]
            sample[encoder] = (sampling?["chunk1000"] as? [String: Any])?["futures_per_s_median"] as? Double
            latency[encoder] = (sampling?["latency_1ped_k1_us"] as? [String: Any])?["median"] as? Double
        } else {
            throw ValidationErrorText("\(path): neither a cvae_ref.py run nor its sweep file")
        }
    }
}

struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training throughput of the CVAE (windows/s, GFLOP/s) on 20,000 synthetic windows, H=128, Z=16, beta=1.",
        discussion: """
        The reference's protocol: Adam 1e-3, one warm-up epoch, then the median of the timed epochs. \
        GFLOP/s counts the multiply-adds performed (the GRU skips its first step's hidden product, \
        which multiplies h_0 = 0).
        """
    )

    @OptionGroup var output: OutputOptions
    @Option(help: "Encoders, comma-separated.") var encoders: String = "mlp,gru"
    @Option(help: "Batch sizes, comma-separated.") var batches: String = "64,256,1024"
    @Option(help: "Timed epochs.") var epochs: Int = 5
    @Option(help: "JSON from ../shared/reference/cvae_ref.py (a run or the sweep file).") var reference: String?

    func run() throws {
        let referenceTimings = try reference.map { try ReferenceTimings(path: $0) }
        let windows = SyntheticWalks.windows(count: 20_000, seed: 7)
        var rows: [[SQLValue]] = []
        for encoder in try parseList(encoders, PastEncoder.init(rawValue:)) {
            for batch in try parseList(batches, Int.init) {
                var settings = TrainingSettings()
                settings.model = CVAEConfiguration(encoder: encoder)
                (settings.batch, settings.beta, settings.rotate) = (batch, 1, false)
                let trainer = try Trainer(settings: settings, train: windows, validation: windows)
                printError("bench train: \(encoder.rawValue), batch \(batch): warm-up + \(epochs) epochs")
                _ = try trainer.benchmarkEpoch()
                var rates: [Double] = []
                for _ in 0..<epochs {
                    let clock = ContinuousClock()
                    let start = clock.now
                    _ = try trainer.benchmarkEpoch()
                    rates.append(Double(windows.count) / ((clock.now - start) / .seconds(1)))
                }
                let rate = median(rates)
                let flops = Double(2 * trainer.model.performedTrainingMultiplyAdds)
                let torch = referenceTimings?.train["\(encoder.rawValue)/\(batch)"]
                rows.append([.text("train"), .text(encoder.rawValue), .integer(Int64(batch)), .integer(Int64(rate)),
                             .real(rounded(rate * flops / 1e9, 1)), .real(rounded(Double(peakResidentBytes()) / 1e6, 1)),
                             torch.map { .integer(Int64($0)) } ?? .null, torch.map { .real(rounded(rate / $0, 2)) } ?? .null])
            }
        }
        print(Listing(columns: ["workload", "encoder", "batch", "windows_per_s", "gflop_per_s", "peak_rss_mb",
                                "pytorch_windows_per_s", "speedup"], rows: rows).rendered(as: output.format), terminator: "")
    }
}

struct BenchSample: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Sampling throughput (10,000 pedestrians × k=20, calls of 1,000) and one-pedestrian k=1 latency.",
        discussion: """
        An untrained H=128, Z=16 model: the work does not depend on the weights. GFLOP/s counts the \
        multiply-adds performed: the h-part of the decoder's first layer once per pedestrian, not per future.
        """
    )

    @OptionGroup var output: OutputOptions
    @Option(help: "Encoders, comma-separated.") var encoders: String = "mlp,gru"
    @Option(help: "Timed passes over the 10,000 pedestrians.") var repeats: Int = 5
    @Option(help: "JSON from ../shared/reference/cvae_ref.py (a run or the sweep file).") var reference: String?

    func run() throws {
        let referenceTimings = try reference.map { try ReferenceTimings(path: $0) }
        let windows = SyntheticWalks.windows(count: 10_000, seed: 8)
        var rows: [[SQLValue]] = []
        for encoder in try parseList(encoders, PastEncoder.init(rawValue:)) {
            var rng = Xoshiro256(seed: 1)
            let model = TrajectoryCVAE(CVAEConfiguration(encoder: encoder), using: &rng)
            let k = 20, chunk = 1000
            let workspace = TrajectoryCVAE.SamplingWorkspace(model, windows: chunk, k: k)
            func pass() -> Double {
                let clock = ContinuousClock()
                let start = clock.now
                var first = 0
                while first < windows.count {
                    _ = model.sample(windows, Array(first..<min(windows.count, first + chunk))[...], k: k, using: &rng,
                                     workspace: workspace)
                    first += chunk
                }
                return (clock.now - start) / .seconds(1)
            }
            printError("bench sample: \(encoder.rawValue): warm-up + \(repeats) passes, then 3000 single calls")
            _ = pass()
            let futuresPerSecond = Double(windows.count * k) / median((0..<repeats).map { _ in pass() })
            let single = TrajectoryCVAE.SamplingWorkspace(model, windows: 1, k: 1)
            var latencies: [Double] = []
            for i in 0..<3200 {
                let clock = ContinuousClock()
                let start = clock.now
                _ = model.sample(windows, [i % windows.count], k: 1, using: &rng, workspace: single)
                if i >= 200 { latencies.append((clock.now - start) / .microseconds(1)) }
            }
            let latency = median(latencies)
            let torchRate = referenceTimings?.sample[encoder.rawValue], torchLatency = referenceTimings?.latency[encoder.rawValue]
            rows.append([.text("sample k=20"), .text(encoder.rawValue), .integer(Int64(futuresPerSecond)),
                         .real(rounded(futuresPerSecond * 2 * model.samplingMultiplyAdds(k: k) / 1e9, 1)),
                         torchRate.map { .integer(Int64($0)) } ?? .null, torchRate.map { .real(rounded(futuresPerSecond / $0, 2)) } ?? .null,
                         .real(rounded(latency, 1)), torchLatency.map { .real(rounded($0, 1)) } ?? .null,
                         torchLatency.map { .real(rounded(latency / $0, 3)) } ?? .null,
                         .real(rounded(Double(peakResidentBytes()) / 1e6, 1))])
        }
        print(Listing(columns: ["workload", "encoder", "futures_per_s", "gflop_per_s", "pytorch_futures_per_s", "speedup",
                                "latency_us", "pytorch_latency_us", "latency_ratio", "peak_rss_mb"],
                      rows: rows).rendered(as: output.format), terminator: "")
    }
}

struct BenchGemm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "GFLOP/s of the matrix kernels on the CVAE's shapes, one thread (the machine's FMA peak is ~100 per core).",
        discussion: "Forward (W·X), input gradient (Wᵀ·dY) and weight gradient (dY·Xᵀ) of a 128×128 layer on a batch."
    )

    @OptionGroup var output: OutputOptions
    @Option(help: "Batch columns.") var batch: Int = 256
    @Option(help: "Repeats per measurement.") var repeats: Int = 2000

    func run() throws {
        var rng = Xoshiro256(seed: 1)
        let (m, k, n) = (128, 128, batch)
        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }, b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        let dy = (0..<(m * n)).map { _ in rng.uniform(-1, 1) }
        var c = [Float](repeating: 0, count: m * n), dx = [Float](repeating: 0, count: k * n), dw = [Float](repeating: 0, count: m * k)
        func time(_ body: () -> Void) -> Double {
            body()
            let clock = ContinuousClock()
            let start = clock.now
            for _ in 0..<repeats { body() }
            return (clock.now - start) / .seconds(1) / Double(repeats)
        }
        let flops = 2.0 * Double(m * n * k)
        let forward = time { gemmNN(transA: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c, ldc: n, accumulate: false) }
        let input = time { gemmNN(transA: true, m: k, n: n, k: m, a: a, lda: k, b: dy, ldb: n, c: &dx, ldc: n, accumulate: false) }
        let weight = time { gemmNT(m: m, n: k, k: n, a: dy, lda: n, b: b, ldb: n, c: &dw, ldc: k, accumulate: false) }
        print(Listing(columns: ["product", "shape", "microseconds", "gflop_per_s"], rows: [
            [.text("forward W·X (gemmNN)"), .text("\(m)×\(k) · \(k)×\(n)"), .real(rounded(forward * 1e6, 2)), .real(rounded(flops / forward / 1e9, 1))],
            [.text("input gradient Wᵀ·dY (gemmNN, transA)"), .text("\(k)×\(m) · \(m)×\(n)"), .real(rounded(input * 1e6, 2)), .real(rounded(flops / input / 1e9, 1))],
            [.text("weight gradient dY·Xᵀ (gemmNT)"), .text("\(m)×\(n) · \(n)×\(k)"), .real(rounded(weight * 1e6, 2)), .real(rounded(flops / weight / 1e9, 1))],
        ]).rendered(as: output.format), terminator: "")
    }
}

/// "a,b,c" parsed by `parse`, with a message naming the bad item.
func parseList<T>(_ text: String, _ parse: (String) -> T?) throws -> [T] {
    try text.split(separator: ",").map { item in
        guard let value = parse(String(item)) else { throw ValidationErrorText("'\(item)' is not a valid value in '\(text)'") }
        return value
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
