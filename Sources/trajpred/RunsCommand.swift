// `trajpred runs`: the run_summary view, what was trained and how good it was.
import ArgumentParser
import TrajectoryStore

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List the runs (the run_summary view).")
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let listing = try store.openExisting().listing("""
            SELECT id, name, kind, status, encoder, beta, epochs, epochs_planned,
                   round(best_val_min_ade, 3) AS best_val_min_ade, round(best_val_min_fde, 3) AS best_val_min_fde,
                   round(last_kl, 4) AS last_kl, started_at
            FROM run_summary ORDER BY id
            """)
        print(listing.rendered(as: output.format), terminator: "")
    }
}
