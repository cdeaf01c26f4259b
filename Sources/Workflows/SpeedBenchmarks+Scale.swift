// `trajpred bench scale`: the store and the windows at a size, on this machine. A synthetic store
// of N positions (ten ETH/UCY files of walkers, 200 steps each, about 100 present at a time in each
// file) in a temporary folder: the import, each of the README's queries on it (first run and the
// median of five), loading every window, and one training epoch, each with the peak memory it
// reached (VmHWM, reset before each phase). Not a test: the figures go in the README.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TrajectoryData
import TrajectoryModel
import TrajectoryStore

extension SpeedBenchmarks {
    /// The README's queries, on the bench's data (dataset `bench`, scenes `walkers0` …).
    static func scaleQueries(frame: Int) -> [(name: String, sql: String)] {
        let scene = "dataset = 'bench' AND scene = 'walkers0'"
        let time = Double(frame) * 0.04
        return [
            ("what is in the store", "SELECT * FROM dataset_summary"),
            ("tracks seen ≥ 20 steps", "SELECT pedestrian, first_frame, last_frame, positions FROM track WHERE \(scene) AND positions >= 20 AND gaps = 0"),
            ("everyone at a frame", "SELECT pedestrian, x, y FROM trajectory WHERE \(scene) AND frame = \(frame)"),
            ("everyone during a second", "SELECT frame, pedestrian, x, y FROM trajectory WHERE \(scene) AND time >= \(time) AND time < \(time + 1)"),
            ("one pedestrian's path and speed", """
                SELECT frame, x, y, sqrt(power(x - lag(x) OVER w, 2) + power(y - lag(y) OVER w, 2)) / (time - lag(time) OVER w) AS speed
                FROM trajectory WHERE \(scene) AND pedestrian = '3' WINDOW w AS (ORDER BY step)
                """),
            ("the size of each split", """
                SELECT dataset, split, count(*) AS scenes, sum(pedestrians) AS pedestrians, sum(positions) AS positions
                FROM scene_summary GROUP BY dataset, split
                """),
            ("runs", "SELECT * FROM run_summary"),
            ("a run's epochs", "SELECT epoch, loss, reconstruction, kl, val_min_ade FROM epoch WHERE run_id = 1 ORDER BY epoch"),
            ("a run's predictions beside the truth",
             "SELECT pedestrian, sample, step, x, y, true_x, true_y FROM prediction_view WHERE run_id = 2 LIMIT 5"),
            ("an evaluation", "SELECT * FROM evaluation WHERE run_id = 3"),
        ]
    }

