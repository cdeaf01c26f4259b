// `trajpred datasets`, `scenes`, `tracks`: what the store holds, as a table, CSV or JSON.
import ArgumentParser
import TrajectoryStore
import Workflows

struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "datasets", abstract: "List the datasets.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        print(try store.openExisting().datasets().rendered(as: output.format), terminator: "")
    }
}

struct ScenesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scenes", abstract: "List the scenes.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "Only the scenes of this dataset.") var dataset: String?

    func run() throws {
        print(try store.openExisting().scenes(dataset: dataset).rendered(as: output.format), terminator: "")
    }
}

struct TracksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracks", abstract: "List the pedestrians of a scene: first and last frame, length, gaps.")
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @Option(help: "The scene: NAME when unique, or DATASET/SPLIT/NAME.") var scene: String

    func run() throws {
        print(try store.openExisting().tracks(scene: scene).rendered(as: output.format), terminator: "")
    }
}
