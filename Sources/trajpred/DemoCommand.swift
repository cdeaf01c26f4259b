// `trajpred demo`: the whole job on the data shipped in data/ — import, a short training,
// sampling, evaluation against the baselines, and pictures — in a folder of its own.
import ArgumentParser
import Foundation
import TrajectoryData
import Workflows

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Import a scene folder (data/zara1), train a CVAE and a WTA model briefly, sample, evaluate and draw, into one folder.",
        discussion: """
            Everything goes to --dir: the database, predictions.csv, evaluation.csv, scene.svg, scene_wta.svg, \
            curves.svg.
            """
    )

    @Option(help: "The folder to write into (created if needed).") var dir: String = "trajpred-demo"
    @Option(help: "The ETH/UCY scene folder to use (default: data/zara1 of the repository).") var data: String?
    @Option(help: "Training epochs.") var epochs: Int = 15
    @Option(parsing: .unconditional, help: "The seed.") var seed: UInt64 = 0

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
    }

    func run() throws {
        var demo = Demo(directory: dir, data: try data ?? Demo.shippedData(executable: currentExecutable()))
        (demo.epochs, demo.seed) = (epochs, seed)
        let training = TrainingOutput(style: .plain)
        Interrupt.install()
        let result = try runInterruptible { try demo.run(shouldStop: { Interrupt.requested }) { event in
            switch event {
            case let .stage(title):
                fflush(nil)  // what the previous step printed comes before the next title, even through a pipe
                printError("\n== \(title)")
            case let .imported(report) where report.status == .imported:
                print("\(report.item.path) → \(report.scene): \(report.pedestrians ?? 0) pedestrians, "
                    + "\(report.positions ?? 0) positions (\(report.detail))")
            case .imported:
                break
            case let .started(session): training.started(session)
            case let .training(event): training.event(event)
            case let .trained(summary, run): training.trained(summary, run: "\(run.id) (\(run.name))")
            case let .predicted(run, points):
                printError("stored \(points) predicted points as run \(run.id) (\(run.name))")
            case let .evaluated(report):
                print(report.listing.rendered(as: .table), terminator: "")
            case let .wrote(path):
                printError("wrote \(path)")
            }
        } }
        fflush(nil)
        print("""

            demo done in \(String(format: "%.0f", result.seconds)) s; everything is in \(dir)/:
              demo.sqlite      the store (sqlite3 \(dir)/demo.sqlite 'select * from run_summary')
              predictions.csv  20 futures of each pedestrian at frame \(formatted(result.frame)) of \(result.scene)
              evaluation.csv   minADE/minFDE@20 (and @1, @5), KDE-NLL and collisions on \(result.dataset)/test: the CVAE,
                               the WTA model, and the baselines
              scene.svg        observed paths, true and sampled futures (CVAE) at frame \(formatted(result.frame))
              scene_wta.svg    the same with the WTA model's 20 futures
              curves.svg       loss and validation curves of the training
            """)
    }
}
