// The one error type of the store: every failure of SQLite or of the schema, with the context
// a user needs to act (the file, the SQL, SQLite's own message). Not for import errors, which
// belong to TrajectoryData.

/// Everything that can go wrong in the store.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    /// SQLite refused a statement; `message` is `sqlite3_errmsg`, `sql` the statement.
    case sqlite(code: Int32, message: String, sql: String)
    /// The file exists but is not an SQLite database at all.
    case notADatabase(path: String)
    /// An SQLite database that belongs to another application (its `application_id` is not ours).
    case foreignDatabase(path: String, applicationID: Int32)
    /// The database was written by a newer trajpred: it has migrations this binary does not know.
    case newerSchema(path: String, found: Int, supported: Int)
    /// A read-only command was pointed at a database that does not exist.
    case missingDatabase(path: String)
    /// A named thing (dataset, scene, run, …) is not in the store.
    case notFound(kind: String, name: String)
    /// The store already holds something that a command would write again.
    case conflict(String)
    /// A file beside the database (the run lock file) could not be opened or locked.
    case io(path: String, message: String)

    public var description: String {
        switch self {
        case let .sqlite(code, message, sql):
            let oneLine = sql.split(whereSeparator: \.isNewline).joined(separator: " ")
            let shown = oneLine.count > 160 ? oneLine.prefix(157) + "..." : Substring(oneLine)
            // By primary code, whatever the extended one: SQLITE_IOERR 10, SQLITE_FULL 13,
            // SQLITE_READONLY 8, SQLITE_CANTOPEN 14.
            let hint: String
            switch code & 0xff {
            case 10, 13: hint = "; the disk may be full or the file size limited"
            case 8: hint = "; the database, its folder or its file system is read-only"
            case 14: hint = "; check that the folder exists and is not read-only (even reading writes a -shm file beside it)"
            default: hint = ""
            }
            return "SQLite error \(code): \(message)\(hint) (in: \(shown))"
        case let .notADatabase(path):
            return "\(path) is not an SQLite database; point --db at a trajpred database or at a new file"
        case let .foreignDatabase(path, applicationID):
            return "\(path) is an SQLite database of another application (application_id \(applicationID)); "
                + "trajpred will not write into it: point --db at a trajpred database or at a new file"
        case let .newerSchema(path, found, supported):
            return "\(path) was written by a newer trajpred (schema version \(found); this binary knows up to "
                + "\(supported)); upgrade trajpred to use it"
        case let .missingDatabase(path):
            return "no database at \(path): import data first (trajpred import …), or point --db / $TRAJPRED_DB at one"
        case let .notFound(kind, name):
            return "no \(kind) named '\(name)' in the store"
        case let .conflict(text):
            return text
        case let .io(path, message):
            return "\(path): \(message)"
        }
    }
}
