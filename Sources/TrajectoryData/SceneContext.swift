// Everyone of one scene by step: the positions of all its tracks once, track after track, and an
// index of them sorted by (step, agent) with an offset per step, so a window finds who else is
// present at a step without any per-window copy, and reads its own positions from the same buffer.
// A scene whose steps are spread thin (a track seen again 10⁶ steps later) keeps only the steps
// that occur and finds a step by binary search, so memory follows the positions, never the span.
// Windows read it for their observed steps only (WindowSet.neighbours); evaluation reads future
// steps for ground-truth collisions.
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
    /// The step of `offsets[0]` (dense layout).
    public let firstStep: Int
    /// (S + 1): positions of the i-th step are `slots[offsets[i]..<offsets[i + 1]]`; the i-th step
    /// is firstStep + i, or `steps[i]` when the layout is sparse.
    let offsets: [Int]
    /// The steps that occur, sorted, when the scene's span is much larger than its positions; nil
    /// when every step of the span has its offset.
    let steps: [Int]?
    /// (M), sorted by (step, agent): the agent, and where its position is in `positions`.
    let agents: [Int32]
    let slots: [UInt32]
    /// (M) every position of the scene once, track after track (agent i's are
    /// `positions[trackStarts[i]..<trackStarts[i + 1]]`, as its track has them): windows view their
    /// positions here (`WindowSet`), so the scene's positions are kept once, 24 bytes each in all.
    public let positions: [SIMD2<Double>]
    /// (agents + 1)
    public let trackStarts: [Int]

    /// The context of `tracks` (agent i is `tracks[i]`).
    public init(tracks: [Track]) {
        var minStep = Int.max, maxStep = Int.min, total = 0
        var trackStarts = [0]
        trackStarts.reserveCapacity(tracks.count + 1)
        for track in tracks {
            total += track.points.count
            trackStarts.append(total)
            guard let first = track.points.first, let last = track.points.last else { continue }
            minStep = min(minStep, first.step)
            maxStep = max(maxStep, last.step)
        }
        precondition(total < Int(UInt32.max), "a scene of \(total) positions (at most \(UInt32.max - 1))")
        self.trackStarts = trackStarts
        var positions = [SIMD2<Double>]()
        positions.reserveCapacity(total)
        for track in tracks { for point in track.points { positions.append(SIMD2(point.x, point.y)) } }
        self.positions = positions
        guard total > 0 else {
            (firstStep, offsets, steps, agents, slots) = (0, [0], nil, [], [])
            return
        }
        firstStep = minStep
        // Dense while the span is within a few times the positions; else only the steps that occur.
        let span = maxStep.subtractingReportingOverflow(minStep)
        let sparse = span.overflow || span.partialValue > 4 * total + 1024
        let occurring = sparse ? tracks.occurringSteps() : nil
        func slot(_ step: Int) -> Int {
            guard let occurring else { return step - minStep }
            var (low, high) = (0, occurring.count)
            while low < high {
                let middle = (low + high) / 2
                if occurring[middle] < step { low = middle + 1 } else { high = middle }
            }
            return low
        }
        // Counting sort by step; agents come out in track order within a step.
        var counts = [Int](repeating: 0, count: (occurring?.count ?? span.partialValue + 1) + 1)
        for track in tracks { for point in track.points { counts[slot(point.step) + 1] += 1 } }
        for i in 1..<counts.count { counts[i] += counts[i - 1] }
        offsets = counts
        steps = occurring
        var fill = counts
        var agents = [Int32](repeating: 0, count: total)
        var slots = [UInt32](repeating: 0, count: total)
        for (a, track) in tracks.enumerated() {
            for (i, point) in track.points.enumerated() {
                let s = slot(point.step)
                agents[fill[s]] = Int32(a)
                slots[fill[s]] = UInt32(trackStarts[a] + i)
                fill[s] += 1
            }
        }
        self.agents = agents
        self.slots = slots
    }

    /// The index of `step` among the offsets, nil when nobody is present then.
    @usableFromInline
    func index(of step: Int) -> Int? {
        guard let steps else {
            let i = step &- firstStep
            return i >= 0 && i + 1 < offsets.count ? i : nil
        }
        var (low, high) = (0, steps.count)
        while low < high {
            let middle = (low + high) / 2
            if steps[middle] < step { low = middle + 1 } else { high = middle }
        }
        return low < steps.count && steps[low] == step ? low : nil
    }

    /// Steps that have an offset: the span of the scene, or only the steps that occur when sparse.
    public var indexedSteps: Int { offsets.count - 1 }

    /// Everyone present at `step`, in agent order.
    public func present(at step: Int) -> [PresentAgent] {
        guard let i = index(of: step) else { return [] }
        return (offsets[i]..<offsets[i + 1]).map { PresentAgent(agent: Int(agents[$0]), position: position($0)) }
    }

    /// Calls `body` for everyone present at `step` (no allocation).
    @inlinable
    public func forEachPresent(at step: Int, _ body: (Int, SIMD2<Double>) -> Void) {
        guard let i = index(of: step) else { return }
        for slot in offset(i)..<offset(i + 1) { body(agent(slot), position(slot)) }
    }

    @usableFromInline func offset(_ i: Int) -> Int { offsets[i] }
    @usableFromInline func agent(_ slot: Int) -> Int { Int(agents[slot]) }
    @usableFromInline func position(_ slot: Int) -> SIMD2<Double> { positions[Int(slots[slot])] }
}
