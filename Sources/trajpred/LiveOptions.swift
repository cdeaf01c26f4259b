// The options `stream` and `serve` share: the run and checkpoint to load, the default k and seed,
// and how the online predictor remembers agents (--forget, --dt, --max-gap).
import ArgumentParser
import TrajectoryStore
import Workflows

struct LiveOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @Option(name: .customLong("run"), help: "The trained run (id or name).") var runReference: String
    @Option(help: "The checkpoint: best or last (default: best, or last for a run trained without validation).")
    var checkpoint: CheckpointRecord.Label?
    @Option(parsing: .unconditional, help: "Futures per agent (of a request that does not say).") var k: Int = 20
    @Option(parsing: .unconditional, help: "The seed of every prediction (of a request that does not say).") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "Seconds unseen after which an agent is forgotten.") var forget: Double = 5
    @Option(parsing: .unconditional, help: "Seconds per model step (default: that of the run's training data).") var dt: Double?
    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds between two observations beyond which they are not interpolated (default: "
        + "2 steps, as import --resample)."))
    var maxGap: Double?

    func validate() throws {
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
        guard forget > 0, forget.isFinite else { throw ValidationError("--forget must be a positive number of seconds") }
        if let dt, !(dt > 0 && dt.isFinite) { throw ValidationError("--dt must be a positive number of seconds") }
        if let maxGap, !(maxGap > 0 && maxGap.isFinite) { throw ValidationError("--max-gap must be a positive number of seconds") }
    }

    /// The run's model with its step, from the store.
    func predictor() throws -> OnlinePredictor {
        try OnlinePredictor.load(try store.openExisting(), run: runReference, checkpoint: checkpoint, timeStep: dt,
                                 maxGap: maxGap)
    }
}
