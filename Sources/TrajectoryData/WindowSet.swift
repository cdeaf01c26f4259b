// Fixed-length windows cut from tracks: every run of `observed + predicted` consecutive steps of
// one pedestrian, stride 1, never across a gap. A window is a view into its track (the track's
// positions are kept once); it reads its positions relative to the last observed one (the origin),
// where a prediction starts, and features are gathered from them batch by batch. A window's scene
// context (the other pedestrians at its observed steps) is read from the scene's `SceneContext`,
// kept once per scene, never copied per window. Measured (bench scale, 10^7 positions): see README.
// Legend: N windows, T = observed + predicted steps.

/// Where a window comes from.
public struct WindowSource: Equatable, Sendable {
    /// Index into the scenes the set was built from.
    public var scene: Int
    /// The pedestrian's id as written in its file.
    public var pedestrian: String
    /// The step of the last observed position.
    public var lastObservedStep: Int
    /// The index of the pedestrian's track among the scene's tracks (its agent in `SceneContext`);
    /// −1 for a window of a scene without context.
    public var agent: Int

    public init(scene: Int, pedestrian: String, lastObservedStep: Int, agent: Int = -1) {
        self.scene = scene
        self.pedestrian = pedestrian
        self.lastObservedStep = lastObservedStep
        self.agent = agent
    }
}

/// Many windows as views into their tracks: the tracks' positions are kept once, track after track,
/// in their scene's context (`SceneContext.positions`, which also finds the neighbours at a step),
/// and a window is its run of consecutive steps and its place in it, 8 bytes instead of a copy of
/// its T positions (168 bytes with its origin). A window's positions relative to its
/// origin are computed when read, `Float(p − origin)` as the copy was, so every value is bit for bit
/// what it was. A window changed after it was added (its observed steps capped, its future set by a
/// test) or given as values (`append(relative:)`) owns its T × 2 floats.
public struct WindowSet: Sendable {
    public let observed: Int
    public let predicted: Int
    public var steps: Int { observed + predicted }
    /// The contexts of the scenes added, whose positions (track after track) the windows view;
    /// `Run.context` indexes them.
    private var viewed: [SceneContext] = []
    /// Per window: its run and where it starts in it, 8 bytes.
    private var views: [View] = []
    /// Runs of consecutive steps of one track (or one owned window), which windows view.
    private var runs: [Run] = []
    /// (owned windows × T × 2) floats relative to their origins, and those origins.
    private var owned: [Float] = []
    private var ownedOrigins: [SIMD2<Double>] = []
    /// Pedestrian names, shared by the windows of one track.
    private var names: [String] = []
    /// The caps of observed steps applied so far (`capObservedSteps`), with the windows each applies
    /// to: a window viewing its track (or reading an owned one backwards) reads its observed steps
    /// through each of them, the same arithmetic on the same values as when the cap rewrote a copy.
    private var caps: [Cap] = []
    /// The context of each scene index that has one (set by `add`, or `setContext`).
    public private(set) var contexts: [Int: SceneContext] = [:]

    struct Cap: Sendable {
        var maximum: Float
        var windows: Range<Int>
    }

    /// A window's run and where it starts in it; a negative offset `~o` is the window starting at
    /// `o` walked backwards in time (`addReversed`).
    struct View: Sendable {
        var run: Int32
        var offset: Int32
    }

    struct Run: Sendable {
        /// The index of the run's first position in `viewed[context].positions`, or of its first
        /// float in `owned` (T × 2 of them, one window) when `isOwned`.
        var base: Int
        var firstStep: Int
        var context: Int32
        var scene: Int32
        var agent: Int32
        var name: Int32
        var isOwned: Bool
        /// An owned copy of a reversed window: its steps run backwards in time from `firstStep`
        /// (which is then its last observed step + observed − 1), as the window it was copied from.
        var walksBackward = false
    }

