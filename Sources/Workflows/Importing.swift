// Importing files and folders into the store, one transaction per file: what was imported, what
// was skipped (its content is already there) and what failed (with file:line), file by file;
// with resampling, pixels to meters (homography, scale, SDD's published scales) and scene images.
import Foundation
import TrajectoryData
import TrajectoryStore

/// What became of one file.
public struct ImportReport: Sendable {
    public enum Status: String, Sendable { case imported, skipped, failed }

    public var item: ImportItem
    public var status: Status
    public var pedestrians: Int?
    public var positions: Int?
    /// How the file was read (format, grid), or why it failed / was skipped.
    public var detail: String
    /// `dataset/split/scene` it went to (for a skipped file, the scene already holding its content).
    public var scene: String
    /// The error, for a failed file.
    public var error: String?
    /// What resampling did (an imported file that was resampled).
    public var resampling: SceneResampling? = nil
    /// How pixels became meters, and the reference image stored (for the report).
    public var pixels: String? = nil
    public var image: String? = nil
    /// Something the user should know (a published scale of certainty below 1).
    public var warning: String? = nil
}

public struct ImportSettings: Sendable {
    public var dataset: String?
    public var split: Split?
    public var scene: String?
    public var read = ReadOptions()
    public var frameStep: Double?
    public var timeStep: Double?
    /// Replace a scene of the same name or content (to import a file again with other options).
    public var replace = false
    /// Resample onto a grid of this many seconds, interpolating across at most `maxGap` seconds.
    public var resample: Double?
    public var maxGap: Double?
    /// A homography file (image → world, 3×3) and the order of image coordinates it multiplies.
    public var homography: String?
    public var imageAxes = ImageAxes.xy
    /// Meters per pixel, or the SDD scales file to look the scene/video up in.
    public var scale: Double?
    public var scales: String?
    /// A reference image (PNG or JPEG) stored with every imported scene.
    public var image: String?

    public init(dataset: String? = nil, split: Split? = nil, scene: String? = nil, read: ReadOptions = ReadOptions(),
                frameStep: Double? = nil, timeStep: Double? = nil) {
        (self.dataset, self.split, self.scene, self.read) = (dataset, split, scene, read)
        (self.frameStep, self.timeStep) = (frameStep, timeStep)
    }
}

public enum Importing {
    /// The files `paths` name (files, DATASET/{train,val,test}/ folders, folders of those).
    public static func plan(_ paths: [String], _ settings: ImportSettings) throws -> [ImportItem] {
        try ImportPlan.plan(paths: paths, dataset: settings.dataset, split: settings.split, scene: settings.scene)
    }

    /// Imports every item, each in its own transaction; a failed file stores nothing of itself and
    /// does not stop the others. `each` hears about every file as it is done.
    public static func run(_ store: Store, items: [ImportItem], _ settings: ImportSettings,
                           each: (ImportReport) -> Void = { _ in }) -> [ImportReport] {
        items.map { item in
            let target = "\(item.dataset)/\(item.split.rawValue)/\(item.scene)"
            var report: ImportReport
            do {
                let (grid, warning) = try settings.grid(for: item.path)
                let image = try settings.image.map { path throws(ImportError) in try SceneImage(contentsOf: path) }
                let result = try store.importFile(item, options: settings.read, grid: grid, image: image,
                                                  replacing: settings.replace)
                switch result.outcome {
                case let .imported(pedestrians, positions, replaced):
                    var detail = "\(result.formatDetail); \(result.gridDetail)"
                    if replaced != Removed() { detail += "; replaced: \(replaced.description)" }
                    if let resampling = result.resampling { detail += "; " + describe(resampling) }
                    if let pixels = grid.pixels { detail += "; " + describe(pixels) }
                    if let image { detail += "; image \(image.width)×\(image.height) \(image.format.rawValue)" }
                    report = ImportReport(item: item, status: .imported, pedestrians: pedestrians, positions: positions,
                                          detail: detail, scene: target)
                    report.resampling = result.resampling
                    report.pixels = grid.pixels.map(describe)
                    report.image = image?.path
                    report.warning = [warning, result.resampling.flatMap(Self.gapWarning), result.timeStep.flatMap(Self.stepWarning)]
                        .compactMap { $0 }.joined(separator: "; ").nilIfEmpty
                case let .alreadyImported(existing):
                    report = ImportReport(item: item, status: .skipped,
                                          detail: "the same content is already imported (--replace imports it again)",
                                          scene: existing)
                }
            } catch {
                // An ImportError already says file:line; a store error gets the file named.
                let message = error is ImportError ? "\(error)" : "\(item.path): \(error); nothing of it was stored"
                report = ImportReport(item: item, status: .failed, detail: message, scene: target, error: message)
            }
            each(report)
            return report
        }
    }

