// Predictions and metrics: written under a run of kind predict or evaluate, each batch in one
// transaction with its run's final status.

/// One predicted point, by store ids.
public struct PredictionRecord: Sendable {
    public var agentID: Int64
    public var lastObservedStep: Int
    public var sample: Int
    /// 1 … predicted steps.
    public var step: Int
    public var x: Double
    public var y: Double

    public init(agentID: Int64, lastObservedStep: Int, sample: Int, step: Int, x: Double, y: Double) {
        (self.agentID, self.lastObservedStep, self.sample, self.step, self.x, self.y) = (agentID, lastObservedStep, sample, step, x, y)
    }
}

/// One metric value.
public struct MetricRecord: Sendable, Equatable {
    public var scope: String
    public var method: String
    public var name: String
    public var value: Double?

    public init(scope: String, method: String, name: String, value: Double?) {
        (self.scope, self.method, self.name, self.value) = (scope, method, name, value)
    }
}

extension Store {
    /// The store id of each pedestrian of a scene, by the name written in its file.
    public func agentIDs(scene id: Int64) throws -> [String: Int64] {
        let pairs = try database.prepare("SELECT name, id FROM agent WHERE scene_id = ?1").rows([.integer(id)]) {
            ($0.text(0), $0.int(1))
        }
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }

    /// Stores predictions under `run` and marks it completed, in one transaction.
    public func storePredictions(run id: Int64, _ predictions: [PredictionRecord]) throws {
        try database.transaction {
            let insert = try database.prepare("""
                INSERT INTO prediction (run_id, agent_id, last_observed_step, sample, step, x, y)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """)
            try insert.bind(id, at: 1)
            for p in predictions {
                try insert.bind(p.agentID, at: 2)
                try insert.bind(p.lastObservedStep, at: 3)
                try insert.bind(p.sample, at: 4)
                try insert.bind(p.step, at: 5)
                try insert.bind(p.x, at: 6)
                try insert.bind(p.y, at: 7)
                try insert.step()
                insert.reset()
            }
            try setStatus(run: id, .completed)
        }
    }

    /// Stores metrics under `run` and marks it completed, in one transaction.
    public func storeMetrics(run id: Int64, _ metrics: [MetricRecord]) throws {
        try database.transaction {
            let insert = try database.prepare("INSERT INTO metric (run_id, scope, method, name, value) VALUES (?1, ?2, ?3, ?4, ?5)")
            for m in metrics {
                try insert.run([.integer(id), .text(m.scope), .text(m.method), .text(m.name), m.value.map(SQLValue.real) ?? .null])
            }
            try setStatus(run: id, .completed)
        }
    }
}
