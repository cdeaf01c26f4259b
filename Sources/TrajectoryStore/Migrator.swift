// Brings a database to the schema this binary knows: checks that the file is ours, refuses one
// from a newer trajpred, applies each missing migration in its own transaction, and sets the
// connection up (WAL, foreign keys). Follows GRDB's rule: a shipped migration is never edited.

/// One schema step, `migrations/NNNN_name.sql`; `version` is NNNN and becomes `PRAGMA user_version`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies migrations and guards the file's identity.
public enum Migrator {
    /// `PRAGMA application_id` of a trajpred database: the bytes "TRJP".
    public static let applicationID: Int32 = 0x5452_4A50

    /// Checks identity and version, sets the connection up, and applies what is missing.
    /// Each migration and its `user_version` bump commit together, or not at all.
    public static func migrate(_ db: Database, migrations: [Migration] = Migration.embedded) throws(StoreError) {
        let latest = migrations.last?.version ?? 0
        let current = try checkIdentity(db, latest: latest)
        if current < latest {
            // WAL lets readers (a sqlite3 shell) go on while trajpred writes.
            try db.execute("PRAGMA journal_mode = WAL")
        }
        try db.execute("PRAGMA synchronous = NORMAL")
        // The log is kept between connections; once checkpointed, cut it back to 16 MB.
        try db.execute("PRAGMA journal_size_limit = 16777216")
        // Migrations run with foreign keys off, as SQLite's recipe for rebuilding a table requires
        // (dropping the old table must not cascade); each checks them before it commits.
        try db.execute("PRAGMA foreign_keys = OFF")
        for migration in migrations where migration.version > current {
            try apply(migration, to: db)
        }
        try db.execute("PRAGMA foreign_keys = ON")
    }

    /// The file's current schema version, after refusing files that are not ours or are too new.
    static func checkIdentity(_ db: Database, latest: Int) throws(StoreError) -> Int {
        let applicationID: Int64
        do {
            applicationID = try db.scalarInt("PRAGMA application_id") ?? 0
        } catch let .sqlite(code, _, _) where code & 0xff == 26 /* SQLITE_NOTADB */ {
            throw .notADatabase(path: db.path)
        }
        let version = Int(try db.scalarInt("PRAGMA user_version") ?? 0)
        if applicationID != Int64(Self.applicationID) {
            let objects = try db.scalarInt("SELECT count(*) FROM sqlite_schema") ?? 0
            if applicationID != 0 || objects > 0 || version != 0 {
                throw .foreignDatabase(path: db.path, applicationID: Int32(truncatingIfNeeded: applicationID))
            }
        }
        if version > latest {
            throw .newerSchema(path: db.path, found: version, supported: latest)
        }
        return version
    }

    static func apply(_ migration: Migration, to db: Database) throws(StoreError) {
        try db.execute("BEGIN IMMEDIATE")
        do throws(StoreError) {
            // Another process may have migrated while we waited for the lock: look again.
            let version = Int(try db.scalarInt("PRAGMA user_version") ?? 0)
            if version >= migration.version {
                try db.execute("COMMIT")
                return
            }
            try db.execute(migration.sql)
            if let table = try db.scalarText("SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1") {
                throw .sqlite(code: 787, message: "migration \(migration.name) leaves a row of \(table) without its parent",
                              sql: "PRAGMA foreign_key_check")
            }
            try db.execute("PRAGMA application_id = \(applicationID)")
            try db.execute("PRAGMA user_version = \(migration.version)")
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }
}
