// `trajpred import`: files or ETH/UCY folders into the store, one transaction per file.
import ArgumentParser
import Foundation
import TrajectoryData
import TrajectoryStore
import Workflows

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import trajectory files (ETH/UCY text, CSV, TrajNet++ ndjson, ETH obsmat, Stanford Drone "
            + "annotations) into the store.",
        discussion: """
            A folder laid out as DATASET/{train,val,test}/FILE imports whole, splits from its folders; a \
            folder of such datasets imports each under its own name. Each file is one transaction: a bad \
            row stops that file with file:line and stores nothing of it. A file whose content is already \
            in the dataset is skipped. Irregular times (a tracker's timestamps, 30 fps video) need \
            --resample SECONDS; pixels need --homography FILE or --scale / --scales; --image stores a \
            picture of the scene for `trajpred plot`.
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
    var format: ListingFormat?

    @OptionGroup var reading: ReaderOptionGroup

    @Flag(help: "Replace a scene of the same name or content, to import a file again with other options (one transaction).")
    var replace = false

    @Option(help: ArgumentHelp("A reference image of the scene (PNG or JPEG, a video frame) to store with it; "
        + "`plot` draws over it when the scene has a homography or a scale.", valueName: "file"))
    var image: String?

    func run() throws {
        var settings = reading.settings
        (settings.dataset, settings.split, settings.scene, settings.replace) = (dataset, split, scene, replace)
        settings.image = image
        let items = try Importing.plan(paths, settings)
        let ignored = ImportPlan.ignoredFiles(in: paths)
        if !ignored.isEmpty {
            printError("note: \(ignored.count) file\(ignored.count == 1 ? " is" : "s are") not read (not .txt .csv .tsv .ndjson "
                + ".jsonl .json; import one by its path to read it): " + ignored.prefix(5).joined(separator: ", ")
                + (ignored.count > 5 ? ", …" : ""))
        }
        if items.isEmpty {
            throw ValidationError("no trajectory file (.txt .csv .tsv .ndjson .jsonl .json) in " + paths.joined(separator: ", "))
        }
        let reports = Importing.run(try store.open(), items: items, settings) { report in
            switch report.status {
            case .imported where format == nil:
                let (pedestrians, positions) = (report.pedestrians ?? 0, report.positions ?? 0)
                print("\(report.item.path) → \(report.scene): \(pedestrians) pedestrian\(pedestrians == 1 ? "" : "s"), "
                    + "\(positions) position\(positions == 1 ? "" : "s") (\(report.detail); split \(report.item.splitSource))")
                if let warning = report.warning { printError("warning: \(warning)") }
            case .skipped where format == nil:
                print("\(report.item.path): skipped, the same content is already imported as \(report.scene) "
                    + "(--replace imports it again, with the options given)")
            case .failed:
                printError("error: \(report.detail)")
            default:
                break
            }
        }
        let failed = reports.filter { $0.status == .failed }.count
        if let format {
            print(Importing.listing(reports).rendered(as: format), terminator: "")
        } else if items.count > 1 || failed > 0 {
            print("\(reports.filter { $0.status == .imported }.count) imported, "
                + "\(reports.filter { $0.status == .skipped }.count) skipped, \(failed) failed")
        }
        if failed > 0 { throw ExitCode.failure }
    }
}

/// How trajectory files are read, for every command that reads one (`import`, `sample --input`).
struct ReaderOptionGroup: ParsableArguments {
    @Option(name: .customLong("input-format"), help: "File format: auto, ethucy, csv, ndjson, obsmat (ETH) or sdd (Stanford Drone).")
    var inputFormat: String = "auto"

    @Option(parsing: .unconditional, help: "Frame units between two steps (default: detected).")
    var frameStep: Double?

    @Option(parsing: .unconditional, help: "Seconds between two steps (default: from the file, else 25 frame ids per second).")
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

    @Option(parsing: .unconditional, help: ArgumentHelp("Resample onto a grid of this many seconds by linear interpolation between observations "
        + "(never extrapolating), for irregular or fast tracks: timestamps with jitter, 30 fps video (e.g. 0.4).",
        valueName: "seconds"))
    var resample: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("With --resample: the longest interval between two observations interpolated across; "
        + "a track is split at longer ones (default: twice the --resample step).", valueName: "seconds"))
    var maxGap: Double?

    @Option(help: ArgumentHelp("Positions are pixels: a 3×3 homography image → world, 9 numbers whitespace-separated "
        + "(ETH's H.txt).", valueName: "file"))
    var homography: String?

    @Option(help: ArgumentHelp("The order of image coordinates the homography multiplies: xy (column, row) or yx "
        + "(row, column; ETH's H.txt files)."))
    var imageAxes: String = "xy"

    @Option(parsing: .unconditional, help: ArgumentHelp("Positions are pixels: meters per pixel.", valueName: "meters"))
    var scale: Double?

    @Option(help: ArgumentHelp("Positions are pixels: the Stanford Drone scales file (estimated_scales.yaml); the "
        + "scene and video are the file's folders (hyang/video12/annotations.txt); warns when the estimate's "
        + "certainty is below 1.", valueName: "file"))
    var scales: String?

    @Option(help: "Stanford Drone annotations: the labels to keep, comma-separated, or 'all' (default: Pedestrian).")
    var labels: String = "Pedestrian"

    func validate() throws {
        if inputFormat != "auto", TrajectoryFormat(rawValue: inputFormat) == nil {
            throw ValidationError("--input-format must be auto, ethucy, csv, ndjson, obsmat or sdd, not '\(inputFormat)'")
        }
        if let resample, !(resample > 0 && resample.isFinite) {
            throw ValidationError("--resample must be a positive number of seconds (e.g. 0.4)")
        }
        if let maxGap {
            guard maxGap > 0 && maxGap.isFinite else { throw ValidationError("--max-gap must be a positive number of seconds") }
            guard resample != nil else { throw ValidationError("--max-gap goes with --resample SECONDS") }
        }
        if ImageAxes(rawValue: imageAxes) == nil { throw ValidationError("--image-axes must be xy or yx, not '\(imageAxes)'") }
        if [homography != nil, scale != nil, scales != nil].filter({ $0 }).count > 1 {
            throw ValidationError("give one of --homography, --scale and --scales")
        }
        if let scale, !(scale > 0 && scale.isFinite) {
            throw ValidationError("--scale must be a positive number of meters per pixel, not \(scale)")
        }
        if let delimiter, delimiter != "tab", delimiter.utf8.count != 1 {
            throw ValidationError("--delimiter must be one character (or 'tab'), not '\(delimiter)'")
        }
        if let frameStep, !(frameStep > 0 && frameStep.isFinite) {
            throw ValidationError("--frame-step must be a positive number")
        }
        if let dt, !(dt > 0 && dt.isFinite) { throw ValidationError("--dt must be a positive number of seconds") }
    }

    var settings: ImportSettings {
        var read = ReadOptions(format: TrajectoryFormat(rawValue: inputFormat),
                               delimiter: delimiter.map { $0 == "tab" ? 0x09 : $0.utf8.first! },
                               frameColumn: frameCol, idColumn: idCol, xColumn: xCol, yColumn: yCol)
        read.labels = labels == "all" ? nil : Set(labels.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
        var settings = ImportSettings(read: read, frameStep: frameStep, timeStep: dt)
        (settings.resample, settings.maxGap) = (resample, maxGap)
        (settings.homography, settings.imageAxes, settings.scale, settings.scales) =
            (homography, ImageAxes(rawValue: imageAxes) ?? .xy, scale, scales)
        return settings
    }
}
