// Fixed-length windows cut from tracks: every run of `observed + predicted` consecutive steps of
// one pedestrian, stride 1, never across a gap. Positions are kept relative to the last observed
// one (the origin), which is where a prediction starts; the origin keeps absolute coordinates.
// A window's scene context (the other pedestrians at its observed steps) is read from the
// scene's `SceneContext`, kept once per scene, never copied per window.
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

/// Many windows in flat arrays: positions (N, T, 2) relative to each window's origin.
public struct WindowSet: Sendable {
    public let observed: Int
    public let predicted: Int
    public var steps: Int { observed + predicted }
    /// (N, T, 2), meters, relative to `origins[n]`: the last observed position is (0, 0).
    public private(set) var relative: [Float] = []
    /// The absolute last observed position of each window.
    public private(set) var origins: [SIMD2<Double>] = []
    public private(set) var sources: [WindowSource] = []
    /// The context of each scene index that has one (set by `add`, or `setContext`).
    public private(set) var contexts: [Int: SceneContext] = [:]

    public var count: Int { origins.count }

    public init(observed: Int = 8, predicted: Int = 12) {
        precondition(observed >= 2 && predicted >= 1, "a window needs 2 observed steps and 1 predicted")
        self.observed = observed
        self.predicted = predicted
    }

    /// Adds every window of `tracks` (one scene), tagged with `scene`, and keeps the scene's context.
    public mutating func add(_ tracks: [Track], scene: Int) {
        precondition(contexts[scene] == nil, "scene index \(scene) is added twice")
        let length = steps
        setContext(tracks, scene: scene)
        for (agent, track) in tracks.enumerated() {
            let points = track.points
            var runStart = 0
            for i in 0..<points.count {
                let endsRun = i + 1 == points.count || points[i + 1].step != points[i].step + 1
                guard endsRun else { continue }
                // points[runStart...i] are consecutive steps.
                if i - runStart + 1 >= length {
                    for first in runStart...(i - length + 1) {
                        append(points[first..<(first + length)], scene: scene, pedestrian: track.pedestrian, agent: agent)
                    }
                }
                runStart = i + 1
            }
        }
    }

    /// Adds one window given its absolute positions, T of them.
    mutating func append(_ window: ArraySlice<TrackPoint>, scene: Int, pedestrian: String, agent: Int) {
        let last = window[window.startIndex + observed - 1]
        for point in window {
            relative.append(Float(point.x - last.x))
            relative.append(Float(point.y - last.y))
        }
        origins.append(SIMD2(last.x, last.y))
        sources.append(WindowSource(scene: scene, pedestrian: pedestrian, lastObservedStep: last.step, agent: agent))
    }

    /// Keeps the context of scene index `scene`: all of `tracks` (agent i is `tracks[i]`). Set it
    /// before adding the scene's windows, each with its agent.
    public mutating func setContext(_ tracks: [Track], scene: Int) {
        precondition(!sources.contains { $0.scene == scene }, "the context of scene \(scene) comes before its windows")
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
        precondition((0..<observed).contains(t), "step \(t) is not an observed step")
        let source = sources[n]
        guard let context = contexts[source.scene] else { return [] }
        let origin = origins[n]
        return context.present(at: source.lastObservedStep - observed + 1 + t).compactMap { other in
            other.agent == source.agent ? nil : PresentAgent(agent: other.agent, position: other.position - origin)
        }
    }

    /// Adds a window from positions relative to `origin` (T × 2 values); for tests and live input.
    public mutating func append(relative positions: [Float], origin: SIMD2<Double>, source: WindowSource) {
        precondition(positions.count == steps * 2, "a window has \(steps) positions")
        precondition(source.agent >= 0 || contexts[source.scene] == nil, "a window of a scene with context names its agent")
        relative += positions
        origins.append(origin)
        sources.append(source)
    }

    /// The observed part of window n: (observed, 2), relative to the origin.
    public func observedPositions(_ n: Int) -> ArraySlice<Float> {
        relative[(n * steps * 2)..<((n * steps + observed) * 2)]
    }

    /// The future of window n: (predicted, 2), relative to the origin.
    public func futurePositions(_ n: Int) -> ArraySlice<Float> {
        relative[((n * steps + observed) * 2)..<((n + 1) * steps * 2)]
    }

    /// Shortens every observed step longer than `maximum` meters to `maximum`, keeping its direction
    /// and the last observed position (the origin): a tracking glitch (a jump of 5–100 m between two
    /// steps) becomes a fast step instead of an input no model has seen. Futures are untouched.
    /// Returns how many windows had such a step.
    @discardableResult
    public mutating func capObservedSteps(at maximum: Float) -> Int {
        var capped = 0
        let (steps, observed, windows) = (self.steps, self.observed, count)
        relative.withUnsafeMutableBufferPointer { relative in
            for n in 0..<windows {
                let base = relative.baseAddress! + n * steps * 2
                var changed = false
                var later = SIMD2(base[2 * (observed - 1)], base[2 * (observed - 1) + 1])
                var shift = SIMD2<Float>(0, 0)   // how far the positions before are moved so far
                for t in stride(from: observed - 2, through: 0, by: -1) {
                    let original = SIMD2(base[2 * t], base[2 * t + 1])
                    var d = original + shift - later
                    let length = (d * d).sum().squareRoot()
                    if !(length <= maximum) {
                        d = length.isFinite && length > 0 ? d * (maximum / length) : SIMD2(0, 0)
                        changed = true
                    }
                    let position = later + d
                    shift = position - original
                    (base[2 * t], base[2 * t + 1]) = (position.x, position.y)
                    later = position
                }
                if changed { capped += 1 }
            }
        }
        return capped
    }

    /// Replaces the future of window n (tests use it to prove that no feature sees the future).
    public mutating func setFuture(_ n: Int, _ values: [Float]) {
        precondition(values.count == predicted * 2)
        relative.replaceSubrange(((n * steps + observed) * 2)..<((n + 1) * steps * 2), with: values)
    }
}
