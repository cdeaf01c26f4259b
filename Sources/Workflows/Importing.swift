// Importing files and folders into the store, one transaction per file: what was imported, what
// was skipped (its content is already there) and what failed (with file:line), file by file.
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
            let report: ImportReport
            do {
                let result = try store.importFile(item, options: settings.read, frameStep: settings.frameStep,
                                                  timeStep: settings.timeStep, replacing: settings.replace)
                switch result.outcome {
                case let .imported(pedestrians, positions):
                    report = ImportReport(item: item, status: .imported, pedestrians: pedestrians, positions: positions,
                                          detail: "\(result.formatDetail); \(result.gridDetail)", scene: target)
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

    /// The reports as a listing: file, scene, status, pedestrians, positions, detail.
    public static func listing(_ reports: [ImportReport]) -> Listing {
        Listing(columns: ["file", "scene", "status", "pedestrians", "positions", "detail"], rows: reports.map { report in
            [.text(report.item.path), .text(report.scene), .text(report.status.rawValue),
             report.pedestrians.map { .integer(Int64($0)) } ?? .null, report.positions.map { .integer(Int64($0)) } ?? .null,
             .text(report.detail)]
        })
    }
}
