// The `trajpred` command: parses, validates, wires the libraries together and prints.
// No modelling or SQL here beyond choosing what to call.
#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import ArgumentParser

@main
struct Trajpred: ParsableCommand {
    /// What `trajpred --version` prints.
    static let version = "0.10.0"

    static let configuration = CommandConfiguration(
        commandName: "trajpred",
        abstract: "Predict where pedestrians will walk: k plausible futures each, kept in SQLite.",
        discussion: """
            The store is an SQLite file (--db, default ./trajpred.sqlite or $TRAJPRED_DB) that you can \
            query with the sqlite3 shell. Start with `trajpred demo`, or `trajpred import data/zara1`.
            """,
        version: Trajpred.version,
        subcommands: [ImportCommand.self, DatasetsCommand.self, ScenesCommand.self, TracksCommand.self, TrainCommand.self, SampleCommand.self, StreamCommand.self, ServeCommand.self, EvalCommand.self, PlotCommand.self, DemoCommand.self, BenchmarkCommand.self, RunsCommand.self, DeleteCommand.self, NotebookCommand.self, BenchCommand.self]
    )

    static func main() {
        // A file-size limit (ulimit -f) must make writes fail with EFBIG, which SQLite reports and
        // rolls back, rather than kill the process mid-write.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: error)
        }
        // What a command printed (listings, tables) must have reached standard output: a full disk is
        // an error with a message and exit status 1, not a silent success. (A closed pipe ends the
        // process with SIGPIPE at the write, as for any Unix tool.)
        let flushed = fflush(stdout) == 0
        if !flushed || ferror(stdout) != 0 {
            let reason = flushed ? "" : " (\(String(cString: strerror(errno))))"
            _ = "Error: cannot write standard output\(reason)\n".withCString { fputs($0, stderr) }
            _exit(1)
        }
    }
}
