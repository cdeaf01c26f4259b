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
            // Killed before it created the store (a slow start on a busy machine), or while it created
            // the schema (each migration its own transaction): no position table, nothing written.
            let stored = FileManager.default.fileExists(atPath: folder + "/trajpred.sqlite")
            if stored { #expect(try sqlite3("trajpred.sqlite", "PRAGMA integrity_check", in: folder) == "ok\n", "kill \(kill)") }
            guard stored, try sqlite3("trajpred.sqlite", "SELECT count(*) FROM sqlite_master WHERE name = 'position'",
                                      in: folder) == "1\n" else {
                absent += 1
                continue
            }
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
        #expect(try run(trajpred, ["train"] + smallTraining + ["--epochs", "60", "--name", "whole"], in: folder).status == 0)
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        for _ in 0..<(longTests ? 10 : 2) {
            // A kill before the run row exists leaves nothing to resume: then start it anew.
            let exists = try sqlite3("trajpred.sqlite", "SELECT count(*) FROM run WHERE name = 'killed'", in: folder) == "1\n"
            let arguments = exists ? ["train", "--resume", "killed", "--progress", "plain"]
                : ["train"] + smallTraining + ["--epochs", "60", "--name", "killed"]
            let (process, _) = try start(arguments, in: folder)
            usleep(UInt32.random(in: 150_000...900_000, using: &generator))
            guard process.isRunning else { break }   // it finished first: nothing left to kill
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            kills += 1
            #expect(try sqlite3("trajpred.sqlite", "PRAGMA integrity_check", in: folder) == "ok\n", "kill \(kills)")
        }
        #expect(kills >= 1)
        let status = try sqlite3("trajpred.sqlite", "SELECT status FROM run WHERE name = 'killed'", in: folder)
        if status.isEmpty {
            #expect(try run(trajpred, ["train"] + smallTraining + ["--epochs", "60", "--name", "killed"], in: folder).status == 0)
        } else if status != "completed\n" {
            let resumed = try run(trajpred, ["train", "--resume", "killed", "--progress", "plain"], in: folder)
            #expect(resumed.status == 0, "\(resumed.stderr)")
        }
        #expect(try lastTensors("killed", in: folder) == (try lastTensors("whole", in: folder)), "after \(kills) kills")
    }

    @Test func aRunIsTrainedByOneProcessAtATime() throws {
        let folder = try importedFolder()
        let (process, out) = try start(["train"] + smallTraining + ["--epochs", "400", "--name", "busy"], in: folder)
        #expect(waitFor("epoch   1/400", in: out))
        // While it trains: a second process may not resume it, and `runs` says it is running.
        let second = try run(trajpred, ["train", "--resume", "busy", "--progress", "plain"], in: folder)
        #expect(second.status != 0)
        #expect(second.stderr.contains("run busy is being trained right now by process \(process.processIdentifier)"),
                "\(second.stderr)")
        #expect(try run(trajpred, ["runs", "--format", "csv"], in: folder).stdout.contains(",busy,train,running,"))
        // Nor delete it: its next epoch would have nowhere to go.
        let deleted = try run(trajpred, ["delete", "--run", "busy"], in: folder)
        #expect(deleted.status == 1 && deleted.stderr.contains("run busy is being trained right now by process "
            + "\(process.processIdentifier); stop it (Ctrl-C), then delete it"), "\(deleted.stderr)")
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM run WHERE name = 'busy'", in: folder) == "1\n")
        // Killed, it is free at once: listed as stopped, and it resumes.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(try run(trajpred, ["runs", "--format", "csv"], in: folder).stdout.contains(",busy,train,stopped,"))
        #expect(try sqlite3("trajpred.sqlite", "SELECT status FROM run WHERE name = 'busy'", in: folder) == "running\n")
        let (resumed, resumedOut) = try start(["train", "--resume", "busy", "--progress", "plain"], in: folder)
        #expect(waitFor("resuming at epoch", in: resumedOut))
        resumed.interrupt()
        resumed.waitUntilExit()
        #expect(resumed.terminationStatus == 130)
        // Stopped, it can be deleted.
        #expect(try run(trajpred, ["delete", "--run", "busy"], in: folder).stdout == "deleted 1 run\n")
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

/// A fresh tmpfs of `megabytes`, mounted for the test (root only); nil where mounting is not allowed.
func mountTmpfs(megabytes: Int) -> String? {
    let path = temporaryFolder()
    guard let result = try? run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path], in: "/"),
          result.status == 0 else { return nil }
    return path
}

