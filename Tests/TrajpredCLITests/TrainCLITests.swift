// `trajpred train` end to end: epochs and checkpoints in the store, Ctrl-C then --resume ending
// with exactly the weights of an uninterrupted run, a kill -9 leaving a sound database, and
// refusals before any run is created.
import Foundation
import Testing

/// A folder with zara1 imported into ./trajpred.sqlite.
func importedFolder() throws -> String {
    let folder = temporaryFolder()
    let result = try run(trajpred, ["import", repositoryRoot + "/data/zara1"], in: folder)
    #expect(result.status == 0)
    return folder
}

let smallTraining = ["--train", "zara1/train/crowds_zara02", "--val", "zara1/val/crowds_zara02", "--hidden", "32",
                     "--latent", "4", "--batch", "64", "--progress", "plain"]

/// name → hex of the run's 'last' checkpoint tensors.
func lastTensors(_ runName: String, in folder: String) throws -> String {
    try sqlite3("trajpred.sqlite", """
        SELECT t.name || '=' || hex(t.data) FROM tensor AS t JOIN checkpoint AS c ON c.id = t.checkpoint_id
        JOIN run AS r ON r.id = c.run_id WHERE r.name = '\(runName)' AND c.label = 'last' ORDER BY t.name
        """, in: folder)
}

/// Starts trajpred in `folder` and returns the process and the file its stdout goes to.
func start(_ arguments: [String], in folder: String) throws -> (Process, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: trajpred)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    let out = folder + "/stdout-\(UUID().uuidString).txt"
    FileManager.default.createFile(atPath: out, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
    process.standardError = FileHandle.nullDevice
    try process.run()
    return (process, out)
}

/// Waits until the file at `path` contains `text` (or `seconds` pass).
func waitFor(_ text: String, in path: String, seconds: Double = 120) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if let content = try? String(contentsOfFile: path, encoding: .utf8), content.contains(text) { return true }
        usleep(20_000)
    }
    return false
}

