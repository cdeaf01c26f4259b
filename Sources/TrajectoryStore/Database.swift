// A small wrapper of one SQLite connection: open, execute, prepare, transactions, pragmas.
// Errors carry sqlite3_errmsg and the SQL. It knows nothing of trajpred's schema; the Migrator
// and Store build on it.
import CSQLite
import Foundation

/// One connection to an SQLite file. Not shared between threads.
public final class Database {
    /// The SQLite handle; closed in `deinit`.
    let handle: OpaquePointer
    /// The path the connection was opened with.
    public let path: String

    /// Opens (and, unless `readOnly`, creates) the database at `path`.
    /// Sets a busy timeout of `busyTimeoutMilliseconds` so concurrent writers wait rather than fail.
    /// `immutable` reads the file as it is, with no lock and no write-ahead log (SQLite's
    /// `immutable=1`): only for a file nobody can change, such as one in a read-only folder.
    public init(path: String, readOnly: Bool = false, immutable: Bool = false, busyTimeoutMilliseconds: Int32 = 10_000)
        throws(StoreError)
    {
        var db: OpaquePointer?
        var flags = (readOnly || immutable ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX
        var name = path
        if immutable {
            flags |= SQLITE_OPEN_URI
            // The path part of a URI ends at '?' or '#', and '%' escapes: percent-encoded as a URL path.
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            name = "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? absolute) + "?immutable=1"
        }
        let rc = sqlite3_open_v2(name, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw .sqlite(code: rc, message: message, sql: "open \(path)")
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        // Closing must not lock readers out. By default the last connection to close checkpoints
        // under an exclusive lock and deletes the write-ahead log, so the next opener rebuilds the
        // WAL index: at both moments a reader in another process (the sqlite3 shell, which has no
        // busy timeout) gets "database is locked". Keep the log and leave checkpoints to the
        // automatic, passive ones that never block readers.
        var persist: Int32 = 1
        sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
        csqlite_set_no_checkpoint_on_close(db, 1)
    }

    /// Copies what the log holds into the main file as far as no reader prevents it (PASSIVE: it never
    /// waits for, nor blocks, readers).
    public func checkpointPassively() {
        sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
    }

    deinit {
        // Bring the main file up to date for whoever copies it alone, without the exclusive lock
        // of a close-time checkpoint (PASSIVE never waits for, nor blocks, readers).
        sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws(StoreError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw .sqlite(code: rc, message: message, sql: sql)
        }
    }

    /// Compiles one statement.
    public func prepare(_ sql: String) throws(StoreError) -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    /// IMMEDIATE takes the write lock up front, so two writers queue on the busy timeout
    /// instead of failing half-way with SQLITE_BUSY.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The first column of the first row of `sql`, as an integer (nil when there is no row or it is NULL).
    public func scalarInt(_ sql: String, _ values: SQLValue...) throws(StoreError) -> Int64? {
        let statement = try prepare(sql)
        try statement.bind(values)
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.int(0)
    }

    /// The first column of the first row of `sql`, as text.
    public func scalarText(_ sql: String, _ values: SQLValue...) throws(StoreError) -> String? {
        let statement = try prepare(sql)
        try statement.bind(values)
        guard try statement.step(), !statement.isNull(0) else { return nil }
        return statement.text(0)
    }

    /// The rowid of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    func error(_ rc: Int32, sql: String) -> StoreError {
        .sqlite(code: rc, message: lastErrorMessage, sql: sql)
    }
}
