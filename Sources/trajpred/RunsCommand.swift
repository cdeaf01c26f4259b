// `trajpred runs`: the run_summary view, what was trained and how good it was.
import ArgumentParser
import Workflows

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
        print(try RunListing.listing(try store.openExisting(), rounded: output.format == .table).rendered(as: output.format),
              terminator: "")
    }
}
