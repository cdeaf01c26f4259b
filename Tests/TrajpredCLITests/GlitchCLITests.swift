// What outside testing found (issue 13, and session 13's review): weights that are not numbers are refused by name;
// futures that overflow give a clear error from `plot` (it used to
// trap) and valid JSON from `sample`; run names that read as ids, or empty ones, are refused; a run
// with no best checkpoint says so by name.
import Foundation
import Testing

@Suite(.serialized) struct GlitchCLITests {
    /// zara1 imported and a one-epoch run "small" whose decoder `tensor` holds `value` (a float's bytes in
    /// hex, little-endian) everywhere, in both checkpoints.
    func damagedRun(_ value: String, tensor: String = "dec.4.bias") throws -> String {
        let folder = try importedFolder()
        #expect(try run(trajpred, ["train"] + smallTraining + ["--epochs", "1", "--name", "small"], in: folder).status == 0)
        let size = try sqlite3("trajpred.sqlite", "SELECT length(data) / 4 FROM tensor WHERE name = '\(tensor)' LIMIT 1",
                               in: folder).trimmingCharacters(in: .whitespacesAndNewlines)
        let bytes = "X'" + String(repeating: value, count: Int(size)!) + "'"
        _ = try sqlite3("trajpred.sqlite", "UPDATE tensor SET data = \(bytes) WHERE name = '\(tensor)'", in: folder)
        return folder
    }