    /// What is known of window n: its run, where it starts, its last observed step, whether it
    /// is read backwards (its first position is then its track's last of the T, its last observed
    /// step the track's step `predicted` after the start), and whether its steps run backwards in
    /// time (a reversed window, or an owned copy of one).
    struct Record {
        var run: Run
        var start: Int
        var lastObservedStep: Int
        var reversed: Bool
        var backward: Bool
    }

    @inline(__always)
    func record(_ n: Int) -> Record {
        let view = views[n], run = runs[Int(view.run)]
        let reversed = view.offset < 0, offset = Int(reversed ? ~view.offset : view.offset)
        // The track step of the run's position i is firstStep + i, or firstStep − i when it walks backward.
        let read = offset + (reversed ? predicted : observed - 1)
        return Record(run: run, start: run.base + offset,
                      lastObservedStep: run.firstStep + (run.walksBackward ? -read : read), reversed: reversed,
                      backward: reversed != run.walksBackward)
    }

    /// The track step of window n's t-th position (0 ..< T).
    @inline(__always)
    func trackStep(_ record: Record, _ t: Int) -> Int {
        record.backward ? record.lastObservedStep + observed - 1 - t : record.lastObservedStep - observed + 1 + t
    }

    public var count: Int { views.count }

    public init(observed: Int = 8, predicted: Int = 12) {
        precondition(observed >= 2 && predicted >= 1, "a window needs 2 observed steps and 1 predicted")
        self.observed = observed
        self.predicted = predicted
    }

    /// Where each window comes from (built when read).
    public var sources: Sources { Sources(windows: self) }
    /// The absolute last observed position of each window (read from its track).
    public var origins: Origins { Origins(windows: self) }

    public struct Sources: RandomAccessCollection, Sendable {
        let windows: WindowSet
        public var startIndex: Int { 0 }
        public var endIndex: Int { windows.count }
        public subscript(n: Int) -> WindowSource {
            let record = windows.record(n)
            return WindowSource(scene: Int(record.run.scene), pedestrian: windows.names[Int(record.run.name)],
                                lastObservedStep: record.lastObservedStep, agent: Int(record.run.agent))
        }
    }

    public struct Origins: RandomAccessCollection, Sendable {
        let windows: WindowSet
        public var startIndex: Int { 0 }
        public var endIndex: Int { windows.count }
        public subscript(n: Int) -> SIMD2<Double> { windows.origin(n) }
    }

    @inline(__always)
    func origin(_ n: Int) -> SIMD2<Double> {
        let record = record(n)
        if record.run.isOwned {
            let origin = ownedOrigins[record.start / (steps * 2)]
            guard record.reversed else { return origin }
            return origin + SIMD2(Double(owned[record.start + 2 * predicted]), Double(owned[record.start + 2 * predicted + 1]))
        }
        return viewed[Int(record.run.context)].positions[record.start + (record.reversed ? predicted : observed - 1)]
    }

    /// Makes room for windows cut from tracks of `positions` positions in all (at most one window
    /// per position), so that loading many scenes does not double the buffer as it grows.
    public mutating func reserveCapacity(positions: Int) {
        views.reserveCapacity(views.count + positions)
    }

    /// Adds every window of `tracks` (one scene), tagged with `scene`, and keeps the scene's context.
    public mutating func add(_ tracks: [Track], scene: Int) {
        precondition(contexts[scene] == nil, "scene index \(scene) is added twice")
        let length = steps
        setContext(tracks, scene: scene)
        let context = contexts[scene]!
        viewed.append(context)
        precondition(viewed.count < Int32.max, "too many scenes")
        for (agent, track) in tracks.enumerated() {
            let trackPoints = track.points
            var runStart = 0
            var name: Int32?
            for i in 0..<trackPoints.count {
                let endsRun = i + 1 == trackPoints.count || trackPoints[i + 1].step != trackPoints[i].step + 1
                guard endsRun else { continue }
                // trackPoints[runStart...i] are consecutive steps.
                if i - runStart + 1 >= length {
                    if name == nil {
                        names.append(track.pedestrian)
                        name = Int32(names.count - 1)
                    }
                    precondition(runs.count < Int32.max, "too many windows")
                    runs.append(Run(base: context.trackStarts[agent] + runStart, firstStep: trackPoints[runStart].step,
                                    context: Int32(viewed.count - 1), scene: Int32(scene), agent: Int32(agent),
                                    name: name!, isOwned: false))
                    for first in runStart...(i - length + 1) {
                        views.append(View(run: Int32(runs.count - 1), offset: Int32(first - runStart)))
                    }
                }
                runStart = i + 1
            }
        }
    }

