// Everyone of one scene by step: the positions of all its tracks once, in flat arrays sorted by
// (step, agent), with an offset per step, so a window finds who else is present at a step without
// any per-window copy. Windows read it for their observed steps only (WindowSet.neighbours);
// evaluation reads future steps for ground-truth collisions.
// Legend: S steps spanned by the scene, M positions of the scene.

/// One pedestrian present at a step: the index of its track in the scene, and its position.
public struct PresentAgent: Equatable, Sendable {
    public var agent: Int
    public var position: SIMD2<Double>

    public init(agent: Int, position: SIMD2<Double>) {
        self.agent = agent
        self.position = position
    }
}

public struct SceneContext: Sendable {
    /// The step of `offsets[0]`.
    public let firstStep: Int
    /// (S + 1): positions of step firstStep + i are `agents[offsets[i]..<offsets[i + 1]]`.
    let offsets: [Int]
    /// (M), sorted by (step, agent).
    let agents: [Int32]
    let positions: [SIMD2<Double>]

    /// The context of `tracks` (agent i is `tracks[i]`).
    public init(tracks: [Track]) {
        var minStep = Int.max, maxStep = Int.min, total = 0
        for track in tracks {
            guard let first = track.points.first, let last = track.points.last else { continue }
            minStep = min(minStep, first.step)
            maxStep = max(maxStep, last.step)
            total += track.points.count
        }
        guard total > 0 else {
            (firstStep, offsets, agents, positions) = (0, [0], [], [])
            return
        }
        firstStep = minStep
        // Counting sort by step; agents come out in track order within a step.
        var counts = [Int](repeating: 0, count: maxStep - minStep + 2)
        for track in tracks { for point in track.points { counts[point.step - minStep + 1] += 1 } }
        for i in 1..<counts.count { counts[i] += counts[i - 1] }
        offsets = counts
        var fill = counts
        var agents = [Int32](repeating: 0, count: total)
        var positions = [SIMD2<Double>](repeating: .zero, count: total)
        for (a, track) in tracks.enumerated() {
            for point in track.points {
                let slot = fill[point.step - minStep]
                fill[point.step - minStep] += 1
                agents[slot] = Int32(a)
                positions[slot] = SIMD2(point.x, point.y)
            }
        }
        self.agents = agents
        self.positions = positions
    }

    /// Everyone present at `step`, in agent order.
    public func present(at step: Int) -> [PresentAgent] {
        let i = step - firstStep
        guard i >= 0, i + 1 < offsets.count else { return [] }
        return (offsets[i]..<offsets[i + 1]).map { PresentAgent(agent: Int(agents[$0]), position: positions[$0]) }
    }

    /// Calls `body` for everyone present at `step` (no allocation).
    @inlinable
    public func forEachPresent(at step: Int, _ body: (Int, SIMD2<Double>) -> Void) {
        let i = step - firstStep
        guard i >= 0, i + 1 < offsetsCount else { return }
        let range = offset(i)..<offset(i + 1)
        for slot in range { body(agent(slot), position(slot)) }
    }

    @usableFromInline var offsetsCount: Int { offsets.count }
    @usableFromInline func offset(_ i: Int) -> Int { offsets[i] }
    @usableFromInline func agent(_ slot: Int) -> Int { Int(agents[slot]) }
    @usableFromInline func position(_ slot: Int) -> SIMD2<Double> { positions[slot] }
}