    /// Weights that are not numbers: every command that reads the model says which checkpoint and tensor,
    /// before anything is computed (eval printed inf metrics).
    @Test func weightsThatAreNotNumbersAreRefusedByName() throws {
        let folder = try damagedRun("0000C07F")
        for command in [["eval", "--run", "small", "--data", "zara1/test"],
                        ["sample", "--run", "small", "--data", "zara1/test", "--frame", "5500", "--format", "json"],
                        ["plot", "--run", "small", "--data", "zara1/test/crowds_zara01", "--frame", "5500", "--out", "x.svg"],
                        ["stream", "--run", "small"]] {
            let result = try run(trajpred, command, in: folder)
            #expect(result.status == 1 && result.stdout.isEmpty, "\(command): \(result.stdout)")
            #expect(result.stderr.contains("the 'best' checkpoint of run small is damaged: 24 values of dec.4.bias are not "
                                           + "a finite number"), "\(command): \(result.stderr)")
        }
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM run", in: folder) == "1\n")
    }

    /// Finite weights whose futures overflow: a clear error from `plot` (it used to trap) and JSON nulls from `sample`.
    @Test func futuresThatAreNotNumbersAreAClearErrorNeverATrap() throws {
        let folder = try damagedRun("E6B1617F", tensor: "dec.4.weight")
        let plot = try run(trajpred, ["plot", "--run", "small", "--data", "zara1/test/crowds_zara01", "--frame", "5500",
                                      "--density", "--out", "x.svg"], in: folder)
        #expect(plot.status == 1, "\(plot.stderr)")
        #expect(plot.stderr.contains("are not finite numbers: its weights are damaged"), "\(plot.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.svg"))
        for format in ["json", "ndjson"] {
            let sample = try run(trajpred, ["sample", "--run", "small", "--data", "zara1/test", "--frame", "5500", "--k", "2",
                                            "--format", format], in: folder)
            #expect(sample.status == 0, "\(sample.stderr)")
            let documents = format == "json" ? [sample.stdout] : sample.stdout.split(separator: "\n").map(String.init)
            for document in documents {
                #expect((try? JSONSerialization.jsonObject(with: Data(document.utf8))) != nil, "not JSON: \(document.prefix(200))")
            }
            #expect(sample.stdout.contains("\"x\": null"))
        }
    }

    /// A model predicts steps of the length it learned: data of another step is refused by eval and
    /// sample (the futures were read at the wrong pace, with no word), and training on both paces at once too.
    @Test func dataOfAnotherStepIsRefused() throws {
        let folder = try importedFolder()
        #expect(try run(trajpred, ["import", repositoryRoot + "/data/zara1/test/crowds_zara01.txt", "--dataset", "fast",
                                   "--dt", "0.2"], in: folder).status == 0)
        #expect(try run(trajpred, ["train"] + smallTraining + ["--epochs", "1", "--name", "m"], in: folder).status == 0)
        let said = "fast/test/crowds_zara01 has steps of 0.2 s, but run m was trained on steps of 0.4 s"
        for command in [["eval", "--run", "m", "--data", "fast"],
                        ["sample", "--run", "m", "--data", "fast/test/crowds_zara01", "--frame", "310"]] {
            let result = try run(trajpred, command, in: folder)
            #expect(result.status != 0 && result.stderr.contains(said), "\(command): \(result.stderr)")
        }
        let mixed = try run(trajpred, ["train", "--train", "zara1/train/crowds_zara02", "--train", "fast",
                                       "--val", "zara1/val/crowds_zara02", "--epochs", "1", "--name", "mixed"], in: folder)
        #expect(mixed.status != 0 && mixed.stderr.contains("have steps of 0.4 s (zara1/train/crowds_zara02) and 0.2 s "
                                                           + "(fast/test/crowds_zara01)"), "\(mixed.stderr)")
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM run WHERE name = 'mixed'", in: folder) == "0\n")
        #expect(try run(trajpred, ["eval", "--run", "m", "--data", "zara1/test"], in: folder).status == 0)
        // The model's step is the one it was trained on, kept in its run, whatever happens to its scenes since.
        #expect(try sqlite3("trajpred.sqlite", "SELECT json_extract(config, '$.timeStep') FROM run WHERE name = 'm'",
                            in: folder) == "0.4\n")
        #expect(try run(trajpred, ["delete", "--dataset", "zara1"], in: folder).status == 0)
        let gone = try run(trajpred, ["eval", "--run", "m", "--data", "fast"], in: folder)
        #expect(gone.status != 0 && gone.stderr.contains(said), "\(gone.stderr)")
    }

    /// A run whose loss became NaN before any epoch finished has no checkpoint: the way on is a new run
    /// (the hint was --checkpoint last, which had none either, or --resume, which kept the same --lr).
    @Test func aRunThatFailedBeforeAnyCheckpointSaysToTrainANewOne() throws {
        let folder = try importedFolder()
        let boom = try run(trajpred, ["train"] + smallTraining + ["--epochs", "2", "--lr", "1e30", "--name", "boom"], in: folder)
        #expect(boom.status != 0 && boom.stderr.contains("before any checkpoint was saved"), "\(boom.stderr)")
        for checkpoint in ["best", "last"] {
            let result = try run(trajpred, ["eval", "--run", "boom", "--data", "zara1/test", "--checkpoint", checkpoint], in: folder)
            #expect(result.status != 0 && result.stderr.contains("run boom failed before any epoch finished, so it has no "
                                                                 + "checkpoint"), "\(result.stderr)")
        }
    }

    @Test func runNamesThatReadAsIdsOrAreEmptyAreRefused() throws {
        let folder = try importedFolder()
        for (name, message) in [("7", "is a number"), ("", "is empty")] {
            let result = try run(trajpred, ["train"] + smallTraining + ["--epochs", "1", "--name", name], in: folder)
            #expect(result.status != 0)
            #expect(result.stderr.contains(message), "\(result.stderr)")
        }
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM run", in: folder) == "0\n")
    }

    @Test func aRunWithoutItsBestCheckpointSaysSoByName() throws {
        let folder = try importedFolder()
        #expect(try run(trajpred, ["train"] + smallTraining + ["--epochs", "1", "--name", "young"], in: folder).status == 0)
        _ = try sqlite3("trajpred.sqlite", "DELETE FROM checkpoint WHERE label = 'best'", in: folder)
        let result = try run(trajpred, ["sample", "--run", "young", "--data", "zara1/test", "--frame", "5500"], in: folder)
        #expect(result.status != 0)
        #expect(result.stderr.contains("run young has no 'best' checkpoint"), "\(result.stderr)")
    }
}

