// `trajpred runs`: the run_summary view, what was trained and how good it was.
import ArgumentParser
import TrajectoryStore

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List the runs (the run_summary view).",
        discussion: """
        A run stored as 'running' that no process is training any more (it was killed) is listed as \
        'stopped': continue it with trajpred train --resume RUN.
        """)
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let store = try store.openExisting()
        var listing = try store.listing("""
            SELECT id, name, kind, status, encoder, beta, epochs, epochs_planned,
                   round(best_val_min_ade, 3) AS best_val_min_ade, round(best_val_min_fde, 3) AS best_val_min_fde,
                   round(last_kl, 4) AS last_kl, started_at
            FROM run_summary ORDER BY id
            """)
        // 'running' in the store but no process holds the run: it was killed; say so (resume it).
        // (Without the lock file, say on a read-only folder, the stored status is shown as it is.)
        if let locks = try? RunLocks(database: store.path) {
            for (index, row) in listing.rows.enumerated() {
                guard case .integer(let id) = row[0], case .text("running") = row[3], locks.holder(run: id) == nil else { continue }
                listing.rows[index][3] = .text("stopped")
            }
        }
        print(listing.rendered(as: output.format), terminator: "")
    }
}
