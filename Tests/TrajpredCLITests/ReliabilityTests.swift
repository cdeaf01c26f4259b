// What trajpred promises when things go wrong: a killed import leaves its file wholly present
// or absent, a killed or twice-interrupted training leaves a sound database and a resumable run,
// readers in another process never see a half-written epoch nor a lock error, a full disk is a
// message, and a diverging run is marked failed. TRAJPRED_LONG_TESTS=1 runs the long variants
// (20 kills per import instead of 3).
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

let longTests = ProcessInfo.processInfo.environment["TRAJPRED_LONG_TESTS"] == "1"

/// An ETH/UCY file of `rows` rows: pedestrians of 100 steps, staggered, sorted by frame.
func writeLargeFile(_ path: String, rows: Int) throws {
    var lines: [(Int, Int, String)] = []
    lines.reserveCapacity(rows)
    var pedestrian = 0
    while lines.count < rows {
        pedestrian += 1
        let start = (pedestrian * 7919) % 2000 * 10
        for k in 0..<min(100, rows - lines.count) {
            lines.append((start + 10 * k, pedestrian, "\(Double(k) * 0.4 + Double(pedestrian % 13))\t\(Double(pedestrian % 17) * 0.5)"))
        }
    }
    lines.sort { ($0.0, $0.1) < ($1.0, $1.1) }
    try lines.map { "\($0.0).0\t\($0.1).0\t\($0.2)" }.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
}

@Suite(.serialized) struct ReliabilityTests {
    @Test func killedImportLeavesTheFileWhollyPresentOrAbsent() throws {
        let folder = temporaryFolder()
        try writeLargeFile(folder + "/big.txt", rows: 200_000)
        // How long one import takes, to kill at moments spread over it.
        let clock = ContinuousClock()
        let began = clock.now
        #expect(try run(trajpred, ["import", "big.txt", "--dataset", "timing", "--db", "timing.sqlite"], in: folder).status == 0)
        let duration = (clock.now - began) / .seconds(1)
        var generator = SystemRandomNumberGenerator()
        var present = 0, absent = 0
        for kill in 0..<(longTests ? 20 : 3) {
            let (process, _) = try start(["import", "big.txt", "--dataset", "d"], in: folder)
            usleep(UInt32(Double.random(in: 0.05...1.0, using: &generator) * duration * 1e6))
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(try sqlite3("trajpred.sqlite", "PRAGMA integrity_check", in: folder) == "ok\n", "kill \(kill)")
            let rows = try sqlite3("trajpred.sqlite", "SELECT count(*) FROM position", in: folder)
            #expect(rows == "0\n" || rows == "200000\n", "kill \(kill): \(rows)")
            // Once present, later runs find the same content and skip it: killing them must not damage it either.
            if rows == "0\n" { absent += 1 } else { present += 1 }
        }
        let again = try run(trajpred, ["import", "big.txt", "--dataset", "d"], in: folder)
        #expect(again.status == 0)
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM position", in: folder) == "200000\n")
        #expect(present + absent == (longTests ? 20 : 3))
    }

    @Test func killedTrainingResumesToTheUninterruptedWeights() throws {
        let folder = try importedFolder()
        #expect(try run(trajpred, ["train"] + smallTraining + ["--epochs", "30", "--name", "whole"], in: folder).status == 0)
        let (process, out) = try start(["train"] + smallTraining + ["--epochs", "30", "--name", "killed"], in: folder)
        #expect(waitFor("epoch   2/30", in: out))
        usleep(70_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(try sqlite3("trajpred.sqlite", "PRAGMA integrity_check", in: folder) == "ok\n")
        let resumed = try run(trajpred, ["train", "--resume", "killed", "--progress", "plain"], in: folder)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try lastTensors("killed", in: folder) == (try lastTensors("whole", in: folder)))
    }

    @Test func secondCtrlCExitsAtOnceAndLeavesASoundDatabase() throws {
        let folder = try importedFolder()
        let (process, out) = try start(["train"] + smallTraining + ["--epochs", "200", "--name", "twice"], in: folder)
        #expect(waitFor("epoch   1/200", in: out))
        process.interrupt()
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(try sqlite3("trajpred.sqlite", "PRAGMA integrity_check", in: folder) == "ok\n")
        // Whatever the moment, a 'last' checkpoint of a whole epoch exists and the run resumes.
        let resumed = try run(trajpred, ["train", "--resume", "twice", "--progress", "plain"], in: folder)
        #expect(resumed.status == 0, "\(resumed.stderr)")
    }

    @Test func readersInAnotherProcessNeverSeeAHalfWrittenEpoch() throws {
        let folder = try importedFolder()
        let (process, _) = try start(["train"] + smallTraining + ["--epochs", "120", "--name", "busy"], in: folder)
        var reads = 0, errors: [String] = [], inconsistent = 0
        while process.isRunning {
            // One statement, one snapshot: the epoch rows and the 'last' checkpoint are written together.
            let result = try run("/usr/bin/sqlite3", ["-batch", "-csv", "trajpred.sqlite", """
                SELECT (SELECT count(*) FROM epoch) = coalesce((SELECT epoch FROM checkpoint WHERE label = 'last'), 0),
                       (SELECT count(*) FROM run_summary)
                """], in: folder)
            reads += 1
            if result.status != 0 { errors.append(result.stderr) } else if !result.stdout.hasPrefix("1,") { inconsistent += 1 }
        }
        #expect(process.terminationStatus == 0, "the writer failed while being read")
        #expect(errors.isEmpty, "\(errors.prefix(3))")
        #expect(inconsistent == 0)
        #expect(reads > 10)
    }

    @Test func fullDiskIsAMessageAndChangesNothing() throws {
        let folder = try importedFolder()
        try writeLargeFile(folder + "/big.txt", rows: 200_000)
        let before = try sqlite3("trajpred.sqlite", "SELECT count(*) FROM position", in: folder)
        // A file-size limit of the database's size + 1 MB: 200,000 more rows (~5 MB) cannot be written.
        let size = try FileManager.default.attributesOfItem(atPath: folder + "/trajpred.sqlite")[.size] as! Int
        let result = try run("/bin/bash", ["-c", "ulimit -f \(size / 1024 + 1024); exec \"$0\" import big.txt --dataset big",
                                           trajpred], in: folder)
        #expect(result.status == 1)
        #expect(result.stderr.contains("big.txt") && result.stderr.contains("SQLite error"), "\(result.stderr)")
        #expect(try sqlite3("trajpred.sqlite", "PRAGMA integrity_check", in: folder) == "ok\n")
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM position", in: folder) == before)
    }

    @Test func divergingTrainingIsMarkedFailed() throws {
        let folder = try importedFolder()
        let result = try run(trajpred, ["train"] + smallTraining + ["--epochs", "20", "--lr", "1e9", "--name", "wild"], in: folder)
        #expect(result.status == 1)
        #expect(result.stderr.contains("the loss became"))
        #expect(try sqlite3("trajpred.sqlite", "SELECT status, error IS NOT NULL FROM run WHERE name = 'wild'", in: folder)
            == "failed,1\n")
        #expect(try sqlite3("trajpred.sqlite", "PRAGMA integrity_check", in: folder) == "ok\n")
    }
}
