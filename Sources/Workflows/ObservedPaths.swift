// A stateless prediction request (`POST /v1/predict`): the observed paths of any number of agents,
// each either with its times in seconds (any rate, resampled as a stream is) or on the model's step
// (no times: consecutive steps, the last one at the request's time), and optionally k and a seed.
// Decoded and checked here, with the field at fault named (`agents[1].times[3]`).
import TrajectoryData

public struct ObservedPaths: Decodable, Sendable, Equatable {
    public struct Path: Decodable, Sendable, Equatable {
        public var id: String
        /// [x, y] pairs, meters, oldest first.
        public var positions: [[Double]]
        /// Seconds of each position, strictly increasing; nil: on the model's step, ending at `time`.
        public var times: [Double]?

        public init(id: String, positions: [[Double]], times: [Double]? = nil) {
            (self.id, self.positions, self.times) = (id, positions, times)
        }

        enum CodingKeys: String, CodingKey { case id, positions, times }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decodeAgentID(forKey: .id)
            positions = try c.decode([[Double]].self, forKey: .positions)
            times = try c.decodeIfPresent([Double].self, forKey: .times)
        }
    }

    public var agents: [Path]
    /// When to predict from, seconds; default: the latest time of any path (0 when no path has times).
    public var time: Double?
    public var k: Int?
    public var seed: UInt64?

    public init(agents: [Path], time: Double? = nil, k: Int? = nil, seed: UInt64? = nil) {
        (self.agents, self.time, self.k, self.seed) = (agents, time, k, seed)
    }

    enum CodingKeys: String, CodingKey { case agents, time, k, seed }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        agents = try c.decode([Path].self, forKey: .agents)
        time = try c.decodeIfPresent(Double.self, forKey: .time)
        k = try c.decodeCountIfPresent(forKey: .k)
        seed = try c.decodeIntegerIfPresent(UInt64.self, forKey: .seed)
    }

    /// The prediction time and every agent's observations, checked: ids once each, at least one
    /// position of two finite numbers, times (when given) one per position, finite and increasing.
    public func observations(timeStep: Double) throws(WorkflowError) -> (time: Double, paths: [(id: String, path: [TimedPosition])]) {
        if let time { try LiveLimit.time.check(time, field: "time") }
        var seen = Set<String>()
        var latest: Double?
        for (i, agent) in agents.enumerated() {
            let field = "agents[\(i)]"
            guard seen.insert(agent.id).inserted else {
                throw .invalidInput(field: field + ".id", reason: "'\(agent.id)' appears twice")
            }
            guard !agent.positions.isEmpty else {
                throw .invalidInput(field: field + ".positions", reason: "needs at least one [x, y]")
            }
            for (j, position) in agent.positions.enumerated() {
                guard position.count == 2 else {
                    throw .invalidInput(field: field + ".positions[\(j)]", reason: "must be [x, y], two numbers")
                }
                try LiveLimit.coordinate.check(position[0], field: field + ".positions[\(j)][0]")
                try LiveLimit.coordinate.check(position[1], field: field + ".positions[\(j)][1]")
            }
            guard let times = agent.times else { continue }
            guard times.count == agent.positions.count else {
                throw .invalidInput(field: field + ".times", reason: "has \(times.count) times for \(agent.positions.count) positions")
            }
            for (j, t) in times.enumerated() {
                try LiveLimit.time.check(t, field: field + ".times[\(j)]")
                if j > 0, !(t > times[j - 1]) {
                    throw .invalidInput(field: field + ".times[\(j)]", reason: "\(formatted(t)) is not after \(formatted(times[j - 1]))")
                }
            }
            latest = max(latest ?? -.infinity, times[times.count - 1])
        }
        let now = time ?? latest ?? 0
        let paths = agents.map { agent in
            let count = agent.positions.count
            let times = agent.times ?? (0..<count).map { now - Double(count - 1 - $0) * timeStep }
            return (agent.id, zip(times, agent.positions).map { TimedPosition(time: $0, x: $1[0], y: $1[1]) })
        }
        return (now, paths)
    }
}