    /// Keeps the context of scene index `scene`: all of `tracks` (agent i is `tracks[i]`). Set it
    /// before adding the scene's windows, each with its agent.
    public mutating func setContext(_ tracks: [Track], scene: Int) {
        precondition(!runs.contains { $0.scene == Int32(scene) }, "the context of scene \(scene) comes before its windows")
        contexts[scene] = SceneContext(tracks: tracks)
    }

    /// Adds the observed part of a window ending at `lastObservedStep` of `track` (agent `agent` of
    /// its scene) when its observed steps are all present; the future is kept where the track has
    /// it (so predictions can be scored) and left at zero otherwise (no feature reads it).
    /// Returns whether a window was added.
    @discardableResult
    public mutating func addObserved(_ track: Track, endingAt lastObservedStep: Int, scene: Int, agent: Int) -> Bool {
        guard let end = track.points.firstIndex(where: { $0.step == lastObservedStep }), end >= observed - 1,
              track.points[end - observed + 1].step == lastObservedStep - observed + 1 else { return false }
        let last = track.points[end]
        var positions = [Float](repeating: 0, count: steps * 2)
        for (t, point) in track.points[(end - observed + 1)...end].enumerated() {
            positions[2 * t] = Float(point.x - last.x)
            positions[2 * t + 1] = Float(point.y - last.y)
        }
        for t in 0..<predicted {
            let index = end + 1 + t
            guard index < track.points.count, track.points[index].step == lastObservedStep + 1 + t else { break }
            positions[2 * (observed + t)] = Float(track.points[index].x - last.x)
            positions[2 * (observed + t) + 1] = Float(track.points[index].y - last.y)
        }
        append(relative: positions, origin: SIMD2(last.x, last.y),
               source: WindowSource(scene: scene, pedestrian: track.pedestrian, lastObservedStep: lastObservedStep,
                                    agent: agent))
        return true
    }

    /// The other pedestrians of window n's scene at its observed step t (0 ..< observed), with
    /// positions relative to the window's origin; empty when the scene has no context. Reads
    /// observed steps only, so no input built from it can see the future.
    public func neighbours(of n: Int, atObservedStep t: Int) -> [PresentAgent] {
        var neighbours: [PresentAgent] = []
        forEachNeighbour(of: n, atObservedStep: t) { neighbours.append(PresentAgent(agent: $0, position: $1)) }
        return neighbours
    }

    /// Calls `body` with each other pedestrian of window n's scene at its observed step t and its
    /// position relative to the window's origin, in the scene context's order, without allocating
    /// (what a model's input reads at every step of training).
    public func forEachNeighbour(of n: Int, atObservedStep t: Int, _ body: (Int, SIMD2<Double>) -> Void) {
        precondition((0..<observed).contains(t), "step \(t) is not an observed step")
        let record = record(n)
        guard let context = contexts[Int(record.run.scene)] else { return }
        let origin = origin(n), own = Int(record.run.agent)
        context.forEachPresent(at: trackStep(record, t)) { agent, position in
            if agent != own { body(agent, position - origin) }
        }
    }