@Suite(.serialized) struct TrainCLITests {
    @Test func trainStoresEpochsAndCheckpoints() throws {
        let folder = try importedFolder()
        let result = try run(trajpred, ["train"] + smallTraining + ["--epochs", "2", "--name", "small"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("epoch   2/2"))
        #expect(result.stdout.contains("constant velocity: minADE"))
        #expect(try sqlite3("trajpred.sqlite", "SELECT name, kind, status, epochs, epochs_planned, encoder FROM run_summary",
                            in: folder) == "small,train,completed,2,2,mlp\n")
        #expect(try sqlite3("trajpred.sqlite", "SELECT label, epoch, step FROM checkpoint ORDER BY label", in: folder)
            .hasSuffix("last,2,0\n"))
        // A weight tensor read back from the shell: 32×16 float32 little-endian values.
        #expect(try sqlite3("trajpred.sqlite", """
            SELECT t.shape, length(t.data) FROM tensor AS t JOIN checkpoint AS c ON c.id = t.checkpoint_id
            WHERE c.label = 'best' AND t.name = 'enc.0.weight'
            """, in: folder) == "\"[32,16]\",2048\n")
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM tensor AS t JOIN checkpoint AS c ON c.id = t.checkpoint_id WHERE c.label = 'best' AND t.name LIKE 'adam.%'", in: folder) == "0\n")
        let again = try run(trajpred, ["train"] + smallTraining + ["--epochs", "1", "--name", "small"], in: folder)
        #expect(again.status != 0)
        #expect(again.stderr.contains("a run named 'small' already exists"))
    }

    @Test func ctrlCThenResumeEqualsUninterrupted() throws {
        let folder = try importedFolder()
        let whole = try run(trajpred, ["train"] + smallTraining + ["--epochs", "40", "--name", "whole"], in: folder)
        #expect(whole.status == 0, "\(whole.stderr)")

        let (process, out) = try start(["train"] + smallTraining + ["--epochs", "40", "--name", "cut"], in: folder)
        #expect(waitFor("epoch   1/40", in: out))
        usleep(150_000)  // somewhere inside a later epoch
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(try sqlite3("trajpred.sqlite", "SELECT status FROM run WHERE name = 'cut'", in: folder) == "interrupted\n")

        // An option that would change the run is refused, not dropped (a failed run's --lr could not be mended so).
        for option in [["--lr", "0.01"], ["--epochs=9"], ["--model", "wta"], ["--name", "other"]] {
            let refused = try run(trajpred, ["train", "--resume", "cut"] + option, in: folder)
            #expect(refused.status == 64 && refused.stderr.contains("\(option[0].split(separator: "=")[0]) cannot be given "
                                                                    + "with --resume: a run goes on with the settings it started with"),
                    "\(refused.stderr)")
        }
        let resumed = try run(trajpred, ["train", "--resume", "cut", "--progress", "plain"], in: folder)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("resuming at epoch"))
        #expect(try sqlite3("trajpred.sqlite", "SELECT status, epochs FROM run_summary WHERE name = 'cut'", in: folder) == "completed,40\n")
        let expected = try lastTensors("whole", in: folder)
        #expect(!expected.isEmpty)
        #expect(try lastTensors("cut", in: folder) == expected, "resumed weights differ from the uninterrupted run")
        #expect(try sqlite3("trajpred.sqlite", "SELECT a.loss = b.loss FROM epoch AS a JOIN epoch AS b ON a.epoch = b.epoch WHERE a.run_id = (SELECT id FROM run WHERE name = 'whole') AND b.run_id = (SELECT id FROM run WHERE name = 'cut') AND a.epoch = 40", in: folder) == "1\n")
    }

    @Test func killDashNineLeavesASoundResumableDatabase() throws {
        let folder = try importedFolder()
        let (process, out) = try start(["train"] + smallTraining + ["--epochs", "50", "--name", "killed"], in: folder)
        #expect(waitFor("epoch   2/50", in: out))
        usleep(100_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(try sqlite3("trajpred.sqlite", "PRAGMA integrity_check", in: folder) == "ok\n")
        // The run still says running (nobody could say otherwise); its last checkpoint is a whole epoch.
        #expect(try sqlite3("trajpred.sqlite", "SELECT c.epoch = (SELECT max(epoch) FROM epoch) FROM checkpoint AS c WHERE label = 'last'", in: folder) == "1\n")
        let resumed = try run(trajpred, ["train", "--resume", "killed", "--progress", "plain"], in: folder)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try sqlite3("trajpred.sqlite", "SELECT status, epochs FROM run_summary", in: folder) == "completed,50\n")
    }

    @Test func runKilledBeforeItsFirstCheckpointStartsOver() throws {
        let folder = try importedFolder()
        #expect(try run(trajpred, ["train"] + smallTraining + ["--epochs", "2", "--name", "whole"], in: folder).status == 0)
        // A run row with no checkpoint: what a kill between its creation and the first epoch leaves.
        let config = try sqlite3("trajpred.sqlite", "SELECT config FROM run WHERE name = 'whole'", in: folder)
            .trimmingCharacters(in: .whitespacesAndNewlines).dropFirst().dropLast().replacingOccurrences(of: "\"\"", with: "\"")
        _ = try sqlite3("trajpred.sqlite", "INSERT INTO run (name, kind, status, config) VALUES ('early', 'train', 'running', '\(config)')",
                        in: folder)
        let resumed = try run(trajpred, ["train", "--resume", "early", "--progress", "plain"], in: folder)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("has no checkpoint yet: starting it over"))
        #expect(try lastTensors("early", in: folder) == (try lastTensors("whole", in: folder)))
    }

    @Test func refusesBeforeCreatingARun() throws {
        let folder = try importedFolder()
        for (arguments, message) in [
            (["--train", "nowhere/train", "--val", "zara1/val"], "no dataset named 'nowhere'"),
            (["--train", "zara1/dev", "--val", "zara1/val"], "'dev' in 'zara1/dev' is not a split"),
            (["--train", "zara1/train/none", "--val", "zara1/val"], "holds no scene"),
            (["--train", "zara1/train", "--val", "zara1/val", "--lr", "0"], "--lr must be a positive number"),
        ] {
            let result = try run(trajpred, ["train"] + arguments, in: folder)
            #expect(result.status != 0)
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM run", in: folder) == "0\n")
    }

    /// A failed run says why in `runs`, with when it ended.
    @Test func runsShowWhyARunFailed() throws {
        let folder = try importedFolder()
        let failed = try run(trajpred, ["train", "--train", "zara1/train/crowds_zara02", "--val", "zara1/val/crowds_zara02",
                                        "--epochs", "1", "--lr", "1e30", "--name", "boom"], in: folder)
        #expect(failed.status != 0 && failed.stderr.contains("the loss became"), "\(failed.stderr)")
        let listed = try run(trajpred, ["runs", "--format", "json"], in: folder)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let boom = try #require(rows.first { $0["name"] as? String == "boom" })
        #expect(boom["status"] as? String == "failed" && (boom["error"] as? String)?.contains("the loss became") == true
                && boom["ended_at"] is String, "\(boom)")
    }

    /// `--progress jsonl`: stdout is JSON lines only, one per epoch; the lines for people go to stderr.
    @Test func progressJSONLinesAreAloneOnStdout() throws {
        let folder = try importedFolder()
        let result = try run(trajpred, ["train", "--model", "anchors", "--train", "zara1/train/crowds_zara02",
                                        "--val", "zara1/val/crowds_zara02", "--progress", "jsonl", "--name", "a"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1 && lines.allSatisfy {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] != nil
        }, "\(result.stdout)")
        #expect(result.stderr.contains("run 1 (a): ") && result.stderr.contains("done: best epoch 1"), "\(result.stderr)")
    }

    /// One position 10 km off (frame 150) in a walk: the 9 training windows whose future jumps to it
    /// or from it are left out, saying so, and the CVAE trains (its squared error of 10^8 m² made the
    /// loss NaN at the first step); an evaluation on the same data still scores every window.
    @Test func trainingLeavesOutWindowsWhoseFutureJumps() throws {
        let folder = try importedFolder()
        let walk = stride(from: 0, to: 300, by: 10).map { "\($0)\t3\t\(Double($0) * 0.05)\t\($0 == 150 ? 10_000 : 0)" }
        try (walk.joined(separator: "\n") + "\n").write(toFile: folder + "/jump.txt", atomically: true, encoding: .utf8)
        #expect(try run(trajpred, ["import", "jump.txt", "--dataset", "jump", "--split", "train"], in: folder).status == 0)
        let trained = try run(trajpred, ["train", "--train", "jump", "--train", "zara1/val", "--val", "zara1/val",
                                         "--epochs", "1", "--name", "j"], in: folder)
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(trained.stderr.contains("note: 9 training windows left out: their future jumps more than 4 m in one step"),
                "\(trained.stderr)")
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM epoch WHERE loss = loss AND abs(loss) < 1e6", in: folder) == "1\n")
        let evaluated = try run(trajpred, ["eval", "--run", "j", "--data", "jump", "--format", "csv", "--sgan-loader"], in: folder)
        #expect(evaluated.status == 0 && evaluated.stdout.contains("all,model (j),11,"), "\(evaluated.stdout)")
        // One walker alone: Social-GAN's loader keeps none of its windows, and says so.
        #expect(!evaluated.stdout.contains("sgan-loader") && evaluated.stderr.contains(
            "no sgan-loader rows: Social-GAN's loader keeps none of these 11 windows"), "\(evaluated.stderr)")
    }
}
