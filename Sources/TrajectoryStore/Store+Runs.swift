// Runs, epochs and checkpoints: what `trajpred train` writes and `--resume` reads. Every write
// that belongs together (an epoch row and its checkpoints) is one transaction, so a killed process
// leaves the last complete epoch behind.
import Foundation
import TrajectoryData

/// One finished epoch, as the `epoch` table holds it.
public struct EpochRecord: Equatable, Sendable {
    public var epoch: Int
    public var loss: Double, reconstruction: Double, kl: Double
    public var beta: Double, learningRate: Double
    public var validationMinADE: Double?, validationMinFDE: Double?
    public var seconds: Double

    public init(epoch: Int, loss: Double, reconstruction: Double, kl: Double, beta: Double, learningRate: Double,
                validationMinADE: Double?, validationMinFDE: Double?, seconds: Double) {
        (self.epoch, self.loss, self.reconstruction, self.kl) = (epoch, loss, reconstruction, kl)
        (self.beta, self.learningRate, self.seconds) = (beta, learningRate, seconds)
        (self.validationMinADE, self.validationMinFDE) = (validationMinADE, validationMinFDE)
    }
}

/// A saved training state.
public struct CheckpointRecord: Equatable, Sendable {
    public enum Label: String, Sendable { case best, last }
    public var label: Label
    public var epoch: Int
    public var step: Int
    public var validationMinADE: Double?
    /// The trainer's counters and generator state, JSON.
    public var state: String
    public var tensors: CheckpointTensors

    public init(label: Label, epoch: Int, step: Int, validationMinADE: Double?, state: String, tensors: CheckpointTensors) {
        (self.label, self.epoch, self.step, self.validationMinADE) = (label, epoch, step, validationMinADE)
        (self.state, self.tensors) = (state, tensors)
    }
}

/// What a run is (the `run.kind` column).
public enum RunKind: String, Sendable, CaseIterable {
    case train, predict, evaluate
}

/// How a run stands (the `run.status` column).
public enum RunStatus: String, Sendable, CaseIterable {
    case running, completed, failed, interrupted
}

/// A run row.
public struct RunRecord: Equatable, Sendable {
    public var id: Int64
    public var name: String
    public var kind: RunKind
    public var status: RunStatus
    /// The run's configuration, JSON.
    public var config: String
    public var parentID: Int64?
}

extension Store {
    /// Creates a run with status `running`; without a name it is called KIND-ID (KIND-ID-2, -3, …
    /// when a run was given that name).
    public func createRun(name: String?, kind: RunKind, config: String, parent: Int64? = nil) throws -> RunRecord {
        try database.transaction { () throws -> RunRecord in
            func taken(_ name: String) throws -> Bool {
                try database.scalarInt("SELECT id FROM run WHERE name = ?1", .text(name)) != nil
            }
            if let name, try taken(name) { throw StoreError.duplicateRunName(name) }
            try database.prepare("""
                INSERT INTO run (name, kind, status, config, parent_id) VALUES (?1, ?2, 'running', ?3, ?4)
                """).run([.text(name ?? "pending-\(kind.rawValue)-\(UUID().uuidString)"), .text(kind.rawValue),
                          .text(config), parent.map(SQLValue.integer) ?? .null])
            let id = database.lastInsertRowID
            if name == nil {
                var chosen = "\(kind.rawValue)-\(id)", suffix = 1
                while try taken(chosen) {
                    suffix += 1
                    chosen = "\(kind.rawValue)-\(id)-\(suffix)"
                }
                try database.prepare("UPDATE run SET name = ?1 WHERE id = ?2").run([.text(chosen), .integer(id)])
            }
            return try run(id: id)
        }
    }

    /// The run with this id.
    public func run(id: Int64) throws -> RunRecord {
        let rows = try database.prepare("SELECT id, name, kind, status, config, parent_id FROM run WHERE id = ?1")
            .rows([.integer(id)]) { row in
                guard let kind = RunKind(rawValue: row.text(2)) else {
                    throw StoreError.unknownValue(what: "run kind", value: row.text(2))
                }
                guard let status = RunStatus(rawValue: row.text(3)) else {
                    throw StoreError.unknownValue(what: "run status", value: row.text(3))
                }
                return RunRecord(id: row.int(0), name: row.text(1), kind: kind, status: status, config: row.text(4),
                                 parentID: row.isNull(5) ? nil : row.int(5))
            }
        guard let run = rows.first else { throw StoreError.notFound(kind: "run", name: String(id)) }
        return run
    }

    /// The run called `reference`: its name, or its id.
    public func run(named reference: String) throws -> RunRecord {
        if let id = try database.scalarInt("SELECT id FROM run WHERE name = ?1", .text(reference)) {
            return try run(id: id)
        }
        if let id = Int64(reference), try database.scalarInt("SELECT id FROM run WHERE id = ?1", .integer(id)) != nil {
            return try run(id: id)
        }
        throw StoreError.notFound(kind: "run", name: reference)
    }

    /// Sets a run's status (and end time and error text unless it is running again).
    public func setStatus(run id: Int64, _ status: RunStatus, error: String? = nil) throws {
        try database.prepare("""
            UPDATE run SET status = ?2, error = ?3,
                           ended_at = CASE WHEN ?2 = 'running' THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END
            WHERE id = ?1
            """).run([.integer(id), .text(status.rawValue), error.map(SQLValue.text) ?? .null])
    }

