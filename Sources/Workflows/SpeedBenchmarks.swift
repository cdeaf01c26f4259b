// Throughput of the workloads that matter, measured beside their references: training and
// sampling of any model family (against the PyTorch reference's timings, when given), the 1-D
// notebook, import (against the sqlite3 shell's .import), and the matrix kernels. Medians over
// repeats after a warm-up; every result is a listing.
import Foundation
import NNCore
import Notebook
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

/// PyTorch's figures from the reference cvae_ref.py: one run's JSON (`--sample`) or the sweep file.
public struct ReferenceTimings: Sendable {
    var train: [String: Double] = [:]      // "mlp/256" → windows/s (2 threads)
    var sample: [String: Double] = [:]     // "mlp" → futures/s, calls of 1k pedestrians
    var latency: [String: Double] = [:]    // "mlp" → µs, one pedestrian, k = 1

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw WorkflowError.unreadable(path: path, reason: "not a JSON object from cvae_ref.py") }
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
            throw WorkflowError.unreadable(path: path, reason: "neither a cvae_ref.py run nor its sweep file")
        }
    }
}

/// One model to time: a family, its options, and the name the reference gives it ("mlp").
public struct BenchmarkedModel: Sendable {
    public var family: String
    public var options: ModelOptions
    public var label: String

    public init(family: String = TrajectoryCVAE.family, options: ModelOptions, label: String) {
        (self.family, self.options, self.label) = (family, options, label)
    }
}

public enum SpeedBenchmarks {
    /// Training throughput on 20,000 synthetic windows (the reference's protocol: Adam 1e-3, no
    /// augmentation, one warm-up epoch, then the median of `epochs` timed epochs).
    public static func train(_ models: [BenchmarkedModel], batches: [Int], epochs: Int, reference: ReferenceTimings?,
                             progress: (String) -> Void = { _ in }) throws -> Listing {
        let windows = SyntheticWalks.windows(count: 20_000, seed: 7)
        var rows: [[SQLValue]] = []
        for benchmarked in models {
            for batch in batches {
                var settings = TrainingSettings()
                (settings.batch, settings.rotate) = (batch, false)
                let configuration = try TrainingRunConfiguration(family: benchmarked.family, options: benchmarked.options,
                                                                 training: settings, train: [], val: [])
                let trainer = try TrainingSession.makeTrainer(configuration, train: windows, validation: windows,
                                                              resuming: nil)
                progress("bench train: \(benchmarked.label), batch \(batch): warm-up + \(epochs) epochs")
                _ = try trainer.benchmarkEpoch()
                var rates: [Double] = []
                for _ in 0..<epochs {
                    let clock = ContinuousClock()
                    let start = clock.now
                    _ = try trainer.benchmarkEpoch()
                    rates.append(Double(windows.count) / ((clock.now - start) / .seconds(1)))
                }
                let rate = median(rates)
                let flops = trainer.trainingMultiplyAddsPerWindow.map { Double(2 * $0) }
                let torch = reference?.train["\(benchmarked.label)/\(batch)"]
                rows.append([.text("train"), .text(benchmarked.label), .integer(Int64(batch)), .integer(Int64(rate)),
                             flops.map { .real(rounded(rate * $0 / 1e9, 1)) } ?? .null,
                             .real(rounded(Double(peakResidentBytes()) / 1e6, 1)),
                             torch.map { .integer(Int64($0)) } ?? .null, torch.map { .real(rounded(rate / $0, 2)) } ?? .null])
            }
        }
        return Listing(columns: ["workload", "encoder", "batch", "windows_per_s", "gflop_per_s", "peak_rss_mb",
                                 "pytorch_windows_per_s", "speedup"], rows: rows)
    }