    /// The bench at `positions` positions, in a temporary folder removed at the end (or in `folder`,
    /// kept). Columns: phase, seconds, count (rows, windows), per second, peak memory of the phase.
    public static func scale(positions: Int, folder given: String? = nil, progress: (String) -> Void = { _ in }) throws -> Listing {
        let folder = given ?? FileManager.default.temporaryDirectory.appendingPathComponent("trajpred-scale-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if given == nil { try? FileManager.default.removeItem(atPath: folder) } }
        var rows: [[SQLValue]] = []
        func row(_ phase: String, seconds: Double?, count: Int?, peak: Int?) {
            rows.append([.text(phase), seconds.map { .real(rounded($0, 4)) } ?? .null, count.map { .integer(Int64($0)) } ?? .null,
                         seconds.flatMap { s in count.map { .integer(Int64(Double($0) / max(s, 1e-9))) } } ?? .null,
                         peak.map { .real(rounded(Double($0) / 1e6, 1)) } ?? .null])
        }
        func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
            let clock = ContinuousClock()
            let start = clock.now
            let result = try body()
            return (result, (clock.now - start) / .seconds(1))
        }

        // Ten files, each walker 200 steps, starts spread so that about 100 walk at a time per file.
        let files = 10, perFile = (positions + files - 1) / files
        let span = max(2_000, perFile / 100)
        progress("bench scale: writing \(files) files of \(perFile) positions into \(folder)")
        for f in 0..<files {
            try writeWalkers(rows: min(perFile, positions - f * perFile), seed: UInt64(f + 1), span: span, to: "\(folder)/walkers\(f).txt")
        }
        let database = folder + "/scale.sqlite"
        let store = try Store(path: database)
        var settings = ImportSettings()
        (settings.dataset, settings.split) = ("bench", .train)
        progress("bench scale: importing")
        resetPeakResident()
        let (reports, importSeconds) = try timed {
            Importing.run(store, items: try Importing.plan((0..<files).map { "\(folder)/walkers\($0).txt" }, settings), settings)
        }
        if let failed = reports.first(where: { $0.status != .imported }) {
            throw WorkflowError.childFailed(command: "import \(failed.item.path): \(failed.detail)", status: 1)
        }
        row("import (\(files) files, positions)", seconds: importSeconds, count: positions, peak: peakResidentSinceReset())
        let bytes = (try? FileManager.default.attributesOfItem(atPath: database))?[.size] as? Int ?? 0
        rows.append([.text("store file (MB)"), .null, .null, .null, .real(rounded(Double(bytes) / 1e6, 1))])

        // Runs for the queries of runs: a training with two epochs, predictions for every position
        // of one scene (one sample, one step), an evaluation.
        let (_, runSeconds) = try timed {
            try store.database.execute("""
                INSERT INTO run (id, name, kind, status, config) VALUES
                    (1, 'scale-train', 'train', 'completed', '{"family": "cvae"}'),
                    (2, 'scale-predict', 'predict', 'completed', '{}'), (3, 'scale-eval', 'evaluate', 'completed', '{}');
                INSERT INTO epoch (run_id, epoch, loss, reconstruction, kl, beta, learning_rate, seconds)
                    VALUES (1, 1, 2, 1.5, 0.5, 0.01, 0.001, 1), (1, 2, 1, 0.8, 0.2, 0.01, 0.001, 1);
                INSERT INTO prediction (run_id, agent_id, last_observed_step, sample, step, x, y)
                    SELECT 2, p.agent_id, p.step - 1, 0, 1, p.x, p.y FROM agent AS a JOIN position AS p ON p.agent_id = a.id
                    WHERE a.scene_id = (SELECT min(id) FROM scene) AND p.step > 0;
                INSERT INTO metric (run_id, scope, method, name, value) VALUES (3, 'all', 'cvae', 'min_ade', 0.3);
                """)
        }
        let predictions = Int(try store.database.scalarInt("SELECT count(*) FROM prediction") ?? 0)
        row("store predictions of one scene", seconds: runSeconds, count: predictions, peak: nil)

        // Every README query: its first run, then the median of five.
        let frame = 10 * (span / 2)
        for (name, sql) in scaleQueries(frame: frame) {
            let statement = try store.database.prepare(sql)
            var times: [Double] = [], count = 0
            for _ in 0..<6 {
                let (answered, seconds) = try timed { try statement.rows { _ in () }.count }
                (count, times) = (answered, times + [seconds])
            }
            row("query: \(name) (first)", seconds: times[0], count: count, peak: nil)
            row("query: \(name) (median of 5)", seconds: median(Array(times.dropFirst())), count: count, peak: nil)
        }

        // Every window, then one epoch of the default CVAE on them (batch 256, rotation).
        progress("bench scale: loading windows")
        resetPeakResident()
        let (loaded, loadSeconds) = try timed { try SceneWindows.load(store, selections: ["bench"], observed: 8, predicted: 12) }
        row("load windows", seconds: loadSeconds, count: loaded.windows.count, peak: peakResidentSinceReset())
        rows.append([.text("tracks in memory (MB, 24 bytes a position)"), .null, .integer(Int64(positions)), .null,
                     .real(rounded(Double(24 * positions) / 1e6, 1))])
        let configuration = try TrainingRunConfiguration(family: TrajectoryCVAE.family, options: ModelOptions(),
                                                         training: TrainingSettings(), train: [], val: [])
        progress("bench scale: one training epoch on \(loaded.windows.count) windows")
        let trainer = try TrainingSession.makeTrainer(configuration, train: loaded.windows, validation: loaded.windows,
                                                      resuming: nil)
        let (_, epochSeconds) = try timed { try trainer.benchmarkEpoch() }
        row("one training epoch (cvae mlp, batch 256)", seconds: epochSeconds, count: loaded.windows.count,
            peak: peakResidentSinceReset())
        return Listing(columns: ["phase", "seconds", "count", "per_second", "peak_mb"], rows: rows)
    }
}

/// Starts the peak resident memory (VmHWM) again from the current size (Linux: clear_refs 5).
func resetPeakResident() {
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
}

/// The peak resident memory since the last reset, in bytes (VmHWM; getrusage's peak where there is none).
func peakResidentSinceReset() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { return peakResidentBytes() }
    return kilobytes * 1024
}