    /// Adds a window from positions relative to `origin` (T × 2 values); for tests and live input.
    public mutating func append(relative positions: [Float], origin: SIMD2<Double>, source: WindowSource) {
        precondition(positions.count == steps * 2, "a window has \(steps) positions")
        precondition(source.agent >= 0 || contexts[source.scene] == nil, "a window of a scene with context names its agent")
        names.append(source.pedestrian)
        appendOwnedRun(lastObservedStep: source.lastObservedStep, scene: Int32(source.scene), agent: Int32(source.agent),
                       name: Int32(names.count - 1))
        views.append(View(run: Int32(runs.count - 1), offset: 0))
        owned += positions
        ownedOrigins.append(origin)
    }

    /// Adds every window walked backwards in time (position t becomes position T − 1 − t; the
    /// origin is then the window's position `predicted` steps after its start): a walker retracing
    /// its steps is as plausible a walker, so training on both doubles the data (`--reverse`).
    /// Each is a view of the original (8 bytes), its neighbours those of the track's steps it reads.
    /// Windows added later are not reversed. A reversed window reads only what its original holds:
    /// it is for training data (`TrainingSettings.reverse`).
    public mutating func addReversed() {
        let originals = count
        views.reserveCapacity(originals * 2)
        for n in 0..<originals { views.append(View(run: views[n].run, offset: ~views[n].offset)) }
        // The caps the originals went through, applied the same way to their reversed walks.
        for cap in caps { capObservedSteps(at: cap.maximum, of: originals..<count) }
    }

    /// Calls `body` with window n's positions relative to its origin, (T, 2): read in place when the
    /// window owns them, else computed from its track into a buffer on the stack.
    @inline(__always)
    public func withRelativePositions<R>(_ n: Int, _ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        let record = record(n)
        if record.run.isOwned && !record.reversed {
            return try owned.withUnsafeBufferPointer { try body($0.baseAddress! + record.start) }
        }
        let count = steps
        return try withUnsafeTemporaryAllocation(of: Float.self, capacity: count * 2) { buffer in
            if record.run.isOwned {
                owned.withUnsafeBufferPointer { owned in
                    let window = owned.baseAddress! + record.start
                    let last = SIMD2(window[2 * predicted], window[2 * predicted + 1])
                    for t in 0..<count {
                        buffer[2 * t] = window[2 * (count - 1 - t)] - last.x
                        buffer[2 * t + 1] = window[2 * (count - 1 - t) + 1] - last.y
                    }
                }
            } else {
                viewed[Int(record.run.context)].positions.withUnsafeBufferPointer { points in
                    let window = points.baseAddress! + record.start
                    let reversed = record.reversed, last = window[reversed ? predicted : observed - 1]
                    for t in 0..<count {
                        // As the copy was made: the difference in Double, then rounded to Float.
                        let p = window[reversed ? count - 1 - t : t]
                        buffer[2 * t] = Float(p.x - last.x)
                        buffer[2 * t + 1] = Float(p.y - last.y)
                    }
                }
            }
            for cap in caps where cap.windows.contains(n) { _ = Self.cap(buffer.baseAddress!, observed: observed, at: cap.maximum) }
            return try body(UnsafePointer(buffer.baseAddress!))
        }
    }

    /// Window n's positions relative to its origin, (T, 2).
    public func relativePositions(_ n: Int) -> [Float] {
        withRelativePositions(n) { Array(UnsafeBufferPointer(start: $0, count: steps * 2)) }
    }

    /// The observed part of window n: (observed, 2), relative to the origin.
    public func observedPositions(_ n: Int) -> [Float] {
        withRelativePositions(n) { Array(UnsafeBufferPointer(start: $0, count: observed * 2)) }
    }

    /// The future of window n: (predicted, 2), relative to the origin.
    public func futurePositions(_ n: Int) -> [Float] {
        withRelativePositions(n) { Array(UnsafeBufferPointer(start: $0 + observed * 2, count: predicted * 2)) }
    }