    /// Sampling throughput (10,000 pedestrians × k = 20 in calls of 1,000) and the latency of one
    /// pedestrian with k = 1, on untrained models (the work does not depend on the weights).
    public static func sample(_ models: [BenchmarkedModel], repeats: Int, reference: ReferenceTimings?,
                              progress: (String) -> Void = { _ in }) throws -> Listing {
        let windows = SyntheticWalks.windows(count: 10_000, seed: 8)
        var rows: [[SQLValue]] = []
        for benchmarked in models {
            let configuration = try TrainingRunConfiguration(family: benchmarked.family, options: benchmarked.options,
                                                             training: TrainingSettings(), train: [], val: [])
            progress("bench sample: \(benchmarked.label): warm-up + \(repeats) passes, then 3000 single calls")
            func measure<M: ForecastModel>(_ type: M.Type) throws -> [SQLValue] {
                let c = try configuration.modelConfiguration(of: M.self)
                var rng = Xoshiro256(seed: 1)
                let model = M(c, using: &rng)
                let k = 20, chunk = 1000
                let workspace = model.makeSamplingWorkspace(windows: chunk, k: k)
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
                _ = pass()
                let futuresPerSecond = Double(windows.count * k) / median((0..<repeats).map { _ in pass() })
                let single = model.makeSamplingWorkspace(windows: 1, k: 1)
                var latencies: [Double] = []
                for i in 0..<3200 {
                    let clock = ContinuousClock()
                    let start = clock.now
                    _ = model.sample(windows, [i % windows.count], k: 1, using: &rng, workspace: single)
                    if i >= 200 { latencies.append((clock.now - start) / .microseconds(1)) }
                }
                let latency = median(latencies)
                let torchRate = reference?.sample[benchmarked.label], torchLatency = reference?.latency[benchmarked.label]
                return [.text("sample k=20"), .text(benchmarked.label), .integer(Int64(futuresPerSecond)),
                        model.samplingMultiplyAddsPerFuture(k: k).map { .real(rounded(futuresPerSecond * 2 * $0 / 1e9, 1)) }
                            ?? .null,
                        torchRate.map { .integer(Int64($0)) } ?? .null,
                        torchRate.map { .real(rounded(futuresPerSecond / $0, 2)) } ?? .null,
                        .real(rounded(latency, 1)), torchLatency.map { .real(rounded($0, 1)) } ?? .null,
                        torchLatency.map { .real(rounded(latency / $0, 3)) } ?? .null,
                        .real(rounded(Double(peakResidentBytes()) / 1e6, 1))]
            }
            rows.append(try measure(try ModelRegistry.family(named: benchmarked.family)))
        }
        return Listing(columns: ["workload", "encoder", "futures_per_s", "gflop_per_s", "pytorch_futures_per_s", "speedup",
                                 "latency_us", "pytorch_latency_us", "latency_ratio", "peak_rss_mb"], rows: rows)
    }

    /// The 1-D notebook (six models × 10,000 epochs + 1,000,000 predictions each) per seed, beside
    /// PyTorch's training time from notebook_1d.py's results file when given.
    public static func notebook(seed: UInt64, repeats: Int, referencePath: String?,
                                progress: (String) -> Void = { _ in }) throws -> Listing {
        let referenceSeconds = try referencePath.map(referenceNotebookSeconds)
        let settings = NotebookSettings()
        progress("bench notebook: warm-up, then \(repeats) runs")
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
        return Listing(columns: ["workload", "implementation", "seconds_per_seed", "gflop_per_s", "peak_rss_mb", "speedup"],
                       rows: rows)
    }