func unmount(_ path: String) {
    _ = try? run("/bin/umount", [path], in: "/")
}

/// Whether this machine lets the tests mount a tmpfs (CI and developers run as root).
let canMount: Bool = {
    guard let path = mountTmpfs(megabytes: 1) else { return false }
    unmount(path)
    return true
}()

@Suite(.serialized, .enabled(if: canMount, "needs to mount a tmpfs (root)")) struct FileSystemFaultTests {
    @Test func fullFileSystemIsAMessageAndChangesNothing() throws {
        let disk = try #require(mountTmpfs(megabytes: 3))
        defer { unmount(disk) }
        let folder = temporaryFolder()
        try writeLargeFile(folder + "/big.txt", rows: 200_000)
        let small = try run(trajpred, ["import", repositoryRoot + "/data/zara1/test", "--dataset", "z", "--db", disk + "/t.sqlite"],
                            in: folder)
        #expect(small.status == 0, "\(small.stderr)")
        let before = try sqlite3(disk + "/t.sqlite", "SELECT count(*) FROM position", in: folder)
        let full = try run(trajpred, ["import", "big.txt", "--dataset", "big", "--db", disk + "/t.sqlite"], in: folder)
        #expect(full.status == 1)
        #expect(full.stderr.contains("big.txt") && full.stderr.contains("the disk may be full"), "\(full.stderr)")
        #expect(try sqlite3(disk + "/t.sqlite", "PRAGMA integrity_check", in: folder) == "ok\n")
        #expect(try sqlite3(disk + "/t.sqlite", "SELECT count(*) FROM position", in: folder) == before)
    }

    @Test func readOnlyFileSystemIsAMessage() throws {
        let disk = try #require(mountTmpfs(megabytes: 8))
        defer { unmount(disk) }
        let folder = temporaryFolder()
        #expect(try run(trajpred, ["import", repositoryRoot + "/data/zara1/test", "--dataset", "z", "--db", disk + "/t.sqlite"],
                        in: folder).status == 0)
        let checksum = try sqlite3(disk + "/t.sqlite", "SELECT sum(x) FROM position", in: folder)
        #expect(try run("/bin/mount", ["-o", "remount,ro", disk], in: "/").status == 0)
        let write = try run(trajpred, ["import", repositoryRoot + "/data/zara1/val", "--dataset", "v", "--db", disk + "/t.sqlite"],
                            in: folder)
        #expect(write.status != 0)
        #expect(write.stderr.contains("read-only"), "\(write.stderr)")
        #expect(!write.stderr.contains("Fatal error"))
        #expect(try run("/bin/mount", ["-o", "remount,rw", disk], in: "/").status == 0)
        #expect(try sqlite3(disk + "/t.sqlite", "SELECT sum(x) FROM position", in: folder) == checksum)
        #expect(try sqlite3(disk + "/t.sqlite", "PRAGMA integrity_check", in: folder) == "ok\n")
        // The store alone on a read-only file system (its -wal and -shm not beside it, as when copied
        // there alone), which even the sqlite3 shell cannot read: listed and read, and a write refused.
        _ = try sqlite3(disk + "/t.sqlite", "PRAGMA wal_checkpoint(TRUNCATE)", in: folder)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: disk + "/t.sqlite" + suffix) }
        #expect(try run("/bin/mount", ["-o", "remount,ro", disk], in: "/").status == 0)
        let listed = try run(trajpred, ["datasets", "--db", disk + "/t.sqlite", "--format", "csv"], in: folder)
        #expect(listed.status == 0 && listed.stdout.contains("z,1,0,0,1,148,5153"), "\(listed.stdout) \(listed.stderr)")
        let sampled = try run(trajpred, ["tracks", "--db", disk + "/t.sqlite", "--scene", "crowds_zara01", "--format", "csv"], in: folder)
        #expect(sampled.status == 0 && sampled.stdout.split(separator: "\n").count == 149, "\(sampled.stderr)")
        let refused = try run(trajpred, ["import", repositoryRoot + "/data/zara1/val", "--dataset", "v", "--db", disk + "/t.sqlite"],
                              in: folder)
        #expect(refused.status != 0 && refused.stderr.contains("is not read-only"), "\(refused.stderr)")
        #expect(try run("/bin/mount", ["-o", "remount,rw", disk], in: "/").status == 0)
    }
}
