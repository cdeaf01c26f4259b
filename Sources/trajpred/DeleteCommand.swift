// `trajpred delete`: remove a dataset, a scene or a run, with everything that hangs off it, in one
// transaction; says what it removed.
import ArgumentParser
import TrajectoryStore

struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a dataset, a scene or a run (and what depends on it) from the store.",
        discussion: "One of --dataset NAME, --scene NAME|DATASET/SPLIT/NAME, --run ID|NAME. To import a file again "
            + "with other options, delete its scene first, or import it with --replace."
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "A dataset, with all its scenes.") var dataset: String?
    @Option(help: "A scene: NAME when unique, or DATASET/SPLIT/NAME.") var scene: String?
    @Option(name: .customLong("run"), help: "A run: its id or name.") var runReference: String?

    func validate() throws {
        guard [dataset, scene, runReference].compactMap({ $0 }).count == 1 else {
            throw ValidationError("give one of --dataset, --scene, --run")
        }
    }

    func run() throws {
        let database = try store.openExisting()
        let removed: Removed
        if let dataset {
            removed = try database.deleteDataset(dataset)
        } else if let scene {
            removed = try database.deleteScene(scene)
        } else {
            removed = try database.deleteRun(runReference!)
        }
        print("deleted \(removed.description)")
    }
}