    /// Σ train_time_s of the first seed in a notebook_1d.py results file.
    static func referenceNotebookSeconds(_ path: String) throws -> Double {
        guard let data = FileManager.default.contents(atPath: path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let results = json["results"] as? [String: Any],
              let first = results.keys.sorted().first, let models = results[first] as? [String: Any]
        else { throw WorkflowError.unreadable(path: path, reason: "not a results file of notebook_1d.py (no \"results\")") }
        let times = models.values.compactMap { ($0 as? [String: Any])?["train_time_s"] as? Double }
        guard times.count == 6 else { throw WorkflowError.unreadable(path: path, reason: "expected six models' train_time_s") }
        return times.reduce(0, +)
    }

    /// Imports a generated ETH/UCY file of `rows` rows with this executable and with the sqlite3
    /// shell's .import into a STRICT table keyed in file order, as child processes, alternating
    /// after one warm-up each: median seconds, rows per second, peak memory, and the ratio. With
    /// `resample` (seconds) the file is a 30 fps video's (a frame id per frame, walkers at 1.2 m/s)
    /// and a third side imports it with `--resample`: the last column is its time over the plain
    /// import's.
    public static func importing(rows: Int, repeats: Int, sqlite3: String, resample: Double? = nil,
                                 progress: (String) -> Void = { _ in }) throws -> Listing {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trajpred-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/walkers.txt"
        // 0.4 s steps of 10 frame ids (the benchmark's files), or 30 frames per second.
        let (frameStep, metersPerFrame) = resample == nil ? (10, 0.4) : (1, 0.4 / 12)
        try writeWalkers(rows: rows, frameStep: frameStep, metersPerFrame: Float(metersPerFrame), to: file)
        let database = folder + "/bench.sqlite"
        func fresh() { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) } }
        let plainImport = [currentExecutable(), "import", file, "--dataset", "bench", "--db", database]
            + (resample == nil ? [] : ["--dt", "\(1.0 / 30)"])
        var sides: [(workload: String, implementation: String, arguments: [String])] = [
            ("import", "trajpred", plainImport),
            ("import", "sqlite3 .import", [
                sqlite3, database,
                "CREATE TABLE position (frame REAL NOT NULL, pedestrian REAL NOT NULL, x REAL NOT NULL, "
                    + "y REAL NOT NULL, PRIMARY KEY (frame, pedestrian)) STRICT, WITHOUT ROWID",
                ".mode tabs", ".import \(file) position",
            ]),
        ]
        if let resample {
            sides.insert(("import --resample \(resample)", "trajpred", plainImport + ["--resample", "\(resample)"]), at: 1)
        }
        progress("bench import: \(rows) rows\(resample == nil ? "" : " at 30 fps"), warm-up then \(repeats) runs of "
            + "each of \(sides.count), alternating")
        var runs = [[ChildMeasurement]](repeating: [], count: sides.count)
        for round in 0...repeats {
            for (i, side) in sides.enumerated() {
                fresh()
                let measurement = try measureChild(side.arguments)
                guard measurement.status == 0 else {
                    throw WorkflowError.childFailed(command: "\(side.implementation) \(side.workload)", status: measurement.status)
                }
                if round > 0 { runs[i].append(measurement) }   // round 0 warms up
            }
        }
        let medians = runs.map { median($0.map(\.seconds)) }
        let shell = medians[sides.count - 1]
        var columns = ["workload", "implementation", "median_s", "rows_per_s", "peak_rss_mb", "ratio_to_sqlite3"]
        if resample != nil { columns.append("ratio_to_plain_import") }
        return Listing(columns: columns, rows: sides.indices.map { i in
            var row: [SQLValue] = [
                .text(sides[i].workload), .text(sides[i].implementation), .real(rounded(medians[i], 3)),
                .integer(Int64(Double(rows) / medians[i])),
                .real(rounded(Double(runs[i].map(\.peakRSSBytes).max()!) / 1e6, 1)), .real(rounded(medians[i] / shell, 2)),
            ]
            if resample != nil { row.append(sides[i].implementation == "trajpred" ? .real(rounded(medians[i] / medians[0], 2)) : .null) }
            return row
        })
    }

    /// `rows` ETH/UCY rows: pedestrians of 200 steps each, random walks, starts staggered over
    /// `span` steps, sorted by frame; `frameStep` frame ids and `metersPerFrame` × `frameStep` meters
    /// forward between two rows of a walker.
    static func writeWalkers(rows: Int, frameStep: Int = 10, metersPerFrame: Float = 0.04, seed: UInt64 = 1,
                             span: Int = 2_000, to path: String) throws {
        var rng = Xoshiro256(seed: seed)
        let steps = 200, forward = metersPerFrame * Float(frameStep), noise = forward / 4
        var lines: [(frame: Int, pedestrian: Int, x: Float, y: Float)] = []
        lines.reserveCapacity(rows)
        var pedestrian = 0
        while lines.count < rows {
            pedestrian += 1
            let start = rng.below(span) * frameStep
            var x = rng.uniform(-10, 10), y = rng.uniform(-10, 10)
            for k in 0..<min(steps, rows - lines.count) {
                x += forward + noise * rng.normal()
                y += noise * rng.normal()
                lines.append((start + frameStep * k, pedestrian, x, y))
            }
        }
        lines.sort { ($0.frame, $0.pedestrian) < ($1.frame, $1.pedestrian) }
        var text = ""
        text.reserveCapacity(rows * 40)
        for line in lines { text += "\(line.frame).0\t\(line.pedestrian).0\t\(line.x)\t\(line.y)\n" }
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    /// GFLOP/s of the matrix kernels on one 128×128 layer over `batch` columns, one thread: forward
    /// (W·X), input gradient (Wᵀ·dY) and weight gradient (dY·Xᵀ).
    public static func gemm(batch: Int, repeats: Int) -> Listing {
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
        return Listing(columns: ["product", "shape", "microseconds", "gflop_per_s"], rows: [
            [.text("forward W·X (gemmNN)"), .text("\(m)×\(k) · \(k)×\(n)"), .real(rounded(forward * 1e6, 2)), .real(rounded(flops / forward / 1e9, 1))],
            [.text("input gradient Wᵀ·dY (gemmNN, transA)"), .text("\(k)×\(m) · \(m)×\(n)"), .real(rounded(input * 1e6, 2)), .real(rounded(flops / input / 1e9, 1))],
            [.text("weight gradient dY·Xᵀ (gemmNT)"), .text("\(m)×\(n) · \(n)×\(k)"), .real(rounded(weight * 1e6, 2)), .real(rounded(flops / weight / 1e9, 1))],
        ])
    }
}
