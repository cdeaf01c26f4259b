// Read-only listings of what the store holds, as the CLI shows them: datasets, scenes, tracks.
// Each is one query over the views of migration 0001, so the sqlite3 shell sees the same.
import TrajectoryData

/// A result set with column names, ready to print as a table, CSV or JSON.
public struct Listing: Equatable, Sendable {
    public var columns: [String]
    public var rows: [[SQLValue]]

    public init(columns: [String], rows: [[SQLValue]]) {
        self.columns = columns
        self.rows = rows
    }
}

extension Store {
    /// Runs `sql` and returns every row with the column names.
    public func listing(_ sql: String, _ values: [SQLValue] = []) throws -> Listing {
        let statement = try database.prepare(sql)
        let columns = (0..<statement.columnCount).map { statement.columnName($0) }
        let rows = try statement.rows(values) { row in (0..<row.columnCount).map { row.value($0) } }
        return Listing(columns: columns, rows: rows)
    }

    /// One row per dataset.
    public func datasets() throws -> Listing {
        try listing("""
            SELECT dataset, scenes, train_scenes, val_scenes, test_scenes, pedestrians, positions
            FROM dataset_summary ORDER BY dataset
            """)
    }

    /// One row per scene, of one dataset or of all.
    public func scenes(dataset: String?) throws -> Listing {
        if let dataset, try database.scalarInt("SELECT id FROM dataset WHERE name = ?1", .text(dataset)) == nil {
            throw StoreError.notFound(kind: "dataset", name: dataset, known: try datasetNames())
        }
        return try listing("""
            SELECT dataset, split, scene, pedestrians, positions, frame_step, time_step, format
            FROM scene_summary WHERE ?1 IS NULL OR dataset = ?1
            ORDER BY dataset, CASE split WHEN 'train' THEN 0 WHEN 'val' THEN 1 ELSE 2 END, scene
            """, [dataset.map(SQLValue.text) ?? .null])
    }

    /// One row per pedestrian of the scene named `scene`: `NAME` when it is unique, or `DATASET/SPLIT/NAME`.
    public func tracks(scene: String) throws -> Listing {
        let sceneID = try sceneID(named: scene)
        return try listing("""
            SELECT a.name AS pedestrian, t.first_frame, t.last_frame, t.positions AS length, t.gaps
            FROM agent AS a JOIN track AS t ON t.agent_id = a.id
            WHERE a.scene_id = ?1
            ORDER BY a.id
            """, [.integer(sceneID)])
    }

    /// The id of a scene named `NAME` (unique in the store) or `DATASET/SPLIT/NAME`.
    public func sceneID(named scene: String) throws -> Int64 {
        let parts = scene.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let matches: [(Int64, String)]
        let statement: Statement
        if parts.count == 3 {
            statement = try database.prepare("""
                SELECT s.id, d.name || '/' || s.split || '/' || s.name FROM scene AS s
                JOIN dataset AS d ON d.id = s.dataset_id WHERE d.name = ?1 AND s.split = ?2 AND s.name = ?3
                """)
            matches = try statement.rows(parts.map(SQLValue.text)) { ($0.int(0), $0.text(1)) }
        } else {
            statement = try database.prepare("""
                SELECT s.id, d.name || '/' || s.split || '/' || s.name FROM scene AS s
                JOIN dataset AS d ON d.id = s.dataset_id WHERE s.name = ?1 ORDER BY 2
                """)
            matches = try statement.rows([.text(scene)]) { ($0.int(0), $0.text(1)) }
        }
        guard let first = matches.first else { throw StoreError.notFound(kind: "scene", name: scene) }
        if matches.count > 1 {
            throw StoreError.ambiguousScene(name: scene, candidates: matches.map(\.1))
        }
        return first.0
    }
}
