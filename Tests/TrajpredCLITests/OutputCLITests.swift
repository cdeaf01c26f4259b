// Where output goes: standard output that cannot be written is an error, never a silent success
// or a crash; --out writes through a symbolic link and into a named pipe, as a shell's `>` does,
// and replaces a regular file whole once written, so a failure part-way leaves the old one.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

@Suite struct OutputCLITests {
    /// A folder with zara1 imported and an anchors run `a` (one epoch, no learning).
    func folderWithARun() throws -> String {
        let folder = temporaryFolder()
        #expect(try run(trajpred, ["import", repositoryRoot + "/data/zara1"], in: folder).status == 0)
        let trained = try run(trajpred, ["train", "--model", "anchors", "--train", "zara1/train/crowds_zara02",
                                         "--val", "zara1/val/crowds_zara02", "--name", "a"], in: folder)
        #expect(trained.status == 0, "\(trained.stderr)")
        return folder
    }

    /// A full disk under standard output: a listing, predictions and a stored prediction all fail
    /// with the system's reason and exit 1, and `sample --store` keeps nothing.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func aStandardOutputThatCannotBeWrittenIsAnError() throws {
        let folder = try folderWithARun()
        for command in ["datasets", "runs --format json", "sample --run a --data zara1/test --frame 1000 --k 2",
                        "sample --run a --data zara1/test --all --k 2 --format ndjson --store"] {
            let result = try run("/bin/sh", ["-c", "exec \"$0\" \(command) > /dev/full", trajpred], in: folder)
            #expect(result.status == 1, "\(command): \(result.status)")
            #expect(result.stderr.contains("cannot write standard output (No space left on device)"), "\(command): \(result.stderr)")
        }
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM run WHERE kind = 'predict'", in: folder) == "0\n")
    }

    /// --out through a symbolic link (relative, as `ln -s target link` makes it) writes the file it
    /// points to and keeps the link, also when the target does not exist yet; into a named pipe, the
    /// reader gets the rows; a folder is refused by name.
    @Test func outWritesThroughLinksAndIntoPipes() throws {
        let folder = try folderWithARun()
        for (out, extra) in [("rows.csv", ["sample", "--frame", "1000", "--k", "1"]),
                             ("scene.svg", ["plot", "--frame", "1000"])] {
            for existing in [true, false] {
                let name = (existing ? "old-" : "new-") + out
                if existing { try "old".write(toFile: folder + "/target-" + name, atomically: false, encoding: .utf8) }
                try FileManager.default.createSymbolicLink(atPath: folder + "/link-" + name, withDestinationPath: "target-" + name)
                let data = extra[0] == "plot" ? "zara1/test/crowds_zara01" : "zara1/test"
                let result = try run(trajpred, [extra[0], "--run", "a", "--data", data] + extra.dropFirst()
                                     + ["--out", "link-" + name], in: folder)
                #expect(result.status == 0, "\(result.stderr)")
                #expect(try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/link-" + name) == "target-" + name)
                let written = try String(contentsOfFile: folder + "/target-" + name, encoding: .utf8)
                #expect(written.hasPrefix(out.hasSuffix(".csv") ? "scene,pedestrian," : "<?xml"), "\(name): \(written.prefix(80))")
            }
        }

        let pipe = folder + "/rows.fifo"
        #expect(mkfifo(pipe, 0o644) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/sh")
        // A reader that gives up after a minute, so a failing write cannot hang the suite.
        reader.arguments = ["-c", "timeout 60 cat rows.fifo > copy.csv"]
        reader.currentDirectoryURL = URL(fileURLWithPath: folder)
        try reader.run()
        let result = try run(trajpred, ["sample", "--run", "a", "--data", "zara1/test", "--frame", "1000", "--k", "1",
                                        "--out", pipe], in: folder)
        reader.waitUntilExit()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: folder + "/copy.csv", encoding: .utf8).hasPrefix("scene,pedestrian,"))
        var status = stat()
        #expect(stat(pipe, &status) == 0 && (status.st_mode & S_IFMT) == S_IFIFO)

        let refused = try run(trajpred, ["sample", "--run", "a", "--data", "zara1/test", "--frame", "1000", "--out", folder],
                              in: folder)
        #expect(refused.status == 1 && refused.stderr.contains("(a folder)"), "\(refused.stderr)")

        // /dev/stdout on a pipe is written into (its name, pipe:[N], is no path to replace).
        let piped = try run("/bin/sh", ["-c", "\"$0\" sample --run a --data zara1/test --frame 1000 --k 1 --out /dev/stdout | cat > piped.csv",
                                        trajpred], in: folder)
        let pipedRows = try String(contentsOfFile: folder + "/piped.csv", encoding: .utf8)
        #expect(piped.status == 0 && pipedRows.hasPrefix("scene,pedestrian,"), "\(piped.stderr)")
        // A file with a second name (a hard link) is written in place, so both names read the rows.
        try "old".write(toFile: folder + "/first.csv", atomically: false, encoding: .utf8)
        try FileManager.default.linkItem(atPath: folder + "/first.csv", toPath: folder + "/second.csv")
        let linked = try run(trajpred, ["sample", "--run", "a", "--data", "zara1/test", "--frame", "1000", "--k", "1",
                                        "--out", "first.csv"], in: folder)
        let secondRows = try String(contentsOfFile: folder + "/second.csv", encoding: .utf8)
        #expect(linked.status == 0 && secondRows.hasPrefix("scene,"), "\(linked.stderr)")
    }

    /// --out to a regular file replaces it whole at the end: when writing fails part-way (here a file
    /// size limit of 128 KB, which `sample` meets with its rows only: it does not write the store), the old content and permissions are still there, and no hidden file is
    /// left beside it; when it succeeds, the file has the rows and its permissions.
    @Test func outLeavesTheOldFileWhenWritingFails() throws {
        let folder = try folderWithARun()
        for (command, out) in [("sample --run a --data zara1/test --all --k 2", "rows.csv"),
                               ("sample --run a --data zara1/test --all --k 2 --format json", "rows.json")] {
            let path = folder + "/" + out
            try "old".write(toFile: path, atomically: false, encoding: .utf8)
            #expect(chmod(path, 0o640) == 0)
            let failed = try run("/bin/sh", ["-c", "ulimit -f 256; trap '' XFSZ; exec \"$0\" \(command) --out \(out)", trajpred],
                                 in: folder)
            #expect(failed.status == 1 && failed.stderr.contains("File too large"), "\(command): \(failed.stderr)")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "old")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(".") }.isEmpty)
            let written = try run("/bin/sh", ["-c", "exec \"$0\" \(command) --out \(out)", trajpred], in: folder)
            #expect(written.status == 0, "\(written.stderr)")
            #expect(try String(contentsOfFile: path, encoding: .utf8).utf8.count > 256 * 512)
            var status = stat()
            #expect(stat(path, &status) == 0 && status.st_mode & 0o777 == 0o640)
        }
    }

    /// The anchors baseline is fitted on the run's training data: once that is deleted, the evaluation
    /// still runs and says why the row is missing (it used to vanish without a word); once part of it
    /// is, the row is there and the note says it was fitted on other data than the run's.
    @Test func evalSaysWhyTheAnchorsRowIsMissing() throws {
        let folder = try folderWithARun()
        let b = try run(trajpred, ["train", "--model", "anchors", "--train", "zara1/train", "--val", "zara1/val/crowds_zara02",
                                   "--name", "b"], in: folder)
        #expect(b.status == 0, "\(b.stderr)")
        let whole = try run(trajpred, ["eval", "--run", "b", "--data", "zara1/test"], in: folder)
        #expect(whole.status == 0 && !whole.stderr.contains("anchors row"), "\(whole.stderr)")
        let before = try run(trajpred, ["eval", "--run", "a", "--data", "zara1/test"], in: folder)
        #expect(before.status == 0 && before.stdout.contains("anchors (K 20)") && !before.stderr.contains("no anchors row"))
        #expect(try run(trajpred, ["delete", "--scene", "zara1/train/crowds_zara02"], in: folder).status == 0)
        let after = try run(trajpred, ["eval", "--run", "a", "--data", "zara1/test"], in: folder)
        #expect(after.status == 0 && !after.stdout.contains("anchors (K 20)") && after.stdout.contains("constant velocity"))
        #expect(after.stderr.contains("no anchors row: they are fitted on the run's training data (zara1/train/crowds_zara02), "
                                      + "which cannot be read now: the selection 'zara1/train/crowds_zara02' holds no scene"),
                "\(after.stderr)")
        let part = try run(trajpred, ["eval", "--run", "b", "--data", "zara1/test"], in: folder)
        #expect(part.status == 0 && part.stdout.contains("anchors (K 20)"))
        #expect(part.stderr.contains("the anchors row is fitted on the run's training data as it is now")
                    && part.stderr.contains("which changed since the run trained on it"), "\(part.stderr)")
    }

    /// `eval --data` repeated evaluates the selections' windows together: the model's 'all' row
    /// counts the windows of both and is their windows' mean (each selection evaluated alone, the
    /// same seed); the evaluation stores both names.
    @Test func evalReadsSeveralSelectionsTogether() throws {
        let folder = try folderWithARun()
        let selections = ["zara1/val/crowds_zara02", "zara1/val/students003"]
        var alone: [(windows: Double, ade: Double)] = []
        for data in selections.map({ [$0] }) + [selections] {
            let result = try run(trajpred, ["eval", "--run", "a", "--format", "csv"] + data.flatMap { ["--data", $0] }, in: folder)
            try #require(result.status == 0, "\(result.stderr)")
            let header = result.stdout.split(separator: "\n")[0].split(separator: ",")
            let row = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("all,model") })
                .split(separator: ",", omittingEmptySubsequences: false)
            let windows = try #require(header.firstIndex(of: "windows")), ade = try #require(header.firstIndex(of: "min_ade"))
            alone.append((Double(row[windows])!, Double(row[ade])!))
        }
        #expect(alone[2].windows == alone[0].windows + alone[1].windows)
        let mean = (alone[0].windows * alone[0].ade + alone[1].windows * alone[1].ade) / alone[2].windows
        #expect(abs(alone[2].ade - mean) < 1.5e-3, "\(alone)")
        #expect(try sqlite3("trajpred.sqlite", "SELECT json_extract(config, '$.data') FROM run WHERE kind = 'evaluate' ORDER BY id DESC LIMIT 1",
                            in: folder) == "\"zara1/val/crowds_zara02, zara1/val/students003\"\n")
        #expect(try sqlite3("trajpred.sqlite", "SELECT value FROM run, json_each(run.config, '$.selections') WHERE kind = 'evaluate' "
                            + "AND run.id = (SELECT max(id) FROM run WHERE kind = 'evaluate')",
                            in: folder) == selections.joined(separator: "\n") + "\n")
        let none = try run(trajpred, ["eval", "--run", "a"], in: folder)
        #expect(none.status == 64 && none.stderr.contains("Missing expected argument '--data <data> ...'"), "\(none.stderr)")
    }

    /// An epoch's line says what the family has: the CVAE's KL part and β, a learning rate for what
    /// learns, neither for anchors (fitted once, no KL).
    @Test func epochLinesSayWhatTheFamilyHas() throws {
        let folder = temporaryFolder()
        #expect(try run(trajpred, ["import", repositoryRoot + "/data/zara1"], in: folder).status == 0)
        var lines: [String: String] = [:]
        for family in ["anchors", "cvae"] {
            let trained = try run(trajpred, ["train", "--model", family, "--epochs", "1", "--train", "zara1/train/crowds_zara02",
                                             "--val", "zara1/val/crowds_zara02", "--progress", "plain"], in: folder)
            lines[family] = trained.stdout.split(separator: "\n").first { $0.hasPrefix("epoch") }.map(String.init)
        }
        let anchors = try #require(lines["anchors"]), cvae = try #require(lines["cvae"])
        #expect(anchors.contains("loss ") && !anchors.contains(" kl ") && !anchors.contains(" lr ") && !anchors.contains("β"), "\(anchors)")
        #expect(cvae.contains(" recon ") && cvae.contains(" kl ") && cvae.contains(" β ") && cvae.contains(" lr "), "\(cvae)")
        // cvae-dlow: its CVAE's epoch has the KL part, its sampler's (no KL term) has none.
        let dlow = try run(trajpred, ["train", "--model", "cvae-dlow", "--model-option", "cvae-epochs=1", "--epochs", "2",
                                      "--train", "zara1/train/crowds_zara02", "--val", "zara1/val/crowds_zara02",
                                      "--progress", "plain"], in: folder)
        let epochs = dlow.stdout.split(separator: "\n").filter { $0.hasPrefix("epoch") }
        #expect(dlow.status == 0 && epochs.count == 2 && epochs[0].contains(" kl ") && !epochs[1].contains(" kl ")
                && !epochs[1].contains("β") && epochs[1].contains(" lr "), "\(dlow.stdout)\(dlow.stderr)")
    }

    /// A table shows meters to the millimetre; CSV and JSON, read by scripts, carry every digit the store
    /// keeps (they were rounded as the table is).
    @Test func csvAndJSONCarryEveryDigit() throws {
        let folder = try importedFolder()
        #expect(try run(trajpred, ["train"] + smallTraining + ["--epochs", "1", "--name", "m"], in: folder).status == 0)
        let csv = try run(trajpred, ["eval", "--run", "m", "--data", "zara1/val/crowds_zara02", "--format", "csv"], in: folder)
        let row = try #require(csv.stdout.split(separator: "\n").first { $0.hasPrefix("all,model (m),") })
        let printed = try #require(Double(row.split(separator: ",")[4]))
        let stored = try #require(Double(try sqlite3("trajpred.sqlite", """
            SELECT min_ade FROM evaluation WHERE scope = 'all' AND method = 'model (m)'
            """, in: folder).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(abs(printed - stored) <= 1e-12 * stored && printed != (printed * 1000).rounded() / 1000, "\(printed) \(stored)")
        let table = try run(trajpred, ["eval", "--run", "m", "--data", "zara1/val/crowds_zara02"], in: folder)
        #expect(table.stdout.contains(String(format: "%.3f", stored)), "\(table.stdout)")
        let runs = try run(trajpred, ["runs", "--format", "json"], in: folder)
        let listed = try #require((try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])?.first)
        let best = try #require(listed["best_val_min_ade"] as? Double)
        let epoch = try #require(Double(try sqlite3("trajpred.sqlite", "SELECT min(val_min_ade) FROM epoch", in: folder)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(abs(best - epoch) <= 1e-12 * epoch && best != (best * 1000).rounded() / 1000, "\(best) \(epoch)")
    }

    /// A heading noise that is not a number of degrees is refused before any work (it used to fail
    /// after the whole evaluation, writing its JSON); a negative one by its range, a negative seed as not a
    /// seed (both were "Missing value").
    @Test func evalRefusesAHeadingNoiseThatIsNoAngle() throws {
        let folder = temporaryFolder()
        for value in ["nan", "inf", "1e30", "181", "-5"] {
            let result = try run(trajpred, ["eval", "--run", "a", "--data", "zara1/test", "--heading-noise", value], in: folder)
            #expect(result.status == 64 && result.stderr.contains("--heading-noise must be between 0 and 180 degrees"),
                    "\(value): \(result.stderr)")
        }
        let seed = try run(trajpred, ["eval", "--run", "a", "--data", "zara1/test", "--seed", "-1"], in: folder)
        #expect(seed.status == 64 && seed.stderr.contains("The value '-1' is invalid for '--seed <seed>'"), "\(seed.stderr)")
    }

    /// A negative frame or time is a value, as negative frames import fine (it was "Missing value").
    @Test func negativeFramesAndTimesAreValues() throws {
        let folder = temporaryFolder()
        for (command, option) in [("sample", "--frame"), ("sample", "--time"), ("plot", "--frame"), ("plot", "--time")] {
            let result = try run(trajpred, [command, "--run", "a", "--data", "zara1/test", option, "-5"]
                                     + (command == "plot" ? ["--out", "p.svg"] : []), in: folder)
            #expect(result.status != 0 && !result.stderr.contains("Missing value") && result.stderr.contains("no database"),
                    "\(command) \(option): \(result.stderr)")
        }
    }

    /// A run asked for by a number that is neither its id nor its name says both were tried; a CSV
    /// header naming x twice is refused by file and line.
    @Test func messagesSayWhatWasLookedFor() throws {
        let folder = try folderWithARun()
        let missing = try run(trajpred, ["eval", "--run", "999", "--data", "zara1/test"], in: folder)
        #expect(missing.status == 1 && missing.stderr.contains("no run with id or name '999' in the store"), "\(missing.stderr)")
        let named = try run(trajpred, ["eval", "--run", "nothing", "--data", "zara1/test"], in: folder)
        #expect(named.stderr.contains("no run named 'nothing' in the store"), "\(named.stderr)")
        try "frame,id,x,y,x\n0,1,2,3,4\n".write(toFile: folder + "/twice.csv", atomically: false, encoding: .utf8)
        let twice = try run(trajpred, ["import", "twice.csv", "--dataset", "t", "--split", "test"], in: folder)
        #expect(twice.status == 1 && twice.stderr.contains("twice.csv: line 1: the header names 'x' 2 times"), "\(twice.stderr)")
    }
}