    /// Makes window n own its positions (a copy of what it reads), so they can change without
    /// touching its track or the other windows of it. A reversed window so copied still walks
    /// backwards in time: its neighbours are those of the same track steps.
    private mutating func own(_ n: Int) -> Int {
        let record = record(n)
        if record.run.isOwned && !record.reversed { return record.start }
        let positions = relativePositions(n), origin = origin(n)
        appendOwnedRun(lastObservedStep: record.lastObservedStep, scene: record.run.scene, agent: record.run.agent, name: record.run.name,
                       walksBackward: record.backward)
        views[n] = View(run: Int32(runs.count - 1), offset: 0)
        owned += positions
        ownedOrigins.append(origin)
        return runs[runs.count - 1].base
    }

    /// A run of one window that owns its floats, placed at the end of `owned` (the caller appends them).
    private mutating func appendOwnedRun(lastObservedStep: Int, scene: Int32, agent: Int32, name: Int32,
                                         walksBackward: Bool = false) {
        precondition(runs.count < Int32.max, "too many windows")
        runs.append(Run(base: owned.count, firstStep: lastObservedStep + (walksBackward ? observed - 1 : -(observed - 1)),
                        context: -1, scene: scene, agent: agent, name: name, isOwned: true, walksBackward: walksBackward))
    }

    /// Shortens every observed step longer than `maximum` meters to `maximum`, keeping its direction
    /// and the last observed position (the origin): a tracking glitch (a jump of 5–100 m between two
    /// steps) becomes a fast step instead of an input no model has seen. Futures are untouched.
    /// Windows that own their positions are rewritten; the others read through the cap from now on.
    /// Returns how many windows had such a step.
    @discardableResult
    public mutating func capObservedSteps(at maximum: Float) -> Int {
        capObservedSteps(at: maximum, of: 0..<count)
    }

    /// `capObservedSteps` of the windows of `range`.
    @discardableResult
    private mutating func capObservedSteps(at maximum: Float, of range: Range<Int>) -> Int {
        var capped = 0
        let (steps, observed) = (self.steps, self.observed)
        var window = [Float](repeating: 0, count: steps * 2)
        for n in range {
            let record = record(n)
            let changed: Bool
            if record.run.isOwned && !record.reversed {
                changed = owned.withUnsafeMutableBufferPointer {
                    Self.cap($0.baseAddress! + record.start, observed: observed, at: maximum)
                }
            } else {
                withRelativePositions(n) { p in for i in 0..<(observed * 2) { window[i] = p[i] } }
                changed = window.withUnsafeMutableBufferPointer { Self.cap($0.baseAddress!, observed: observed, at: maximum) }
            }
            if changed { capped += 1 }
        }
        caps.append(Cap(maximum: maximum, windows: range))
        return capped
    }

    /// Caps the observed steps of one window, (T, 2) relative to its origin, walking back from the
    /// origin and rewriting every observed position (as `capObservedSteps` always has); returns
    /// whether a step was longer than `maximum`.
    @inline(__always)
    static func cap(_ window: UnsafeMutablePointer<Float>, observed: Int, at maximum: Float) -> Bool {
        var changed = false
        var later = SIMD2(window[2 * (observed - 1)], window[2 * (observed - 1) + 1])
        var shift = SIMD2<Float>(0, 0)   // how far the positions before are moved so far
        for t in stride(from: observed - 2, through: 0, by: -1) {
            let original = SIMD2(window[2 * t], window[2 * t + 1])
            var d = original + shift - later
            let length = (d * d).sum().squareRoot()
            if !(length <= maximum) {
                d = length.isFinite && length > 0 ? d * (maximum / length) : SIMD2(0, 0)
                changed = true
            }
            let position = later + d
            shift = position - original
            (window[2 * t], window[2 * t + 1]) = (position.x, position.y)
            later = position
        }
        return changed
    }

