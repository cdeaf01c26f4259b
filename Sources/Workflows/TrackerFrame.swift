// One tracker cycle as live prediction takes it, `{"time": 12.4, "agents": [{"id": "7", "x": 1.0,
// "y": 2.0}, …]}`: one line of `trajpred stream`, one body of `POST /v1/sessions/{id}/frames`.
// Times in seconds at the tracker's own rate; positions in meters. Decoding and the checks name the
// field at fault (`agents[2].x`).
import TrajectoryData

public struct TrackerFrame: Decodable, Sendable, Equatable {
    public var time: Double
    public var agents: [TrackedAgent]

    public init(time: Double, agents: [TrackedAgent]) {
        self.time = time
        self.agents = agents
    }

    /// A finite time, finite positions (within the limits of `LiveLimit`), each id once.
    func check() throws(WorkflowError) {
        try LiveLimit.time.check(time, field: "time")
        var seen = Set<String>()
        for (i, agent) in agents.enumerated() {
            try LiveLimit.coordinate.check(agent.x, field: "agents[\(i)].x")
            try LiveLimit.coordinate.check(agent.y, field: "agents[\(i)].y")
            guard seen.insert(agent.id).inserted else {
                throw .invalidInput(field: "agents[\(i)].id", reason: "'\(agent.id)' appears twice in the frame")
            }
        }
    }
}

/// One agent of a tracker frame. The id is a string; a number is taken as its text (`7`, `7.0` → "7").
public struct TrackedAgent: Decodable, Sendable, Equatable {
    public var id: String
    public var x: Double
    public var y: Double

    public init(id: String, x: Double, y: Double) {
        (self.id, self.x, self.y) = (id, x, y)
    }

    enum CodingKeys: String, CodingKey { case id, x, y }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeAgentID(forKey: .id)
        x = try c.decode(Double.self, forKey: .x)
        y = try c.decode(Double.self, forKey: .y)
    }
}

extension KeyedDecodingContainer {
    /// An agent id: a string, or a number written as `Observation` ids are (integral numbers
    /// without a fraction). An integral number of 2⁵³ or more is refused: read as a double it
    /// loses its last digits, and two agents would merge.
    func decodeAgentID(forKey key: Key) throws -> String {
        if let number = try? decode(Double.self, forKey: key) {
            guard isExactID(number) else {
                throw WorkflowError.invalidInput(field: LiveJSON.field(codingPath + [key]), reason:
                    "a number of 2^53 or more, beyond what a JSON number keeps exactly; send the id as a string")
            }
            return integralID(number) ?? "\(number)"
        }
        let id = try decode(String.self, forKey: key)
        if id.isEmpty {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath + [key], debugDescription: "an empty id"))
        }
        return id
    }
}

extension KeyedDecodingContainer {
    /// An integer of `type` (a seed: UInt64; k: Int): a number out of its range or with a fraction
    /// (−1, 1.5, 1e20) is a type mismatch on the key, which Foundation on Linux reports as "not valid
    /// JSON" with no key.
    public func decodeIntegerIfPresent<T: FixedWidthInteger & Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard contains(key), !(try decodeNil(forKey: key)) else { return nil }
        if let value = try? decode(type, forKey: key) { return value }
        throw DecodingError.typeMismatch(type, .init(codingPath: codingPath + [key], debugDescription: "not an integer of its range"))
    }

    /// A count (k): an integer, as `decodeIntegerIfPresent`, but one of integral value beyond Int's range
    /// (1e21, 99999999999999999999) reads as Int.max or Int.min, so the range check that follows names
    /// the bound ("must be at most 20") instead of calling a whole number no integer.
    public func decodeCountIfPresent(forKey key: Key) throws -> Int? {
        do {
            return try decodeIntegerIfPresent(Int.self, forKey: key)
        } catch {
            guard let number = try? decode(Double.self, forKey: key), number.isFinite, number == number.rounded() else {
                throw error
            }
            return number < 0 ? Int.min : Int.max
        }
    }
}

/// What live input may hold: times within ±10¹² s (Unix time in seconds is ~2·10⁹) and coordinates
/// within ±10⁹ m, so that differences, interpolation and the model's offsets from the last position
/// stay finite (1e300 − (−1e300) would not).
public enum LiveLimit: Double, Sendable {
    case time = 1e12
    case coordinate = 1e9

    func check(_ value: Double, field: String) throws(WorkflowError) {
        guard value.isFinite, abs(value) <= rawValue else {
            throw .invalidInput(field: field, reason: "must be a finite number within ±\(self == .time ? "1e12" : "1e9")")
        }
    }
}
