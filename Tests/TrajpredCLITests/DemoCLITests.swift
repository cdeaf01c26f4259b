// The demo end to end (import → train → sample → eval → plot) on a temporary folder, and the
// sample command's formats and live input.
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Element names → count, and the count of elements with each class; nil if not well-formed XML.
func svgCounts(_ path: String) -> (elements: [String: Int], classes: [String: Int])? {
    final class Counter: NSObject, XMLParserDelegate {
        var elements: [String: Int] = [:], classes: [String: Int] = [:]
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements[name, default: 0] += 1
            if let c = attributes["class"] { classes[c, default: 0] += 1 }
        }
    }
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    let parser = XMLParser(data: data)
    let counter = Counter()
    parser.delegate = counter
    return parser.parse() ? (counter.elements, counter.classes) : nil
}

@Suite(.serialized) struct DemoCLITests {
    /// What would stop the demo half-way is refused before it writes anything.
    @Test func demoRefusesWhatItCannotFinish() throws {
        let folder = temporaryFolder()
        try "x".write(toFile: folder + "/file", atomically: true, encoding: .utf8)
        let dir = try run(trajpred, ["demo", "--dir", "file", "--data", repositoryRoot + "/data/zara1"], in: folder)
        #expect(dir.status != 0 && dir.stderr.contains("--dir: file is a file, not a folder"), "\(dir.stderr)")
        let trainOnly = try run(trajpred, ["demo", "--dir", "out", "--data", repositoryRoot + "/data/zara1/train"], in: folder)
        #expect(trainOnly.status != 0 && trainOnly.stderr.contains("has no val/, test/ files: the demo needs a scene folder"),
                "\(trainOnly.stderr)")
        // A folder of datasets is not one scene folder: the demo would mix their scenes.
        for name in ["a", "b"] {
            try FileManager.default.createDirectory(atPath: folder + "/two", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: repositoryRoot + "/data/zara1", toPath: folder + "/two/" + name)
        }
        let datasets = try run(trajpred, ["demo", "--dir", "out", "--data", "two"], in: folder)
        #expect(datasets.status != 0 && datasets.stderr.contains("two holds 2 datasets (a, b): the demo needs one scene folder"),
                "\(datasets.stderr)")
        let missing = try run(trajpred, ["demo", "--dir", "out", "--data", "nowhere"], in: folder)
        #expect(missing.status != 0)
        #expect(!FileManager.default.fileExists(atPath: folder + "/out"), "nothing written")
    }

    @Test func demoWritesEverythingItSays() throws {
        let folder = temporaryFolder()
        // The shipped scene under another name: the demo's store names the dataset after the folder.
        try FileManager.default.copyItem(atPath: repositoryRoot + "/data/zara1", toPath: folder + "/walkers")
        let result = try run(trajpred, ["demo", "--dir", "out", "--epochs", "2", "--data", "walkers"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("everything is in out/"))
        #expect(result.stdout.contains("collisions on walkers/test"))
        let out = folder + "/out"
        #expect(try sqlite3(out + "/demo.sqlite", "SELECT name FROM dataset", in: folder) == "walkers\n")
        #expect(try sqlite3(out + "/demo.sqlite", """
            SELECT json_extract(config, '$.train[0]'), json_extract(config, '$.val[0]') FROM run WHERE kind = 'train'
            """, in: folder) == "walkers/train,walkers/val\nwalkers/train,walkers/val\n")
        #expect(try sqlite3(out + "/demo.sqlite", "SELECT kind, status FROM run ORDER BY id", in: folder)
            == "train,completed\ntrain,completed\npredict,completed\nevaluate,completed\nevaluate,completed\n")
        #expect(try sqlite3(out + "/demo.sqlite", "SELECT count(*) FROM epoch", in: folder) == "4\n")
        #expect(FileManager.default.fileExists(atPath: out + "/scene_wta.svg"))
        // Four methods over all windows of zara1/test (2,356 windows, ../shared/data/ethucy/README.md).
        #expect(try sqlite3(out + "/demo.sqlite", "SELECT method, windows FROM evaluation WHERE scope = 'all' ORDER BY method",
                            in: folder) == "\"anchors (K 20)\",2356.0\n\"constant velocity\",2356.0\n\"model (demo)\",2356.0\n"
                                + "\"model (demo-wta)\",2356.0\n\"sampled constant velocity (25°)\",2356.0\n")
        let csv = try String(contentsOfFile: out + "/evaluation.csv", encoding: .utf8)
        #expect(csv.hasPrefix("scope,method,windows,k,min_ade,min_fde,kde_nll,collision_rate,min_ade_1,min_fde_1,min_ade_5,min_fde_5\n"))
        // At k = 1 constant velocity is itself; the model's first sample is no better than its best of 20.
        #expect(try sqlite3(out + "/demo.sqlite", """
            SELECT min_ade_1 = min_ade, min_ade_5 IS NULL FROM evaluation WHERE scope = 'all' AND method = 'constant velocity'
            """, in: folder) == "1,1\n")
        #expect(try sqlite3(out + "/demo.sqlite", """
            SELECT min_ade_1 >= min_ade_5 AND min_ade_5 >= min_ade FROM evaluation WHERE scope = 'all' AND method = 'model (demo)'
            """, in: folder) == "1\n")
        // predictions.csv: 20 samples × 12 steps per pedestrian, the same points as in the store.
        let predictions = try String(contentsOfFile: out + "/predictions.csv", encoding: .utf8).split(separator: "\n")
        #expect(predictions.first == "scene,pedestrian,last_observed_frame,sample,step,frame,x,y")
        let stored = Int(try sqlite3(out + "/demo.sqlite", "SELECT count(*) FROM prediction", in: folder)
            .trimmingCharacters(in: .whitespacesAndNewlines))!
        #expect(predictions.count - 1 == stored)
        #expect(stored % 240 == 0 && stored > 0)
        let pedestrians = stored / 240
        // The scene: one path per sample, one true future and one observed path per pedestrian.
        let scene = try #require(svgCounts(out + "/scene.svg"))
        #expect(scene.classes["sample"] == pedestrians * 20)
        #expect(scene.classes["observed"] == pedestrians)
        #expect(scene.classes["truth"] == pedestrians)
        let curves = try #require(svgCounts(out + "/curves.svg"))
        #expect(curves.elements["polyline"] == 5)
    }

    @Test func sampleFormatsAndLiveInput() throws {
        let folder = temporaryFolder()
        #expect(try run(trajpred, ["import", repositoryRoot + "/data/zara1"], in: folder).status == 0)
        #expect(try run(trajpred, ["train"] + smallTraining + ["--epochs", "1", "--name", "m"], in: folder).status == 0)
        let csv = try run(trajpred, ["sample", "--run", "m", "--data", "zara1/test", "--pedestrian", "3", "--frame", "310",
                                     "--k", "2"], in: folder)
        #expect(csv.status == 0, "\(csv.stderr)")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.count == 1 + 2 * 12)
        #expect(lines[1].hasPrefix("zara1/test/crowds_zara01,3,310,0,1,320,"))
        #expect(lines.last!.hasPrefix("zara1/test/crowds_zara01,3,310,1,12,430,"))
        let ndjson = try run(trajpred, ["sample", "--run", "m", "--data", "zara1/test", "--pedestrian", "3", "--frame", "310",
                                        "--k", "2", "--format", "ndjson"], in: folder)
        let objects = ndjson.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == 24 && objects.allSatisfy { $0 != nil })
        #expect(objects[0]?["frame"] as? Int == 320)
        // The same first point, whichever the format (same seed).
        let firstX = Double(lines[1].split(separator: ",")[6])!
        #expect(abs((objects[0]?["x"] as? Double ?? 0) - firstX) < 1e-9)
        // Live input: observed paths in a CSV that is not in the store.
        let liveCSV = "frame,id,x,y\n" + (0..<8).map { "\($0 * 10),walker,\(Double($0) * 0.5),1.0" }.joined(separator: "\n")
        try liveCSV.write(toFile: folder + "/live.csv", atomically: true, encoding: .utf8)
        let live = try run(trajpred, ["sample", "--run", "m", "--input", "live.csv", "--pedestrian", "walker", "--k", "3",
                                      "--format", "json"], in: folder)
        #expect(live.status == 0, "\(live.stderr)")
        let array = try JSONSerialization.jsonObject(with: Data(live.stdout.utf8)) as? [[String: Any]]
        #expect(array?.count == 3 * 12)
        #expect(array?.first?["last_observed_frame"] as? Int == 70)
        #expect(array?.first?["scene"] as? String == "live")
        // Nobody with 8 observed steps at frame 5: a message, not an empty file.
        let none = try run(trajpred, ["sample", "--run", "m", "--input", "live.csv", "--frame", "5", "--k", "3"], in: folder)
        #expect(none.status != 0)
        #expect(none.stderr.contains("no pedestrian has 8 consecutive observed steps"))
        // The reader options of import read --input too: other column names, another separator.
        let custom = "when;person;east;north\n" + (0..<8).map { "\($0 * 10);w;\(Double($0) * 0.5);1.0" }.joined(separator: "\n")
        try custom.write(toFile: folder + "/custom.csv", atomically: true, encoding: .utf8)
        let unnamed = try run(trajpred, ["sample", "--run", "m", "--input", "custom.csv", "--pedestrian", "w"], in: folder)
        #expect(unnamed.status != 0 && unnamed.stderr.contains("name it with --frame-col"), "\(unnamed.stderr)")
        let named = try run(trajpred, ["sample", "--run", "m", "--input", "custom.csv", "--pedestrian", "w", "--k", "2",
                                       "--delimiter", ";", "--frame-col", "when", "--id-col", "person", "--x-col", "east",
                                       "--y-col", "north"], in: folder)
        #expect(named.status == 0, "\(named.stderr)")
        #expect(named.stdout.split(separator: "\n").count == 1 + 2 * 12)
    }
}

@Suite struct DemoInterruptCLITests {
    @Test func ctrlCDuringTheDemosTrainingSavesAndExits130() throws {
        let folder = temporaryFolder()
        let (process, out) = try start(["demo", "--dir", "out", "--epochs", "200"], in: folder)
        #expect(waitFor("epoch   1/200", in: out))
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(try sqlite3("out/demo.sqlite", "SELECT status FROM run WHERE name = 'demo'", in: folder) == "interrupted\n")
        #expect(try sqlite3("out/demo.sqlite", "SELECT count(*) FROM checkpoint WHERE label = 'last'", in: folder) == "1\n")
    }
}

@Suite struct BenchmarkCLITests {
    @Test func leaveOneOutTableOnTheShippedScene() throws {
        let folder = temporaryFolder()
        let result = try run(trajpred, ["benchmark", "ethucy", "--data", repositoryRoot + "/data", "--scenes", "zara1",
                                        "--epochs", "1", "--out", "table.md"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        // stdout is the table alone (the trainings' lines go to stderr), as --out writes it.
        #expect(result.stdout.trimmingCharacters(in: .newlines)
                == (try String(contentsOfFile: folder + "/table.md", encoding: .utf8)).trimmingCharacters(in: .newlines))
        #expect(result.stderr.contains("epoch   1/1"))
        let table = try String(contentsOfFile: folder + "/table.md", encoding: .utf8)
        #expect(table.contains("| method | zara1 | AVG |"))
        #expect(table.contains("| constant velocity | 0.43 / 0.95 | **0.43 / 0.95** |"))
        #expect(table.contains("| Trajectron++ (leakage fixed) | – | 0.32 / 0.55 |"))
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM evaluation WHERE scope = 'all'", in: folder) == "4\n")
        #expect(table.contains("| method | k = 1 | k = 5 | k = 20 |"))
        #expect(table.contains("the `test` split is read by evaluation only"))
        // The training runs of the benchmark select train and val splits only: the run that chooses
        // the epoch count on val, and its refit on train + val for that many epochs.
        #expect(try sqlite3("trajpred.sqlite", """
            SELECT (SELECT group_concat(value, '+') FROM json_each(run.config, '$.train')),
                   (SELECT group_concat(value, '+') FROM json_each(run.config, '$.val')), json_extract(config, '$.epochs')
            FROM run WHERE kind = 'train' ORDER BY id
            """, in: folder) == "zara1/train,zara1/val,1\nzara1/train+zara1/val,zara1/val,1\n")
        #expect(table.contains("then trains again on `train` + `val` for that many epochs"))
        // The refit has its val among its training windows: its epochs are not validated.
        #expect(try sqlite3("trajpred.sqlite", """
            SELECT r.name LIKE '%-refit', count(e.val_min_ade) FROM run r JOIN epoch e ON e.run_id = r.id
            WHERE r.kind = 'train' GROUP BY r.id ORDER BY r.id
            """, in: folder) == "0,1\n1,0\n")
        #expect(try sqlite3("trajpred.sqlite", """
            SELECT DISTINCT t.name LIKE '%-refit', json_extract(v.config, '$.checkpoint')
            FROM evaluation e JOIN run t ON t.id = e.trained_run_id JOIN run v ON v.id = e.run_id
            """, in: folder) == "1,last\n")
    }

    /// Two trainings side by side (each on one core, each with its own connection) give the table
    /// of one after the other, bit for bit, and the same runs.
    @Test func sideBySideTrainingsGiveTheTableOfOneAtATime() throws {
        var tables: [String] = [], runs: [String] = []
        for jobs in ["1", "2"] {
            let folder = temporaryFolder()
            let result = try run(trajpred, ["benchmark", "ethucy", "--data", repositoryRoot + "/data", "--scenes", "zara1",
                                            "--models", "cvae,anchors", "--epochs", "2", "--jobs", jobs, "--out", "table.md"],
                                 in: folder)
            #expect(result.status == 0, "\(result.stderr)")
            // The first line says how long it took.
            let table = try String(contentsOfFile: folder + "/table.md", encoding: .utf8)
            tables.append(table.split(separator: "\n").dropFirst().joined(separator: "\n"))
            // Run names end in the benchmark's time stamp.
            runs.append(try sqlite3("trajpred.sqlite", "SELECT name, status FROM run WHERE kind = 'train' ORDER BY name",
                                    in: folder).replacing(/-[0-9]{10}/, with: ""))
        }
        #expect(tables[0].contains("| trajpred anchors (K 20) |"))
        #expect(tables[0] == tables[1])
        #expect(runs[0] == runs[1] && runs[0].contains("ethucy-zara1-cvae-e2-s0-refit,completed"), "\(runs)")
        #expect(try run(trajpred, ["benchmark", "ethucy", "--data", "x", "--jobs", "0"], in: temporaryFolder()).stderr
                    .contains("--jobs must be at least 1"))
    }

    @Test func withoutRefitTheTrainOnlyRunsBestEpochIsEvaluated() throws {
        let folder = temporaryFolder()
        let result = try run(trajpred, ["benchmark", "ethucy", "--data", repositoryRoot + "/data", "--scenes", "zara1",
                                        "--epochs", "2", "--no-refit"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try sqlite3("trajpred.sqlite", """
            SELECT (SELECT group_concat(value, '+') FROM json_each(run.config, '$.train')) FROM run WHERE kind = 'train'
            """, in: folder) == "zara1/train\n")
        #expect(result.stdout.contains("and is evaluated at that epoch"))
        // The part on the windows Social-GAN's loader keeps, with the published rows again.
        let parts = result.stdout.components(separatedBy: "On the test windows Social-GAN's loader keeps")
        #expect(parts.count == 2, "\(result.stdout)")
        let loader = parts.last ?? ""
        #expect(loader.contains("windows: zara1 2253)") && loader.contains("| constant velocity | ")
                    && loader.contains("| EigenTrajectory | "), "\(loader)")
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(DISTINCT method) FROM evaluation WHERE scope = 'sgan-loader'",
                            in: folder) == "4\n")
    }

    /// --lr, --ema, --weight-decay and --mirror reach every model's training, its run's name and the protocol; values
    /// out of range are refused before any work.
    @Test func learningRateAndAveragingReachTheRunsAndTheProtocol() throws {
        let folder = temporaryFolder()
        let result = try run(trajpred, ["benchmark", "ethucy", "--data", repositoryRoot + "/data", "--scenes", "zara1",
                                        "--models", "cvae", "--epochs", "1", "--no-refit", "--lr", "0.0005", "--ema", "0.9",
                                        "--weight-decay", "0.05", "--mirror"],
                             in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try sqlite3("trajpred.sqlite", """
            SELECT json_extract(config, '$.learningRate'), json_extract(config, '$.averaging'),
                   json_extract(config, '$.weightDecay'), json_extract(config, '$.mirror'),
                   name LIKE 'ethucy-zara1-cvae-mirror-ema0.9-wd0.05-lr0.0005-e1-s0-%' FROM run WHERE kind = 'train'
            """, in: folder) == "0.0005,0.9,0.05,1,1\n")
        #expect(result.stdout.contains("; every model also trained on the training windows' mirror images (y → −y);"))
        #expect(result.stdout.contains("; Adam's learning rate 0.0005;"))
        #expect(result.stdout.contains("the model of cvae (decay 0.9) is the moving average of its weights"))
        #expect(result.stdout.contains("; decoupled weight decay (AdamW) of the weight matrices: cvae 0.05;"))
        for (option, value, message) in [("--lr", "0", "--lr must be a positive number"),
                                         ("--ema", "1", "--ema must be 0 (no averaging) or more, and below 1"),
                                         ("--weight-decay", "nan", "--weight-decay must be 0 (none) or more")] {
            let refused = try run(trajpred, ["benchmark", "ethucy", "--data", "x", option, value], in: folder)
            #expect(refused.status != 0 && refused.stderr.contains(message), "\(refused.stderr)")
        }
    }
}

extension BenchmarkCLITests {
    /// Sets imported beforehand are evaluated with every final model: a copy of the held-out scene's
    /// test split under another name gives the test numbers again, method by method. Sets of the
    /// tree, scenes not held out and missing sets are refused before any work.
    @Test func unseenSetsAreEvaluatedWithEveryFinalModel() throws {
        let folder = temporaryFolder()
        let imported = try run(trajpred, ["import", repositoryRoot + "/data/zara1/test/crowds_zara01.txt", "--dataset", "copy",
                                          "--split", "test"], in: folder)
        #expect(imported.status == 0, "\(imported.stderr)")
        let result = try run(trajpred, ["benchmark", "ethucy", "--data", repositoryRoot + "/data", "--scenes", "zara1",
                                        "--models", "anchors", "--epochs", "1", "--unseen", "copy/test",
                                        "--unseen", "copy/test:zara1", "--out", "table.md"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let table = try String(contentsOfFile: folder + "/table.md", encoding: .utf8)
        #expect(table.contains("| method | copy/test | copy/test (zara1 held out) |"))
        #expect(table.contains("| constant velocity | 0.427 / 0.952 | 0.427 / 0.952 |"), "\(table)")
        // Every method's numbers on the copy are its numbers on the test split (two sets, 4 methods each).
        let same = """
            SELECT count(*), sum(t.min_ade = c.min_ade AND t.min_fde = c.min_fde AND t.min_ade_1 IS c.min_ade_1)
            FROM evaluation t JOIN run tv ON tv.id = t.run_id JOIN evaluation c ON c.trained_run_id = t.trained_run_id
                 AND c.method = t.method AND c.scope = 'all' JOIN run cv ON cv.id = c.run_id
            WHERE t.scope = 'all' AND json_extract(tv.config, '$.data') = 'zara1/test'
                  AND json_extract(cv.config, '$.data') = 'copy/test'
            """
        #expect(try sqlite3("trajpred.sqlite", same, in: folder) == "8,8\n")
        let runs = try sqlite3("trajpred.sqlite", "SELECT count(*) FROM run", in: folder)
        for (unseen, message) in [("zara1/test", "--unseen zara1/test: zara1 is a scene of the benchmark's tree"),
                                  ("copy/test:eth", "--unseen copy/test:eth: eth is not a held-out scene of this benchmark"),
                                  ("elsewhere/test", "--unseen elsewhere/test: no dataset named 'elsewhere'"),
                                  ("copy/test:", "--unseen 'copy/test:': write DATASET[/SPLIT[/SCENE]], or that and :HELD-OUT-SCENE"),
                                  ("copy/test --unseen copy/test", "--unseen copy/test is given twice")] {
            let arguments = unseen.components(separatedBy: " --unseen ").flatMap { ["--unseen", $0] }
            let refused = try run(trajpred, ["benchmark", "ethucy", "--data", repositoryRoot + "/data", "--scenes", "zara1",
                                             "--models", "anchors", "--epochs", "1"] + arguments, in: folder)
            #expect(refused.status != 0 && refused.stderr.contains(message), "\(refused.stderr)")
        }
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM run", in: folder) == runs)
        let none = try run(trajpred, ["benchmark", "ethucy", "--data", repositoryRoot + "/data", "--models", ","], in: folder)
        #expect(none.status != 0 && none.stderr.contains("--models lists no model family"), "\(none.stderr)")
    }
}

extension BenchmarkCLITests {
    /// Cross-scene validation: a tree of the shipped zara1 and two scenes whose test recordings are
    /// among zara1's training files. Each fold trains and validates without the inner scene's
    /// recordings, is scored on exactly those, never reads a test split, and a held-out scene's
    /// cell is the mean of its folds.
    @Test func crossSceneValidationHoldsOutEachOtherSceneOfTheTree() throws {
        let folder = temporaryFolder(), manager = FileManager.default
        try manager.createDirectory(atPath: folder + "/tree", withIntermediateDirectories: true)
        try manager.createSymbolicLink(atPath: folder + "/tree/zara1", withDestinationPath: repositoryRoot + "/data/zara1")
        for (scene, recording) in [("eth", "biwi_eth"), ("hotel", "biwi_hotel")] {
            try manager.createDirectory(atPath: folder + "/tree/\(scene)/test", withIntermediateDirectories: true)
            try manager.copyItem(atPath: repositoryRoot + "/data/zara1/train/\(recording)_train.txt",
                                 toPath: folder + "/tree/\(scene)/test/\(recording).txt")
        }
        let result = try run(trajpred, ["benchmark", "ethucy", "--data", "tree", "--scenes", "zara1", "--models", "anchors",
                                        "--cross-scene", "--out", "table.md"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        // No test split is imported: the inner scenes' test files only name their recordings.
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM scene WHERE split = 'test'", in: folder) == "0\n")
        #expect(result.stderr.contains("zara1: without eth (zara1/train/biwi_eth, zara1/val/biwi_eth); without hotel ("),
                "\(result.stderr)")
        let others = ["crowds_zara02", "crowds_zara03", "students001", "students003", "uni_examples"]
        func split(_ split: String, _ kept: String) -> String {
            ([kept] + others).map { "zara1/\(split)/\($0)" }.joined(separator: "+")
        }
        #expect(try sqlite3("trajpred.sqlite", """
            SELECT name, (SELECT group_concat(value, '+') FROM json_each(run.config, '$.train')),
                   (SELECT group_concat(value, '+') FROM json_each(run.config, '$.val'))
            FROM run WHERE kind = 'train' ORDER BY name
            """, in: folder).replacing(/-[0-9]{10}/, with: "") == """
            ethucy-zara1-inner-eth-anchors-e1-s0,\(split("train", "biwi_hotel")),\(split("val", "biwi_hotel"))
            ethucy-zara1-inner-hotel-anchors-e1-s0,\(split("train", "biwi_eth")),\(split("val", "biwi_eth"))

            """)
        #expect(try sqlite3("trajpred.sqlite", """
            SELECT json_extract(v.config, '$.data') FROM run v JOIN run t ON t.id = v.parent_id WHERE v.kind = 'evaluate'
            ORDER BY t.name
            """, in: folder) == "\"zara1/train/biwi_eth, zara1/val/biwi_eth\"\n\"zara1/train/biwi_hotel, zara1/val/biwi_hotel\"\n")
        // Windows of both splits are scored: the scenes of a fold add up to its whole.
        #expect(try sqlite3("trajpred.sqlite", """
            SELECT a.windows = (SELECT sum(s.windows) FROM evaluation s WHERE s.run_id = a.run_id AND s.method = a.method
                                AND s.scope != 'all'), count(*) OVER ()
            FROM evaluation a WHERE a.scope = 'all' AND a.method LIKE 'model (%'
            """, in: folder) == "1,2\n1,2\n")
        let folds = try sqlite3("trajpred.sqlite", """
            SELECT min_ade, min_fde FROM evaluation WHERE scope = 'all' AND method LIKE 'model (%' ORDER BY run_id
            """, in: folder).split(separator: "\n").map { $0.split(separator: ",").map { Double($0)! } }
        #expect(folds.count == 2)
        let mean = String(format: "%.3f / %.3f", (folds[0][0] + folds[1][0]) / 2, (folds[0][1] + folds[1][1]) / 2)
        let table = try String(contentsOfFile: folder + "/table.md", encoding: .utf8)
        #expect(table.contains("| trajpred anchors (K 20) | \(mean) | **\(mean)** |"), "\(table)")
        #expect(table.contains("| method | eth | hotel | AVG |") && table.contains("(zara1: eth, hotel)"), "\(table)")
        for (arguments, message) in [
            (["--data", repositoryRoot + "/data", "--scenes", "zara1"],
             "--cross-scene: no other scene folder's test recordings (matched by file name: students001.txt and students001_train.txt) are among zara1's train or val files"),
            (["--data", "tree", "--scenes", "zara2"], "--scenes zara2: the tree has no scene folder of that name (it has eth, hotel, zara1)"),
            (["--data", "tree", "--scenes", "zara1", "--unseen", "x/test"], "--unseen cannot be used with --cross-scene"),
            (["--data", "tree", "--scenes", "zara1", "--refit"], "--refit cannot be used with --cross-scene"),
            (["--data", "tree", "--scenes", "zara1", "--no-refit"], "--no-refit cannot be used with --cross-scene"),
        ] {
            let refused = try run(trajpred, ["benchmark", "ethucy", "--db", "refused.sqlite", "--models", "anchors",
                                             "--cross-scene"] + arguments, in: folder)
            #expect(refused.status != 0 && refused.stderr.contains(message), "\(refused.stderr)")
        }
        #expect(try sqlite3("refused.sqlite", "SELECT count(*) FROM scene", in: folder) == "0\n")
    }
}

@Suite struct BenchImportCLITests {
    @Test func resamplingSideIsTimedBesideThePlainImportAndSqlite3() throws {
        let folder = temporaryFolder()
        let result = try run(trajpred, ["bench", "import", "--rows", "3000", "--repeats", "1", "--resample", "0.4",
                                        "--format", "csv"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "workload,implementation,median_s,rows_per_s,peak_rss_mb,ratio_to_sqlite3,ratio_to_plain_import")
        #expect(lines.count == 4)
        #expect(lines.dropFirst().map { $0.split(separator: ",").prefix(2).joined(separator: ",") }
                    == ["import,trajpred", "import --resample 0.4,trajpred", "import,sqlite3 .import"])
        #expect(lines[1].hasSuffix(",1.0") || lines[1].hasSuffix(",1"), "the plain import is its own unit: \(lines[1])")
        #expect(try run(trajpred, ["bench", "import", "--resample", "0"], in: folder).stderr.contains("--resample must be"))
    }
}
