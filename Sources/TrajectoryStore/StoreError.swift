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
    /// A named thing (dataset, scene, run, …) is not in the store; `known` lists what there is,
    /// when that helps.
    case notFound(kind: String, name: String, known: [String] = [])
    /// A run name that is taken.
    case duplicateRunName(String)
    /// A scene name that several scenes have.
    case ambiguousScene(name: String, candidates: [String])
    /// Another file already imported under a scene's name.
    case sceneTaken(file: String, scene: String, other: String)
    /// A selection that is not DATASET[/SPLIT[/SCENE]] (`reason` says what is off).
    case invalidSelection(selection: String, reason: String)
    /// A selection whose second part is not a split.
    case unknownSplit(selection: String, split: String)
    /// A selection that holds no scene.
    case emptySelection(String)
    /// A stored tensor whose bytes do not match its shape.
    case corruptTensor(name: String, checkpoint: Int64)
    /// A stored value that is not one this binary knows (`what`: run kind, run status, …).
    case unknownValue(what: String, value: String)
    /// A file beside the database (the run lock file) could not be opened or locked.
    case io(path: String, message: String)
    /// A run another process is training, asked to be deleted.
    case runInUse(run: String, pid: Int32?)

    public var description: String {
        switch self {
        case let .sqlite(code, message, sql):
            let oneLine = sql.split(whereSeparator: \.isNewline).joined(separator: " ")
            let shown = oneLine.count > 160 ? oneLine.prefix(157) + "..." : Substring(oneLine)
            // By primary code, whatever the extended one: SQLITE_IOERR 10, SQLITE_FULL 13,
            // SQLITE_READONLY 8, SQLITE_CANTOPEN 14.
            let hint: String
            switch code & 0xff {
            case 5 where code != 517:  // SQLITE_BUSY after the busy timeout (not BUSY_SNAPSHOT, which waits for nothing)
                hint = "; another process held the store's write lock all the while this one waited (an import or a "
                    + "training writing to it?): try again when it has finished"
            case 10, 13: hint = "; the disk may be full or the file size limited"
            case 8: hint = "; the database, its folder or its file system is read-only"
            case 14: hint = "; check that the folder exists and is not read-only (a store being written keeps its -wal and -shm files beside it)"
            case 1 where message.hasPrefix("no such table") || message.hasPrefix("no such view"):
                hint = "; the database is damaged (a table or view of trajpred's schema is gone): restore a backup, "
                    + "or import into a new file"
            case 1 where message.hasSuffix("already exists"):
                hint = "; the database's schema version (PRAGMA user_version) no longer matches its tables, so it "
                    + "was changed by hand: restore a backup, or import into a new file"
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
        case let .notFound(kind, name, known):
            return "no \(kind) \(kind == "run" && Int64(name) != nil ? "with id or name" : "named") '\(name)' in the store"
                + (known.isEmpty ? "" : " (there are: \(known.joined(separator: ", ")))")
        case let .duplicateRunName(name):
            return "a run named '\(name)' already exists; choose another --name"
        case let .ambiguousScene(name, candidates):
            return "scene name '\(name)' is ambiguous; say which one: " + candidates.joined(separator: ", ")
        case let .sceneTaken(file, scene, other):
            return "\(file): scene \(scene) already holds another file (\(other)); name this one with --scene"
        case let .invalidSelection(selection, reason):
            return "'\(selection)' is not a selection: \(reason)"
        case let .unknownSplit(selection, split):
            return "'\(split)' in '\(selection)' is not a split: train, val or test"
        case let .emptySelection(selection):
            return "the selection '\(selection)' holds no scene"
        case let .corruptTensor(name, checkpoint):
            return "tensor \(name) of checkpoint \(checkpoint) has the wrong size"
        case let .unknownValue(what, value):
            return "the store holds a \(what) '\(value)' that this trajpred does not know; upgrade trajpred"
        case let .io(path, message):
            return "\(path): \(message)"
        case let .runInUse(run, pid):
            return "run \(run) is being trained right now by process \(pid.map(String.init) ?? "?"); stop it (Ctrl-C), "
                + "then delete it"
        }
    }
}
