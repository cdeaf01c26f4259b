// Helpers for store tests: fresh temporary paths, the repository root, and a full snapshot of a
// database's rows to prove that a failed import changed nothing.
import Foundation
@testable import TrajectoryStore

/// The folder every test folder of this process lives in, removed when the process exits (the
/// suites run in one process; without it each run left hundreds of megabytes in /tmp).
let testRoot: String = {
    let path = testRootPath(getpid())
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: testRootPath(getpid())) }
    return path
}()

func testRootPath(_ pid: pid_t) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("trajpred-store-tests-\(pid)").path
}

/// A new, empty folder under `testRoot`.
func temporaryFolder() -> String {
    let path = testRoot + "/" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The repository checkout this test file belongs to.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// Every row of every table, in key order, as text.
func snapshot(_ database: Database) throws -> String {
    let tables = try database.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .rows { $0.text(0) }
    var out = ""
    for table in tables {
        let statement = try database.prepare("SELECT * FROM \"\(table)\" ORDER BY 1, 2")
        out += "[\(table)]\n"
        for row in try statement.rows([], { row in (0..<row.columnCount).map { "\(row.value($0))" } }) {
            out += row.joined(separator: "|") + "\n"
        }
    }
    return out
}
