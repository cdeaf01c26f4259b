// The whole import of one file: read, fingerprint, skip if already there, parse, check the grid,
// store in one transaction. Nothing is written unless every row of the file is good.
import Foundation
import TrajectoryData

/// What importing one file did, with what was detected, for the user.
public struct FileImport: Equatable, Sendable {
    public var outcome: Store.ImportOutcome
    /// Format, separator, columns (empty when the file was skipped before parsing).
    public var formatDetail: String
    /// Frame step and time step and how they were found (empty when skipped).
    public var gridDetail: String
    /// What resampling did, when the file was resampled.
    public var resampling: SceneResampling? = nil
    /// Seconds per step of the scene stored (nil when skipped).
    public var timeStep: Double? = nil
}

extension Store {
    /// Imports the file of `item`. Throws `ImportError` for a bad file, `StoreError` when the store refuses.
    /// With `replacing`, a scene of the same name or content is replaced (see `importScene`).
    /// `image` is stored with the scene.
    public func importFile(_ item: ImportItem, options: ReadOptions = ReadOptions(), frameStep: Double? = nil,
                           timeStep: Double? = nil, replacing: Bool = false) throws -> FileImport {
        try importFile(item, options: options, grid: GridOptions(frameStep: frameStep, timeStep: timeStep),
                       replacing: replacing)
    }

    /// Imports the file of `item` with the grid (resampling, pixels) of `grid` and `image` stored with the scene.
    public func importFile(_ item: ImportItem, options: ReadOptions = ReadOptions(), grid: GridOptions,
                           image: SceneImage? = nil, replacing: Bool = false) throws -> FileImport {
        let text = try TextBuffer(contentsOf: item.path)
        return try importText(text, item: item, options: options, grid: grid, image: image, replacing: replacing)
    }

    /// Imports `text` as the content of `item.path`.
    public func importText(_ text: TextBuffer, item: ImportItem, options: ReadOptions = ReadOptions(),
                           frameStep: Double? = nil, timeStep: Double? = nil, replacing: Bool = false) throws -> FileImport {
        try importText(text, item: item, options: options, grid: GridOptions(frameStep: frameStep, timeStep: timeStep),
                       replacing: replacing)
    }

    /// Imports `text` as the content of `item.path`, with the grid of `grid` and `image` stored with the scene.
    public func importText(_ text: TextBuffer, item: ImportItem, options: ReadOptions = ReadOptions(), grid: GridOptions,
                           image: SceneImage? = nil, replacing: Bool = false) throws -> FileImport {
        // The fingerprint is computed on the other core while this one parses.
        let fingerprint = Fingerprint(text)
        let parsed: ParsedFile, scene: SceneData
        do {
            parsed = try TrajectoryReader.read(text, file: item.path, options: options)
            scene = try SceneBuilder.build(parsed, file: item.path, options: grid)
        } catch {
            // A bad file that is already imported under the same bytes is not news: say so first.
            if !replacing, let existing = try sceneHolding(sha256: fingerprint.value, dataset: item.dataset) {
                return FileImport(outcome: .alreadyImported(as: existing), formatDetail: "", gridDetail: "")
            }
            throw error
        }
        let sha256 = fingerprint.value
        let source = SceneSource(
            dataset: item.dataset, split: item.split, scene: item.scene,
            path: URL(fileURLWithPath: item.path).standardizedFileURL.path, sha256: sha256, format: parsed.format,
            image: image)
        let outcome = try importScene(scene, from: source, replacing: replacing)
        return FileImport(outcome: outcome, formatDetail: parsed.detail, gridDetail: scene.gridDetail,
                          resampling: scene.resampling, timeStep: scene.timeStep)
    }
}

/// SHA-256 of a buffer, computed on a background thread from the moment it is created.
private final class Fingerprint: @unchecked Sendable {
    private var digest = ""
    private let done = DispatchSemaphore(value: 0)

    init(_ text: TextBuffer) {
        DispatchQueue.global().async {
            self.digest = text.sha256()
            self.done.signal()
        }
    }

    /// Waits for the digest (once; later calls return it at once).
    lazy var value: String = {
        done.wait()
        return digest
    }()
}
