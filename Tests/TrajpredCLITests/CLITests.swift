// The trajpred binary end to end on a temporary database: import the shipped data, list it in
// every format, read it back with the sqlite3 shell, and refuse a bad file without a trace.
import Foundation
@_exported import TestSupport
import Testing

/// Output and exit status of one process.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `executable` with `arguments` in `folder`, stdin read from the file `input` if given.
func run(_ executable: String, _ arguments: [String], in folder: String, environment: [String: String] = [:],
         input: String? = nil) throws -> Run
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "TRAJPRED_DB")
    for (key, value) in environment { env[key] = value }
    process.environment = env
    // Output goes to files, so a large output can never block the child on a full pipe.
    let outPath = NSTemporaryDirectory() + "trajpred-out-\(UUID().uuidString)"
    let errPath = outPath + ".err"
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    defer {
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    process.standardInput = try input.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) } ?? FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    let outData = FileManager.default.contents(atPath: outPath) ?? Data()
    let errData = FileManager.default.contents(atPath: errPath) ?? Data()
    return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
               stderr: String(decoding: errData, as: UTF8.self))
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The trajpred executable built beside the test bundle.
let trajpred: String = {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("trajpred").path
    if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
    return repositoryRoot + "/.build/debug/trajpred"
}()

func sqlite3(_ database: String, _ sql: String, in folder: String) throws -> String {
    let result = try run("/usr/bin/sqlite3", ["-batch", "-csv", database, sql], in: folder)
    #expect(result.status == 0, "sqlite3: \(result.stderr)")
    return result.stdout
}

@Suite struct CLITests {
    @Test func importListAndQueryWithTheShell() throws {
        let folder = temporaryFolder()
        let imported = try run(trajpred, ["import", repositoryRoot + "/data/zara1"], in: folder)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("→ zara1/test/crowds_zara01: 148 pedestrians, 5153 positions"))
        #expect(imported.stdout.hasSuffix("15 imported, 0 skipped, 0 failed\n"))

        // The default database is ./trajpred.sqlite; the sqlite3 shell reads what we wrote.
        #expect(FileManager.default.fileExists(atPath: folder + "/trajpred.sqlite"))
        #expect(try sqlite3("trajpred.sqlite", "SELECT count(*) FROM trajectory WHERE dataset = 'zara1'", in: folder)
            == "74428\n")
        #expect(try sqlite3("trajpred.sqlite", """
            SELECT pedestrian, first_frame, last_frame, positions FROM track
            WHERE scene = 'crowds_zara01' ORDER BY agent_id LIMIT 2
            """, in: folder) == "1,0,270,28\n2,0,270,28\n")

        let csv = try run(trajpred, ["datasets", "--format", "csv"], in: folder)
        #expect(csv.stdout == """
            dataset,scenes,train_scenes,val_scenes,test_scenes,pedestrians,positions
            zara1,15,7,7,1,2314,74428

            """)
        let json = try run(trajpred, ["scenes", "--dataset", "zara1", "--format", "json"], in: folder)
        let scenes = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(scenes?.count == 15)
        #expect(scenes?.last?["scene"] as? String == "crowds_zara01")
        #expect(scenes?.last?["time_step"] as? Double == 0.4)
        let table = try run(trajpred, ["tracks", "--scene", "zara1/test/crowds_zara01"], in: folder)
        #expect(table.stdout.split(separator: "\n").count == 2 + 148)

        // Importing again skips every file: same content. The report as JSON, one object per file.
        let again = try run(trajpred, ["import", repositoryRoot + "/data/zara1", "--format", "json"], in: folder)
        #expect(again.status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [[String: Any]]
        #expect(report?.count == 15)
        #expect(report?.allSatisfy { $0["status"] as? String == "skipped" } == true)
        #expect(report?.first?["scene"] as? String == "zara1/train/biwi_eth")
    }

    @Test func badFileFailsWithFileAndLineAndChangesNothing() throws {
        let folder = temporaryFolder()
        try "0\t1\t1.0\t2.0\n10\t1\t1.5\t2.0\n".write(toFile: folder + "/good.txt", atomically: true, encoding: .utf8)
        try "0\t1\t1.0\t2.0\n10\t1\tNaN\t2.0\n".write(toFile: folder + "/bad.txt", atomically: true, encoding: .utf8)
        let env = ["TRAJPRED_DB": folder + "/env.sqlite"]
        #expect(try run(trajpred, ["import", "good.txt", "--dataset", "d"], in: folder, environment: env).status == 0)
        let dump = try sqlite3("env.sqlite", ".dump", in: folder)
        let bad = try run(trajpred, ["import", "bad.txt", "--dataset", "d"], in: folder, environment: env)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("bad.txt:2: x must be a finite number within ±3.4e38, found 'NaN'"))
        #expect(try sqlite3("env.sqlite", ".dump", in: folder) == dump)
        #expect(try sqlite3("env.sqlite", "PRAGMA integrity_check", in: folder) == "ok\n")
        // A negative number is a value out of range, not a missing one.
        for (option, message) in [("--scale", "--scale must be a positive number of meters per pixel, not -0.5"),
                                  ("--dt", "--dt must be a positive number of seconds"),
                                  ("--resample", "--resample must be a positive number of seconds")] {
            let refused = try run(trajpred, ["import", "good.txt", "--dataset", "e", option, "-0.5"], in: folder, environment: env)
            #expect(refused.status == 64 && refused.stderr.contains(message), "\(refused.stderr)")
        }
        #expect(try sqlite3("env.sqlite", ".dump", in: folder) == dump)
    }

    @Test func listingWithoutADatabaseSaysWhatToDo() throws {
        let folder = temporaryFolder()
        let result = try run(trajpred, ["datasets", "--db", "none.sqlite"], in: folder)
        #expect(result.status != 0)
        #expect(result.stderr.contains("no database at none.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/none.sqlite"))
    }

    /// A folder where a file is expected is named as a folder (SQLite called it a disk I/O error,
    /// reading it a "read error").
    @Test func aFolderGivenForAFileIsNamedSo() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder + "/dir", withIntermediateDirectories: true)
        for arguments in [["datasets", "--db", "dir"], ["import", "--db", "dir", repositoryRoot + "/data/zara1"]] {
            let result = try run(trajpred, arguments, in: folder)
            #expect(result.status == 1 && result.stderr.contains("dir: a folder, not a database file"), "\(result.stderr)")
        }
        try "0\t1\t1.0\t2.0\n10\t1\t1.5\t2.0\n".write(toFile: folder + "/good.txt", atomically: true, encoding: .utf8)
        let image = try run(trajpred, ["import", "good.txt", "--dataset", "d", "--image", "dir"], in: folder)
        #expect(image.status == 1 && image.stderr.contains("dir: cannot read: a folder, not a file"), "\(image.stderr)")
    }

    /// `--version` prints the version alone, as scripts that log it expect.
    @Test func versionIsPrinted() throws {
        let result = try run(trajpred, ["--version"], in: temporaryFolder())
        #expect(result.status == 0 && result.stdout.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil,
                "\(result.stdout)")
    }

    @Test func foreignFileIsRefused() throws {
        let folder = temporaryFolder()
        try "hello".write(toFile: folder + "/notes.txt", atomically: true, encoding: .utf8)
        let result = try run(trajpred, ["datasets", "--db", "notes.txt"], in: folder)
        #expect(result.status != 0)
        #expect(result.stderr.contains("notes.txt is not an SQLite database"))
        #expect(try String(contentsOfFile: folder + "/notes.txt", encoding: .utf8) == "hello")
    }
}
