// Helpers for store tests: fresh temporary paths, the repository root, and a full snapshot of a
// database's rows to prove that a failed import changed nothing.
import Foundation
@_exported import TestSupport
@testable import TrajectoryStore

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
