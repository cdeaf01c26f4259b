// `trajpred import`: files or ETH/UCY folders into the store, one transaction per file.
import ArgumentParser
import Foundation
import TrajectoryData
import TrajectoryStore

extension TrajectoryFormat: ExpressibleByArgument {}
extension Split: ExpressibleByArgument {}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import trajectory files (ETH/UCY text, CSV, TrajNet++ ndjson) into the store.",
        discussion: """
            A folder laid out as DATASET/{train,val,test}/FILE imports whole, splits from its folders; a \
            folder of such datasets imports each under its own name. Each file is one transaction: a bad \
            row stops that file with file:line and stores nothing of it. A file whose content is already \
            in the dataset is skipped.
            """
    )

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("Files or folders to import.", valueName: "path"))
    var paths: [String]

    @Option(help: "Dataset to import into (default: the folder's name).")
    var dataset: String?

    @Option(help: "Scene name, for a single file (default: the file name without extension and _train/_val/_test).")
    var scene: String?

    @Option(help: "Split of the scenes: train, val or test (default: from the folder or file name, else train).")
    var split: Split?

    @Option(help: "Report as table, csv or json (one row per file) instead of lines of text.")
    var format: OutputFormat?

    @Option(name: .customLong("input-format"), help: "File format: auto, ethucy, csv or ndjson.")
    var inputFormat: String = "auto"

    @Option(help: "Frame units between two steps (default: detected).")
    var frameStep: Double?

    @Option(help: "Seconds between two steps (default: from the file, else 25 frame ids per second).")
    var dt: Double?

    @Option(help: "CSV field separator, one character or 'tab' (default: detected).")
    var delimiter: String?

    @Option(help: "CSV column (name or 1-based number) holding the frame.")
    var frameCol: String?
    @Option(help: "CSV column holding the pedestrian id.")
    var idCol: String?
    @Option(help: "CSV column holding x.")
    var xCol: String?
    @Option(help: "CSV column holding y.")
    var yCol: String?

    func validate() throws {
        if inputFormat != "auto", TrajectoryFormat(rawValue: inputFormat) == nil {
            throw ValidationError("--input-format must be auto, ethucy, csv or ndjson, not '\(inputFormat)'")
        }
        if let delimiter, delimiter != "tab", delimiter.utf8.count != 1 {
            throw ValidationError("--delimiter must be one character (or 'tab'), not '\(delimiter)'")
        }
        if let frameStep, !(frameStep > 0 && frameStep.isFinite) {
            throw ValidationError("--frame-step must be a positive number")
        }
        if let dt, !(dt > 0 && dt.isFinite) { throw ValidationError("--dt must be a positive number of seconds") }
    }

    func run() throws {
        let items = try ImportPlan.plan(paths: paths, dataset: dataset, split: split, scene: scene)
        if items.isEmpty { throw ValidationError("no trajectory file (.txt .csv .tsv .ndjson .jsonl .json) in \(paths)") }
        let store = try store.open()
        let options = ReadOptions(
            format: TrajectoryFormat(rawValue: inputFormat),
            delimiter: delimiter.map { $0 == "tab" ? 0x09 : $0.utf8.first! },
            frameColumn: frameCol, idColumn: idCol, xColumn: xCol, yColumn: yCol)
        var imported = 0, skipped = 0, failed = 0
        var report: [[SQLValue]] = []
        for item in items {
            let target = "\(item.dataset)/\(item.split.rawValue)/\(item.scene)"
            do {
                let result = try store.importFile(item, options: options, frameStep: frameStep, timeStep: dt)
                switch result.outcome {
                case let .imported(pedestrians, positions):
                    if format == nil {
                        print("\(item.path) → \(target): \(pedestrians) pedestrians, \(positions) positions "
                            + "(\(result.formatDetail); \(result.gridDetail); split \(item.splitSource))")
                    }
                    report.append([.text(item.path), .text(target), .text("imported"), .integer(Int64(pedestrians)),
                                   .integer(Int64(positions)), .text("\(result.formatDetail); \(result.gridDetail)")])
                    imported += 1
                case let .alreadyImported(existing):
                    if format == nil { print("\(item.path): skipped, the same content is already imported as \(existing)") }
                    report.append([.text(item.path), .text(existing), .text("skipped"), .null, .null,
                                   .text("the same content is already imported")])
                    skipped += 1
                }
            } catch {
                // An ImportError already says file:line; a store error gets the file named.
                let message = error is ImportError ? "\(error)" : "\(item.path): \(error); nothing of it was stored"
                printError("error: \(message)")
                report.append([.text(item.path), .text(target), .text("failed"), .null, .null, .text(message)])
                failed += 1
            }
        }
        if let format {
            print(Listing(columns: ["file", "scene", "status", "pedestrians", "positions", "detail"], rows: report)
                .rendered(as: format), terminator: "")
        } else if items.count > 1 || failed > 0 {
            print("\(imported) imported, \(skipped) skipped, \(failed) failed")
        }
        if failed > 0 { throw ExitCode.failure }
    }
}

/// Writes a line to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
