// The options every command that touches the store shares: where the database is.
import ArgumentParser
import Foundation
import TrajectoryStore

struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The SQLite database.", valueName: "path"))
    var db: String = ProcessInfo.processInfo.environment["TRAJPRED_DB"] ?? "trajpred.sqlite"

    /// Opens the store for writing, creating it if needed.
    func open() throws -> Store { try Store(path: db) }

    /// Opens an existing store; a missing file is an error, not a new empty database.
    func openExisting() throws -> Store { try Store(path: db, create: false) }
}