@Suite(.serialized) struct DeleteCLITests {
    @Test func aMistakenImportIsReplacedOrDeleted() throws {
        let folder = temporaryFolder()
        let file = repositoryRoot + "/data/zara1/test/crowds_zara01.txt"
        #expect(try run(trajpred, ["import", file, "--dataset", "d", "--dt", "1"], in: folder).status == 0)
        // The same bytes with corrected options: skipped, and told how to import them again.
        let again = try run(trajpred, ["import", file, "--dataset", "d", "--dt", "0.4"], in: folder)
        #expect(again.status == 0 && again.stdout.contains("--replace imports it again"), "\(again.stdout)")
        let replaced = try run(trajpred, ["import", file, "--dataset", "d", "--dt", "0.4", "--replace"], in: folder)
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(replaced.stdout.contains("; replaced: 1 scene, 148 pedestrians, 5153 positions;"), "\(replaced.stdout)")
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*), max(time_step) FROM scene", in: folder) == "1,0.4\n")
        // Delete the scene: it says what went, and nothing is left behind.
        let deleted = try run(trajpred, ["delete", "--scene", "d/test/crowds_zara01"], in: folder)
        #expect(deleted.stdout == "deleted 1 scene, 148 pedestrians, 5153 positions\n", "\(deleted.stdout)\(deleted.stderr)")
        #expect(try sqlite3("trajpred.sqlite", "SELECT (SELECT count(*) FROM agent) + (SELECT count(*) FROM position)",
                            in: folder) == "0\n")
        #expect(try run(trajpred, ["import", file, "--dataset", "d"], in: folder).status == 0)
        #expect(try run(trajpred, ["delete", "--dataset", "d"], in: folder).stdout.hasPrefix("deleted 1 scene"))
        let missing = try run(trajpred, ["delete", "--dataset", "d"], in: folder)
        #expect(missing.status != 0 && missing.stderr.contains("no dataset named 'd'"))
    }

    /// Importing a file again with --replace says what it replaced, the predictions made on it too.
    @Test func aReplacedSceneSaysWhatWentWithIt() throws {
        let folder = try importedFolder()
        #expect(try run(trajpred, ["train"] + smallTraining + ["--epochs", "1", "--name", "m"], in: folder).status == 0)
        #expect(try run(trajpred, ["sample", "--run", "m", "--data", "zara1/test", "--pedestrian", "3", "--frame", "310",
                                   "--k", "2", "--store"], in: folder).status == 0)
        let replaced = try run(trajpred, ["import", repositoryRoot + "/data/zara1/test/crowds_zara01.txt", "--dataset", "zara1",
                                          "--split", "test", "--replace"], in: folder)
        #expect(replaced.stdout.contains("; replaced: 1 scene, 148 pedestrians, 5153 positions, 24 predicted points;"),
                "\(replaced.stdout)")
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM prediction", in: folder) == "0\n")
    }

    @Test func aRunIsDeletedWithItsCheckpointsAndWhatUsedIt() throws {
        let folder = try importedFolder()
        #expect(try run(trajpred, ["train"] + smallTraining + ["--epochs", "1", "--name", "gone"], in: folder).status == 0)
        #expect(try run(trajpred, ["train"] + smallTraining + ["--epochs", "1", "--name", "kept"], in: folder).status == 0)
        // Its evaluation and its stored predictions go with it (they would name a model no longer there);
        // another model's stay.
        for model in ["gone", "kept"] {
            #expect(try run(trajpred, ["eval", "--run", model, "--data", "zara1/val/crowds_zara02"], in: folder).status == 0)
            #expect(try run(trajpred, ["sample", "--run", model, "--data", "zara1/test", "--pedestrian", "3", "--frame", "310",
                                       "--k", "2", "--store"], in: folder).status == 0)
        }
        let deleted = try run(trajpred, ["delete", "--run", "gone"], in: folder)
        #expect(deleted.stdout == "deleted 3 runs, 24 predicted points\n", "\(deleted.stdout)\(deleted.stderr)")
        #expect(try sqlite3("trajpred.sqlite", """
            SELECT r.kind, coalesce(p.name, '-') FROM run AS r LEFT JOIN run AS p ON p.id = r.parent_id ORDER BY r.id
            """, in: folder) == "train,-\nevaluate,kept\npredict,kept\n")
        #expect(try run(trajpred, ["delete", "--run", "kept"], in: folder).stdout == "deleted 3 runs, 24 predicted points\n")
        #expect(try sqlite3("trajpred.sqlite", """
            SELECT (SELECT count(*) FROM run) + (SELECT count(*) FROM epoch) + (SELECT count(*) FROM tensor)
              + (SELECT count(*) FROM metric) + (SELECT count(*) FROM prediction)
            """, in: folder) == "0\n")
    }
}

@Suite(.serialized) struct MessageCLITests {
    @Test func messagesSayWhatToDo() throws {
        let folder = try importedFolder()
        // A negative warm-up is refused before anything runs.
        let warmup = try run(trajpred, ["train"] + smallTraining + ["--beta-warmup=-3"], in: folder)
        #expect(warmup.status != 0 && warmup.stderr.contains("--beta-warmup must be 0 or more"), "\(warmup.stderr)")
        // One scene, one epoch: no "1 scenes", "1 epochs".
        let one = try run(trajpred, ["train", "--train", "zara1/train/crowds_zara02", "--val", "zara1/val/crowds_zara02",
                                     "--hidden", "8", "--latent", "2", "--epochs", "1", "--name", "one", "--progress", "plain"],
                          in: folder)
        #expect(one.stdout.contains("from 1 scene,") && one.stdout.contains(", 1 epoch\n"), "\(one.stdout)")
        // An unknown pedestrian is named as such.
        let nobody = try run(trajpred, ["sample", "--run", "one", "--data", "zara1/test", "--pedestrian", "9999"], in: folder)
        #expect(nobody.status != 0 && nobody.stderr.contains("no pedestrian '9999' in zara1/test (ids as written in the file; "
                                                             + "trajpred tracks --scene lists them)"), "\(nobody.stderr)")
        // A family's options are named as they are written: a flag of their own, or --model-option NAME=VALUE.
        let beta = try run(trajpred, ["train", "--model", "anchors", "--beta", "0.5", "--train", "zara1/train", "--val", "zara1/val"],
                           in: folder)
        #expect(beta.status != 0 && beta.stderr.contains("the anchors model has no option --beta (its options: "
                                                           + "--model-option futures=…, --model-option iterations=…)"), "\(beta.stderr)")
        let nameless = try run(trajpred, ["train", "--model-option", "=3", "--train", "zara1/train", "--val", "zara1/val"], in: folder)
        #expect(nameless.status == 64 && nameless.stderr.contains("--model-option takes NAME=VALUE, not '=3'"), "\(nameless.stderr)")
        // Seeds and models named twice, or none, are refused before any work (they trained and counted twice).
        for (arguments, message) in [(["notebook", "--seeds", "1,0-2"], "--seeds names seed 1 twice, in '1,0-2'"),
                                     (["benchmark", "ethucy", "--data", "x", "--seeds", "1,1"], "--seeds names seed 1 twice"),
                                     (["notebook", "--models", ""], "--models names no model"),
                                     (["notebook", "--models", "simple_l1,simple_l1"], "--models names a model twice"),
                                     (["notebook", "--seed", "3", "--seeds", "0-2"], "give --seed or --seeds, not both")] {
            let refused = try run(trajpred, arguments, in: folder)
            #expect(refused.status == 64 && refused.stderr.contains(message), "\(arguments): \(refused.stderr)")
        }
        // A sampler's k is bounded as stream's and serve's are (a million futures was a failed allocation).
        for command in [["sample", "--frame", "5500"], ["eval"]] {
            let many = try run(trajpred, [command[0], "--run", "one", "--data", "zara1/test", "--k", "1001"] + command.dropFirst(),
                               in: folder)
            #expect(many.status != 0 && many.stderr.contains("--k: must be at most 1000"), "\(many.stderr)")
        }
        // A time is named as a time; a file's ids are not sent to the store's listing.
        let early = try run(trajpred, ["sample", "--run", "one", "--data", "zara1/test", "--time", "-1"], in: folder)
        #expect(early.status != 0 && early.stderr.contains("consecutive observed steps ending at time -1 s in zara1/test"),
                "\(early.stderr)")
        try "0\t1\t1.0\t2.0\n10\t1\t1.5\t2.0\n".write(toFile: folder + "/walk.txt", atomically: true, encoding: .utf8)
        let notInFile = try run(trajpred, ["sample", "--run", "one", "--input", "walk.txt", "--pedestrian", "9"], in: folder)
        #expect(notInFile.status != 0 && notInFile.stderr.contains("no pedestrian '9' in walk.txt (ids as written in the file)"),
                "\(notInFile.stderr)")
        // --help says what is required and where the database is by default.
        let help = try run(trajpred, ["help", "train"], in: folder).stdout.split(whereSeparator: \.isWhitespace)
            .joined(separator: " ")
        #expect(help.contains("required unless --resume") && help.contains("$TRAJPRED_DB"), "\(help)")
        // An output in a folder that does not exist is named, with the folder.
        for arguments in [["plot", "--run", "one", "--curves", "--out", "missing/x.svg"],
                          ["sample", "--run", "one", "--data", "zara1/test", "--frame", "5500", "--out", "missing/x.csv"]] {
            let result = try run(trajpred, arguments, in: folder)
            #expect(result.status != 0 && result.stderr.contains("cannot write missing/x") && result.stderr.contains("no folder missing"),
                    "\(result.stderr)")
        }
        // Listing commands never write into a file that is not a database yet, not even an empty one.
        FileManager.default.createFile(atPath: folder + "/empty.sqlite", contents: Data())
        let runs = try run(trajpred, ["runs", "--db", "empty.sqlite"], in: folder)
        #expect(runs.status != 0 && runs.stderr.contains("no database at empty.sqlite"), "\(runs.stderr)")
        #expect((try FileManager.default.attributesOfItem(atPath: folder + "/empty.sqlite")[.size] as? Int) == 0)
    }
}

@Suite struct FolderImportCLITests {
    @Test func filesAFolderImportPassesOverAreNamed() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/walks", withIntermediateDirectories: true)
        let rows = (0..<20).map { "\($0 * 10)\t1\t\(Double($0) * 0.4)\t1.0" }.joined(separator: "\n") + "\n"
        for (i, name) in ["a.txt", "b.dat", "NOTES"].enumerated() {
            try (rows + "300\t\(i + 2)\t0\t0\n").write(toFile: folder + "/walks/" + name, atomically: true, encoding: .utf8)
        }
        let result = try run(trajpred, ["import", "walks", "--dataset", "w"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("2 files are not read") && result.stderr.contains("walks/NOTES")
            && result.stderr.contains("walks/b.dat"), "\(result.stderr)")
        // By its path, such a file is read.
        let direct = try run(trajpred, ["import", "walks/b.dat", "--dataset", "w", "--scene", "b"], in: folder)
        #expect(direct.status == 0, "\(direct.stderr)")
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM scene", in: folder) == "2\n")
    }
}

@Suite struct DamagedDatabaseCLITests {
    @Test func aDamagedSchemaIsNamedAsSuch() throws {
        let folder = try importedFolder()
        _ = try sqlite3("trajpred.sqlite", "DROP VIEW run_summary", in: folder)
        let runs = try run(trajpred, ["runs"], in: folder)
        #expect(runs.status != 0 && runs.stderr.contains("the database is damaged"), "\(runs.stderr)")
        let other = try importedFolder()
        _ = try sqlite3("trajpred.sqlite", "PRAGMA user_version = 2", in: other)
        let datasets = try run(trajpred, ["datasets"], in: other)
        #expect(datasets.status != 0 && datasets.stderr.contains("was changed by hand"), "\(datasets.stderr)")
    }
}

@Suite struct ArgumentFuzzCLITests {
    /// Seeded random command lines (options of every command with hostile values): none may trap or
    /// be killed by a signal, each ends with a message or a result, and the store stays sound.
    @Test func randomArgumentsNeverTrapAndLeaveTheStoreSound() throws {
        let folder = try importedFolder()
        #expect(try run(trajpred, ["train"] + smallTraining + ["--epochs", "1", "--name", "base"], in: folder).status == 0)
        let before = try sqlite3("trajpred.sqlite", "SELECT count(*) FROM position", in: folder)
        let values = ["-1", "0", "1", "1e999", "nan", "-0", "9223372036854775808", "", " ", "x", "0x10", "3.5", "zara1",
                      "zara1/test", "zara1/test/crowds_zara01", "base", "1", "../", "/dev/null", "💥", "--k", "best", "last",
                      "5500", "-5500", "2e9", "csv", "json", "table", "mlp", "gru", "cvae", "wta", "anchors", "cvae-dlow"]
        let commands: [(String, [String])] = [
            ("sample", ["--run", "--data", "--frame", "--pedestrian", "--k", "--seed", "--format", "--checkpoint", "--all"]),
            ("eval", ["--run", "--data", "--k", "--seed", "--heading-noise", "--checkpoint", "--format"]),
            ("plot", ["--run", "--data", "--frame", "--k", "--curves", "--density", "--out"]),
            ("train", ["--train", "--val", "--model", "--epochs", "--batch", "--lr", "--beta", "--hidden", "--latent",
                       "--beta-warmup", "--seed", "--name", "--resume", "--model-option", "--progress"]),
            ("runs", ["--format"]), ("datasets", ["--format"]), ("scenes", ["--dataset", "--format"]),
            ("tracks", ["--scene", "--format"]), ("delete", ["--run", "--scene"]),
        ]
        var seed: UInt64 = 42
        func next(_ bound: Int) -> Int {   // a seeded LCG: the same command lines every run
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(bound))
        }
        for _ in 0..<60 {
            let (command, options) = commands[next(commands.count)]
            var arguments = [command]
            for _ in 0..<(1 + next(4)) {
                arguments.append(options[next(options.count)])
                if next(5) > 0 { arguments.append(values[next(values.count)]) }
            }
            if arguments.contains("--epochs") || command == "train" { arguments += ["--epochs", "1"] }
            if command == "delete" { arguments = ["delete", "--run", "no-such-run-\(next(1000))"] }
            let result = try run(trajpred, arguments + ["--db", "trajpred.sqlite"], in: folder)
            #expect(result.status < 128, "\(arguments): killed by signal \(result.status - 128)\n\(result.stderr)")
            #expect(result.status == 0 || !result.stderr.isEmpty, "\(arguments): failed without a message")
        }
        #expect(try sqlite3("trajpred.sqlite", "PRAGMA integrity_check", in: folder) == "ok\n")
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM position", in: folder) == before)
    }
}