    /// The reports as a listing: file, scene, status, pedestrians, positions, detail, then what
    /// resampling did (grid step and maximum gap in seconds, the source's median step and jitter in
    /// seconds, positions interpolated, tracks split), the pixel mapping, the image and any warning.
    /// The jitter is half the 95th percentile of how far intervals stray from whole source steps
    /// (timestamps jittered by ±j give intervals within ±2j).
    public static func listing(_ reports: [ImportReport]) -> Listing {
        Listing(columns: ["file", "scene", "status", "pedestrians", "positions", "detail", "resample", "max_gap",
                          "source_step", "jitter", "interpolated", "splits", "pixels", "image", "warning"],
                rows: reports.map { report in
            let r = report.resampling
            let seconds = { (value: Double?) -> SQLValue in value.map { .real($0 * r!.secondsPerFrame) } ?? .null }
            return [.text(report.item.path), .text(report.scene), .text(report.status.rawValue),
                    report.pedestrians.map { .integer(Int64($0)) } ?? .null,
                    report.positions.map { .integer(Int64($0)) } ?? .null, .text(report.detail),
                    r.map { .real($0.step) } ?? .null,
                    r.map { .real($0.maxGap) } ?? .null,
                    r == nil ? .null : seconds(r!.summary.sourceStep), r == nil ? .null : seconds(r!.summary.jitter.map { $0 / 2 }),
                    r.map { .integer(Int64($0.summary.interpolated)) } ?? .null,
                    r.map { .integer(Int64($0.summary.splits)) } ?? .null,
                    report.pixels.map { .text($0) } ?? .null, report.image.map { .text($0) } ?? .null,
                    report.warning.map { .text($0) } ?? .null]
        })
    }

    /// What resampling did, in a phrase: the source's rate and jitter, interpolated points, splits.
    public static func describe(_ resampling: SceneResampling) -> String {
        let summary = resampling.summary
        var text = "source step " + (summary.sourceStep.map { milliseconds($0 * resampling.secondsPerFrame) } ?? "unknown")
        if let jitter = summary.jitter { text += ", jitter ±" + milliseconds(jitter * resampling.secondsPerFrame / 2) }
        text += "; \(summary.interpolated) of \(summary.gridPoints) positions interpolated, \(summary.splits) "
            + "track\(summary.splits == 1 ? "" : "s") split at gaps over \(formatted(resampling.maxGap)) s"
        if resampling.droppedTracks > 0 {
            text += ", \(resampling.droppedTracks) pedestrian\(resampling.droppedTracks == 1 ? "" : "s") seen too briefly "
                + "for one grid step left out"
        }
        return text
    }

    /// When a pedestrian's observations are usually further apart than `--max-gap`, most tracks split
    /// into pieces too short for a window: times in milliseconds read as seconds look like that.
    static func gapWarning(_ resampling: SceneResampling) -> String? {
        let summary = resampling.summary
        guard summary.splits > 0, 2 * summary.splits >= summary.observations else { return nil }
        return "\(summary.splits) of the \(summary.observations) observations begin a new piece of track: most are "
            + "further apart than --max-gap (\(formatted(resampling.maxGap)) s) from the one before. Are the times in "
            + "milliseconds? A time column holds seconds"
    }

    /// A step of more than 10 s is no walk a tracker follows: times in milliseconds read as seconds look like that.
    static func stepWarning(_ seconds: Double) -> String? {
        guard seconds > 10 else { return nil }
        return "a step is \(formatted(seconds)) s: are the times in milliseconds? A time column holds seconds"
    }

    static func describe(_ pixels: PixelMapping) -> String {
        switch pixels {
        case let .homography(_, axes): return "pixels to meters by homography (image axes \(axes.rawValue))"
        case let .scale(scale): return "pixels to meters at \(formatted(scale)) m/px"
        }
    }

    static func milliseconds(_ seconds: Double) -> String {
        let ms = (seconds * 1e4).rounded() / 10
        return "\(formatted(ms)) ms"
    }
}

extension ImportSettings {
    /// The grid of the file at `path`: steps, resampling, and pixels to meters (reading the homography
    /// file, or the file's scene/video in the SDD scales file); a warning for a published scale
    /// whose certainty is below 1.
    public func grid(for path: String) throws(ImportError) -> (GridOptions, warning: String?) {
        var grid = GridOptions(frameStep: frameStep, timeStep: timeStep, resample: resample, maxGap: maxGap)
        var warning: String?
        if let homography {
            grid.pixels = try PixelMapping.homography(contentsOf: homography, axes: imageAxes)
        } else if let scale {
            grid.pixels = try PixelMapping.scale(scale, file: path)
        } else if let scales {
            guard let (scene, video) = SceneScales.sceneAndVideo(of: URL(fileURLWithPath: path).standardizedFileURL.path)
            else { throw .invalidSetting(file: path, reason: "--scales needs the file inside SCENE/VIDEO/ folders") }
            let published = try SceneScales.lookup(scales, scene: scene, video: video)
            grid.pixels = try PixelMapping.scale(published.metersPerPixel, file: scales)
            if published.certainty < 1 {
                warning = "the scale of \(scene)/\(video) in \(scales) is an estimate of certainty "
                    + "\(formatted(published.certainty)) (below 1): distances and speeds may be off"
            }
        }
        return (grid, warning)
    }
}

extension String {
    /// nil for the empty string.
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