    /// Removes the windows for which `isRemoved(n)` is true, keeping the others in order (with their
    /// caps, their scene contexts and what they read); returns how many went.
    @discardableResult
    public mutating func removeWindows(where isRemoved: (Int) -> Bool) -> Int {
        var kept: [View] = [], keptBefore = [Int](repeating: 0, count: count + 1)
        kept.reserveCapacity(count)
        for n in 0..<count {
            keptBefore[n] = kept.count
            if !isRemoved(n) { kept.append(views[n]) }
        }
        keptBefore[count] = kept.count
        let removed = count - kept.count
        guard removed > 0 else { return 0 }
        // A cap applies to a range of windows; those kept of it stay one range.
        caps = caps.map { Cap(maximum: $0.maximum, windows: keptBefore[$0.windows.lowerBound]..<keptBefore[$0.windows.upperBound]) }
        views = kept
        return removed
    }

    /// The longest step of window n's future, in meters, from its last observed position on.
    public func longestFutureStep(_ n: Int) -> Float {
        withRelativePositions(n) { p in
            var longest: Float = 0
            for t in observed..<steps {
                let d = SIMD2(p[2 * t] - p[2 * (t - 1)], p[2 * t + 1] - p[2 * (t - 1) + 1])
                let length = (d * d).sum().squareRoot()
                longest = length.isNaN ? .infinity : max(longest, length)
            }
            return longest
        }
    }

    /// Replaces the future of window n (tests use it to prove that no feature sees the future).
    public mutating func setFuture(_ n: Int, _ values: [Float]) {
        precondition(values.count == predicted * 2)
        let start = own(n)
        owned.replaceSubrange((start + observed * 2)..<(start + steps * 2), with: values)
    }
}

extension WindowSet {
    /// A SHA-256 (hex) of everything the windows read: each window's scene, track, last observed step,
    /// origin and positions (as its model reads them), then every scene context's positions, tracks
    /// and index of who is present at each step, in order. A training run keeps its data's, so that a resume on other data is refused
    /// even when the window counts are the same (a scene swapped, positions edited in the shell).
    /// Hashed in blocks of about 1 MB, the digest of their digests.
    public func contentDigest() -> String {
        var digests: [UInt8] = [], block: [UInt8] = []
        block.reserveCapacity(1 << 20)
        func add<T>(_ value: T) { withUnsafeBytes(of: value) { block.append(contentsOf: $0) } }
        func close(_ force: Bool = false) {
            guard block.count >= 1 << 20 || (force && !block.isEmpty) else { return }
            digests += Array(block.withUnsafeBytes { sha256Hex($0) }.utf8)
            block.removeAll(keepingCapacity: true)
        }
        add(Int64(observed))
        add(Int64(predicted))
        let sources = self.sources, origins = self.origins
        for n in 0..<count {
            let source = sources[n]
            add(Int64(source.scene))
            add(Int64(source.agent))
            add(Int64(source.lastObservedStep))
            add(origins[n])
            withRelativePositions(n) { block.append(contentsOf: UnsafeRawBufferPointer(start: $0, count: steps * 2 * 4)) }
            close()
        }
        for scene in contexts.keys.sorted() {
            let context = contexts[scene]!
            add(Int64(scene))
            add(Int64(context.positions.count))
            context.positions.withUnsafeBytes { block.append(contentsOf: $0) }
            // Who is where at which step (the neighbours a window reads), besides the positions.
            for start in context.trackStarts { add(Int64(start)) }
            add(Int64(context.firstStep))
            for offset in context.offsets { add(Int64(offset)) }
            for step in context.steps ?? [] { add(Int64(step)) }
            context.agents.withUnsafeBytes { block.append(contentsOf: $0) }
            context.slots.withUnsafeBytes { block.append(contentsOf: $0) }
            close()
        }
        close(true)
        return digests.withUnsafeBytes { sha256Hex($0) }
    }
}