    /// Stores a finished epoch and its checkpoints in one transaction.
    public func recordEpoch(run id: Int64, _ epoch: EpochRecord, checkpoints: [CheckpointRecord]) throws {
        try database.transaction {
            try database.prepare("""
                INSERT INTO epoch (run_id, epoch, loss, reconstruction, kl, beta, learning_rate, val_min_ade, val_min_fde, seconds)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                """).run([
                    .integer(id), .integer(Int64(epoch.epoch)), .real(epoch.loss), .real(epoch.reconstruction), .real(epoch.kl),
                    .real(epoch.beta), .real(epoch.learningRate), epoch.validationMinADE.map(SQLValue.real) ?? .null,
                    epoch.validationMinFDE.map(SQLValue.real) ?? .null, .real(epoch.seconds),
                ])
            for checkpoint in checkpoints { try writeCheckpoint(run: id, checkpoint) }
        }
    }

    /// Stores one checkpoint (replacing the run's checkpoint of the same label) in its own transaction.
    public func saveCheckpoint(run id: Int64, _ checkpoint: CheckpointRecord) throws {
        try database.transaction { try writeCheckpoint(run: id, checkpoint) }
    }

    func writeCheckpoint(run id: Int64, _ checkpoint: CheckpointRecord) throws {
        try database.prepare("DELETE FROM checkpoint WHERE run_id = ?1 AND label = ?2")
            .run([.integer(id), .text(checkpoint.label.rawValue)])
        try database.prepare("""
            INSERT INTO checkpoint (run_id, label, epoch, step, val_min_ade, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
            """).run([.integer(id), .text(checkpoint.label.rawValue), .integer(Int64(checkpoint.epoch)),
                      .integer(Int64(checkpoint.step)), checkpoint.validationMinADE.map(SQLValue.real) ?? .null,
                      .text(checkpoint.state)])
        let checkpointID = database.lastInsertRowID
        let insert = try database.prepare("INSERT INTO tensor (checkpoint_id, name, shape, data) VALUES (?1, ?2, ?3, ?4)")
        for tensor in checkpoint.tensors.stored {
            try insert.run([.integer(checkpointID), .text(tensor.name),
                            .text("[" + tensor.shape.map(String.init).joined(separator: ",") + "]"),
                            .blob(tensor.littleEndianBytes)])
        }
    }

    /// The checkpoint `label` of a run, or nil when the run has none yet (killed before its first save).
    public func checkpointIfSaved(run id: Int64, label: CheckpointRecord.Label) throws -> CheckpointRecord? {
        guard try database.scalarInt("SELECT id FROM checkpoint WHERE run_id = ?1 AND label = ?2", .integer(id),
                                     .text(label.rawValue)) != nil else { return nil }
        return try checkpoint(run: id, label: label)
    }

    /// The trainer state (JSON) of a run's checkpoint `label`, without its tensors; nil when none is saved.
    public func checkpointState(run id: Int64, label: CheckpointRecord.Label) throws -> String? {
        try database.scalarText("SELECT state FROM checkpoint WHERE run_id = ?1 AND label = ?2", .integer(id), .text(label.rawValue))
    }

    /// The checkpoint `label` of a run, with all its tensors.
    public func checkpoint(run id: Int64, label: CheckpointRecord.Label) throws -> CheckpointRecord {
        let rows = try database.prepare("""
            SELECT id, epoch, step, val_min_ade, state FROM checkpoint WHERE run_id = ?1 AND label = ?2
            """).rows([.integer(id), .text(label.rawValue)]) { row in
                (row.int(0), Int(row.int(1)), Int(row.int(2)), row.isNull(3) ? nil : row.double(3), row.text(4))
            }
        guard let (checkpointID, epoch, step, ade, state) = rows.first else {
            throw StoreError.notFound(kind: "\(label.rawValue) checkpoint of run", name: String(id))
        }
        let tensors = try database.prepare("SELECT name, shape, data FROM tensor WHERE checkpoint_id = ?1 ORDER BY rowid")
            .rows([.integer(checkpointID)]) { row -> NamedTensor in
                let shapeText = row.text(1).dropFirst().dropLast()
                let shape = shapeText.isEmpty ? [] : shapeText.split(separator: ",").compactMap { Int($0) }
                guard let tensor = NamedTensor(name: row.text(0), shape: shape, littleEndianBytes: row.blob(2)) else {
                    throw StoreError.corruptTensor(name: row.text(0), checkpoint: checkpointID)
                }
                return tensor
            }
        return CheckpointRecord(label: label, epoch: epoch, step: step, validationMinADE: ade, state: state,
                                tensors: CheckpointTensors(stored: tensors))
    }
}

extension Store {
    /// A run's finished epochs, in order.
    public func epochs(run id: Int64) throws -> [EpochRecord] {
        try database.prepare("""
            SELECT epoch, loss, reconstruction, kl, beta, learning_rate, val_min_ade, val_min_fde, seconds
            FROM epoch WHERE run_id = ?1 ORDER BY epoch
            """).rows([.integer(id)]) { row in
                EpochRecord(epoch: Int(row.int(0)), loss: row.double(1), reconstruction: row.double(2), kl: row.double(3),
                            beta: row.double(4), learningRate: row.double(5),
                            validationMinADE: row.isNull(6) ? nil : row.double(6),
                            validationMinFDE: row.isNull(7) ? nil : row.double(7), seconds: row.double(8))
            }
    }

    /// The run_summary view, one row per run (`trajpred runs`).
    public func runSummary(rounded: Bool = true) throws -> Listing {
        /// `column`, rounded to `decimals` for a table.
        func shown(_ column: String, _ decimals: Int) -> String {
            rounded ? "round(\(column), \(decimals)) AS \(column)" : column
        }
        return try listing("""
            SELECT id, name, kind, status, model, trained_run_id, encoder, beta, epochs, epochs_planned,
                   \(shown("best_val_min_ade", 3)), \(shown("best_val_min_fde", 3)), \(shown("last_kl", 4)),
                   started_at, ended_at, error
            FROM run_summary ORDER BY id
            """)
    }
}
