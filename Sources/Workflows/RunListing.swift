// The runs as `trajpred runs` lists them: the run_summary view, with a run stored as 'running'
// that no process trains any more (it was killed) shown as 'stopped', so that it is resumed.
import TrajectoryData
import TrajectoryStore

public enum RunListing {
    /// `rounded`: meters to the millimetre, for a table; every digit for a script's CSV or JSON.
    public static func listing(_ store: Store, rounded: Bool = true) throws -> Listing {
        var listing = try store.runSummary(rounded: rounded)
        // Without the lock file (say, on a read-only folder) the stored status is shown as it is.
        guard let locks = try? RunLocks.of(database: store.path),
              let idColumn = listing.columns.firstIndex(of: "id"),
              let statusColumn = listing.columns.firstIndex(of: "status") else { return listing }
        for (index, row) in listing.rows.enumerated() {
            guard case .integer(let id) = row[idColumn], case .text(RunStatus.running.rawValue) = row[statusColumn],
                  locks.holder(run: id) == nil else { continue }
            listing.rows[index][statusColumn] = .text("stopped")
        }
        return listing
    }
}
