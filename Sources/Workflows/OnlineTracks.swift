// What a live predictor remembers of one tracker (a `stream`, an HTTP session): each agent's
// recent observations keyed by its id, in seconds as the tracker stamps them, and the order in
// which agents were first seen. Observations older than a prediction can use are dropped, and an
// agent unseen for `forget` seconds is forgotten. A value type: a caller that shares it across
// threads keeps it behind a lock and predicts from a copy. Resampling onto the model's step is
// `OnlinePredictor`'s (through `Resampler`, the rules of `import --resample`).
import TrajectoryData

public struct OnlineTracks: Sendable {
    /// One remembered agent.
    public struct Agent: Sendable {
        public let id: String
        /// Increases with each new agent: the order windows are built in (as a scene's tracks are
        /// in order of first appearance).
        public let order: Int
        /// Sorted by time, strictly increasing.
        public fileprivate(set) var observations: [TimedPosition]

        public var lastSeen: Double { observations[observations.count - 1].time }
    }

    /// Seconds of history a prediction reads: observations older than the latest time minus this
    /// are dropped (one before the cut is kept, for interpolation).
    public let horizon: Double
    /// Seconds unseen after which an agent is forgotten.
    public let forget: Double
    public private(set) var agents: [String: Agent] = [:]
    /// The time of the last frame taken (`observe(_:)`), nil before the first.
    public private(set) var lastFrameTime: Double?
    private var nextOrder = 0
    /// Agents seen since the start, counting one forgotten and seen again twice.
    public private(set) var agentsSeen = 0

    public init(horizon: Double, forget: Double) {
        precondition(horizon > 0 && forget > 0, "horizon and forget are positive")
        self.horizon = horizon
        self.forget = forget
    }

    /// Takes one tracker frame: every agent's position at `frame.time`. The whole frame is checked
    /// first (a finite time after the previous frame's, ids given once, finite positions) and refused
    /// with the field at fault, leaving the tracks as they were; then agents unseen for longer than
    /// `forget` are forgotten.
    public mutating func observe(_ frame: TrackerFrame) throws(WorkflowError) {
        try frame.check()
        if let previous = lastFrameTime, !(frame.time > previous) {
            throw .invalidInput(field: "time", reason: "\(formatted(frame.time)) is not after the previous frame's "
                + formatted(previous))
        }
        lastFrameTime = frame.time
        for agent in frame.agents {
            append(agent.id, TimedPosition(time: frame.time, x: agent.x, y: agent.y))
        }
        forget(before: frame.time)
    }

    /// Takes the observed path of one agent (times strictly increasing, checked by the caller), as a
    /// stateless request gives it; nothing is forgotten.
    public mutating func observe(agent id: String, path: [TimedPosition]) {
        for observation in path { append(id, observation) }
    }

    private mutating func append(_ id: String, _ observation: TimedPosition) {
        if agents[id] == nil {
            agents[id] = Agent(id: id, order: nextOrder, observations: [])
            nextOrder += 1
            agentsSeen += 1
        }
        agents[id]!.observations.append(observation)
        // Drop what no grid point of a prediction at this time can reach; keep the newest observation
        // at or before the cut, the left end of an interpolation across it.
        let cut = observation.time - horizon
        let observations = agents[id]!.observations
        if observations.count > 2, observations[1].time <= cut {
            let keep = observations.lastIndex { $0.time <= cut } ?? 0
            agents[id]!.observations.removeFirst(keep)
        }
    }

    /// Forgets every agent last seen more than `forget` seconds before `time`.
    mutating func forget(before time: Double) {
        agents = agents.filter { time - $0.value.lastSeen <= forget }
    }

    /// The remembered agents in order of first appearance.
    public var ordered: [Agent] { agents.values.sorted { $0.order < $1.order } }
}
