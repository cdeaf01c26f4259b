// The trajpred database: opening (with migrations), importing scenes in one transaction each,
// and the summaries the CLI lists. Knows the schema; knows nothing of models.
import Foundation
import TrajectoryData

/// A migrated connection to a trajpred database.
public final class Store {
    public let database: Database
    /// Where the database file is.
    public let path: String

    /// Opens the database at `path`, creating it when `create` is true, and migrates it.
    /// Refuses a file that is not SQLite, an SQLite file of another application, and a newer schema.
    public init(path: String, create: Bool = true) throws(StoreError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            throw .io(path: path, message: "a folder, not a database file (give --db a file's path, such as FOLDER/trajpred.sqlite)")
        }
        // Reading never creates a database, not even in an empty file.
        let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int ?? 0
        if !create, size == 0 {
            throw .missingDatabase(path: path)
        }
        self.path = path
        do {
            let opened = try Database(path: path)
            try Migrator.migrate(opened)
            database = opened
        } catch let .sqlite(code, _, _) where !create && (code == 1544 /* SQLITE_READONLY_DIRECTORY */ || code & 0xff == 14) {
            // A store in a folder or on a file system nobody may write to, without its write-ahead
            // log's index beside it (copied alone, say): SQLite cannot even read it so (READONLY_DIRECTORY,
            // or CANTOPEN for the index). Nothing can change it there, so it is read as it is;
            // whatever would write says the store is read-only.
            database = try Database(path: path, immutable: true)
            let latest = Migration.embedded.last?.version ?? 0
            if try Migrator.checkIdentity(database, latest: latest) < latest {
                throw .sqlite(code: 1544, message: "the store needs its schema brought up to date, which a read-only folder "
                    + "does not allow", sql: "open \(path)")
            }
            return
        }
        // What an earlier command could not write into the main file (a full disk) goes there now.
        database.checkpointPassively()
    }

    // MARK: import

    /// Where and what an import writes.
    public struct SceneSource: Sendable {
        public var dataset: String
        public var split: Split
        public var scene: String
        public var path: String
        public var sha256: String
        public var format: TrajectoryFormat
        /// A reference image stored with the scene.
        public var image: SceneImage?

        public init(dataset: String, split: Split, scene: String, path: String, sha256: String,
                    format: TrajectoryFormat, image: SceneImage? = nil) {
            self.dataset = dataset
            self.split = split
            self.scene = scene
            self.path = path
            self.sha256 = sha256
            self.format = format
            self.image = image
        }
    }

    /// What an import did.
    public enum ImportOutcome: Equatable, Sendable {
        /// `replaced`: what `--replace` deleted first (the scenes and the predictions made on them).
        case imported(pedestrians: Int, positions: Int, replaced: Removed = Removed())
        /// The same bytes are already in this dataset, as the named `dataset/split/scene`.
        case alreadyImported(as: String)
    }

    /// The `dataset/split/scene` that already holds a file with this content, if any.
    public func sceneHolding(sha256: String, dataset: String) throws(StoreError) -> String? {
        try database.scalarText("""
            SELECT d.name || '/' || s.split || '/' || s.name FROM scene AS s JOIN dataset AS d ON d.id = s.dataset_id
            WHERE d.name = ?1 AND s.source_sha256 = ?2
            """, .text(dataset), .text(sha256))
    }

    /// The grid that turns `scene`'s steps into frames as written and seconds.
    static func grid(of scene: SceneData, sceneID: Int64) -> SceneReference {
        SceneReference(id: sceneID, dataset: "", split: .train, name: "", frameOrigin: scene.frameOrigin,
                       frameStep: scene.frameStep, timeStep: scene.timeStep, frameDecimals: scene.frameDecimals)
    }

    /// A frame as the store keeps it: integral ones as integers.
    static func frameValue(_ frame: Double) -> SQLValue {
        frame == frame.rounded() && abs(frame) < 0x1p53 ? .integer(Int64(frame)) : .real(frame)
    }

    /// Writes the scene's `scene_frame` rows: each step at which someone is present, with its frame
    /// as written (an integer when integral) and its time, as `SceneReference` computes them.
    func insertFrames(of scene: SceneData, sceneID: Int64) throws {
        let grid = Self.grid(of: scene, sceneID: sceneID)
        let insert = try database.prepare("INSERT INTO scene_frame (scene_id, step, frame, time) VALUES (?1, ?2, ?3, ?4)")
        try insert.bind(sceneID, at: 1)
        for step in scene.tracks.occurringSteps() {
            try insert.bind(step, at: 2)
            try insert.bind(Self.frameValue(grid.frame(of: step)), at: 3)
            try insert.bind(grid.time(of: step), at: 4)
            try insert.step()
            insert.reset()
        }
    }

    /// Stores `scene` under `source` in one transaction: all of it, or nothing. With `replacing`,
    /// the scene of the same name and any scene of the dataset with the same content are deleted
    /// first, in the same transaction (to import a file again with other options).
    public func importScene(_ scene: SceneData, from source: SceneSource, replacing: Bool = false) throws -> ImportOutcome {
        try database.transaction { () throws -> ImportOutcome in
            var replaced = Removed()
            if replacing {
                let same = """
                    s.dataset_id = (SELECT id FROM dataset WHERE name = ?1) AND (s.source_sha256 = ?2 OR (s.split = ?3 AND s.name = ?4))
                    """
                let values: [SQLValue] = [.text(source.dataset), .text(source.sha256), .text(source.split.rawValue),
                                          .text(source.scene)]
                replaced = try counts(scenesWhere: same, values)
                try database.prepare("DELETE FROM scene WHERE id IN (SELECT s.id FROM scene AS s WHERE \(same))").run(values)
            }
            if let existing = try sceneHolding(sha256: source.sha256, dataset: source.dataset) {
                return .alreadyImported(as: existing)
            }
            try database.prepare("INSERT INTO dataset (name) VALUES (?1) ON CONFLICT (name) DO NOTHING")
                .run([.text(source.dataset)])
            let datasetID = try database.scalarInt("SELECT id FROM dataset WHERE name = ?1", .text(source.dataset))!
            if let other = try database.scalarText(
                "SELECT source_path FROM scene WHERE dataset_id = ?1 AND split = ?2 AND name = ?3",
                .integer(datasetID), .text(source.split.rawValue), .text(source.scene))
            {
                throw StoreError.sceneTaken(file: source.path,
                                            scene: "\(source.dataset)/\(source.split.rawValue)/\(source.scene)", other: other)
            }
            let pixels = scene.pixels
            var axes: SQLValue = .null, metersPerPixel: SQLValue = .null
            switch pixels {
            case let .homography(_, imageAxes)?: axes = .text(imageAxes.rawValue)
            case let .scale(scale)?: metersPerPixel = .real(scale)
            case nil: break
            }
            try database.prepare("""
                INSERT INTO scene (dataset_id, name, split, frame_origin, frame_step, time_step,
                                   source_path, source_sha256, source_format, source_rows, frame_decimals,
                                   resample_max_gap, interpolated, pixel_mapping, image_to_world, image_axes,
                                   meters_per_pixel)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
                """).run([
                    .integer(datasetID), .text(source.scene), .text(source.split.rawValue), .real(scene.frameOrigin),
                    .real(scene.frameStep), .real(scene.timeStep), .text(source.path), .text(source.sha256),
                    .text(source.format.rawValue), .integer(Int64(scene.rowCount)),
                    scene.frameDecimals.map { .integer(Int64($0)) } ?? .null,
                    scene.resampling.map { .real($0.maxGap) } ?? .null,
                    .integer(Int64(scene.resampling?.summary.interpolated ?? 0)),
                    pixels.map { .text($0.kind) } ?? .null,
                    try pixels.map { .text(try Self.jsonArray($0.imageToWorld)) } ?? .null, axes, metersPerPixel,
                ])
            let sceneID = database.lastInsertRowID
            if let image = source.image {
                try database.prepare("""
                    INSERT INTO scene_image (scene_id, format, width, height, source_path, data)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                    """).run([.integer(sceneID), .text(image.format.rawValue), .integer(Int64(image.width)),
                              .integer(Int64(image.height)), .text(image.path), .blob(image.data)])
            }
            let insertAgent = try database.prepare("""
                INSERT INTO agent (scene_id, name, first_step, last_step, position_count, first_frame, last_frame)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """)
            let grid = Self.grid(of: scene, sceneID: sceneID)
            let insertPosition = try database.prepare("INSERT INTO position (agent_id, step, x, y) VALUES (?1, ?2, ?3, ?4)")
            try insertAgent.bind(sceneID, at: 1)
            for track in scene.tracks {
                try insertAgent.bind(track.pedestrian, at: 2)
                try insertAgent.bind(track.points.first?.step ?? 0, at: 3)
                try insertAgent.bind(track.points.last?.step ?? 0, at: 4)
                try insertAgent.bind(track.points.count, at: 5)
                try insertAgent.bind(track.points.first.map { Self.frameValue(grid.frame(of: $0.step)) } ?? .null, at: 6)
                try insertAgent.bind(track.points.last.map { Self.frameValue(grid.frame(of: $0.step)) } ?? .null, at: 7)
                try insertAgent.step()
                insertAgent.reset()
                try insertPosition.bind(database.lastInsertRowID, at: 1)
                for point in track.points {
                    try insertPosition.bind(point.step, at: 2)
                    try insertPosition.bind(point.x, at: 3)
                    try insertPosition.bind(point.y, at: 4)
                    try insertPosition.step()
                    insertPosition.reset()
                }
            }
            try insertFrames(of: scene, sceneID: sceneID)
            return .imported(pedestrians: scene.tracks.count, positions: scene.rowCount, replaced: replaced)
        }
    }
}
