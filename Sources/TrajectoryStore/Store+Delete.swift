// Removing what was stored by mistake: a dataset, a scene or a run, each in one transaction with
// everything that hangs off it (foreign keys cascade: scenes → pedestrians → positions and their
// predictions; runs → epochs, checkpoints, tensors, predictions, metrics).

/// What a delete removed.
public struct Removed: Equatable, Sendable {
    public var scenes = 0, pedestrians = 0, positions = 0, runs = 0, predictions = 0

    public init(scenes: Int = 0, pedestrians: Int = 0, positions: Int = 0, runs: Int = 0, predictions: Int = 0) {
        (self.scenes, self.pedestrians, self.positions, self.runs, self.predictions) = (scenes, pedestrians, positions, runs, predictions)
    }

    /// "1 scene, 148 pedestrians, 5153 positions".
    public var description: String {
        let parts: [(Int, String)] = [(scenes, "scene"), (pedestrians, "pedestrian"), (positions, "position"),
                                      (runs, "run"), (predictions, "predicted point")]
        let said = parts.filter { $0.0 > 0 }.map { "\($0.0) \($0.1)\($0.0 == 1 ? "" : "s")" }
        return said.isEmpty ? "nothing" : said.joined(separator: ", ")
    }
}

extension Store {
    /// Deletes the dataset called `name` with its scenes.
    public func deleteDataset(_ name: String) throws -> Removed {
        guard let id = try database.scalarInt("SELECT id FROM dataset WHERE name = ?1", .text(name)) else {
            throw StoreError.notFound(kind: "dataset", name: name, known: try datasetNames())
        }
        return try database.transaction {
            let removed = try counts(scenesWhere: "s.dataset_id = ?1", [.integer(id)])
            try database.prepare("DELETE FROM dataset WHERE id = ?1").run([.integer(id)])
            return removed
        }
    }

    /// Deletes the scene `NAME` (unique in the store) or `DATASET/SPLIT/NAME`.
    public func deleteScene(_ reference: String) throws -> Removed {
        let id = try sceneID(named: reference)
        return try database.transaction {
            let removed = try counts(scenesWhere: "s.id = ?1", [.integer(id)])
            try database.prepare("DELETE FROM scene WHERE id = ?1").run([.integer(id)])
            return removed
        }
    }

    /// Deletes a run (its id or name) with its epochs, checkpoints, predictions and metrics, and the
    /// runs that used it (its predictions and evaluations, whose rows would name a model no longer
    /// there; one still being written stays, without its model). A run another process is training is refused (its next epoch would have nowhere to
    /// go); holding its lock while deleting keeps a resume from starting meanwhile.
    public func deleteRun(_ reference: String) throws -> Removed {
        let run = try run(named: reference)
        let locks = try RunLocks.of(database: path)
        guard try locks.acquire(run: run.id) else { throw StoreError.runInUse(run: run.name, pid: locks.holder(run: run.id)) }
        defer { locks.release(run: run.id) }
        return try database.transaction {
            // (A prediction or evaluation still being written keeps its rows, its model set to NULL.)
            let runs = "id = ?1 OR (parent_id = ?1 AND status != 'running')"
            let counted = try database.prepare("""
                SELECT count(*), (SELECT count(*) FROM prediction WHERE run_id IN (SELECT id FROM run WHERE \(runs)))
                FROM run WHERE \(runs)
                """).rows([.integer(run.id)]) { (Int($0.int(0)), Int($0.int(1))) }.first ?? (1, 0)
            try database.prepare("DELETE FROM run WHERE \(runs)").run([.integer(run.id)])
            return Removed(runs: counted.0, predictions: counted.1)
        }
    }

    /// What deleting the scenes `s` of `condition` (with `values` bound) would remove.
    func counts(scenesWhere condition: String, _ values: [SQLValue]) throws -> Removed {
        let row = try database.prepare("""
            SELECT count(DISTINCT s.id), count(DISTINCT a.id), count(p.agent_id)
            FROM scene AS s LEFT JOIN agent AS a ON a.scene_id = s.id LEFT JOIN position AS p ON p.agent_id = a.id
            WHERE \(condition)
            """).rows(values) { (Int($0.int(0)), Int($0.int(1)), Int($0.int(2))) }.first ?? (0, 0, 0)
        let predictions = try database.prepare("""
            SELECT count(*) FROM prediction WHERE agent_id IN
              (SELECT a.id FROM agent AS a JOIN scene AS s ON s.id = a.scene_id WHERE \(condition))
            """).rows(values) { Int($0.int(0)) }.first ?? 0
        return Removed(scenes: row.0, pedestrians: row.1, positions: row.2, predictions: predictions)
    }
}
