// Fixed-length windows cut from tracks: every run of `observed + predicted` consecutive steps of
// one pedestrian, stride 1, never across a gap. Positions are kept relative to the last observed
// one (the origin), which is where a prediction starts; the origin keeps absolute coordinates.
// Legend: N windows, T = observed + predicted steps.

/// Where a window comes from.
public struct WindowSource: Equatable, Sendable {
    /// Index into the scenes the set was built from.
    public var scene: Int
    /// The pedestrian's id as written in its file.
    public var pedestrian: String
    /// The step of the last observed position.
    public var lastObservedStep: Int

    public init(scene: Int, pedestrian: String, lastObservedStep: Int) {
        self.scene = scene
        self.pedestrian = pedestrian
        self.lastObservedStep = lastObservedStep
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

    public var count: Int { origins.count }

    public init(observed: Int = 8, predicted: Int = 12) {
        precondition(observed >= 2 && predicted >= 1, "a window needs 2 observed steps and 1 predicted")
        self.observed = observed
        self.predicted = predicted
    }

    /// Adds every window of `tracks` (one scene), tagged with `scene`.
    public mutating func add(_ tracks: [Track], scene: Int) {
        let length = steps
        for track in tracks {
            let points = track.points
            var runStart = 0
            for i in 0..<points.count {
                let endsRun = i + 1 == points.count || points[i + 1].step != points[i].step + 1
                guard endsRun else { continue }
                // points[runStart...i] are consecutive steps.
                if i - runStart + 1 >= length {
                    for first in runStart...(i - length + 1) {
                        append(points[first..<(first + length)], scene: scene, pedestrian: track.pedestrian)
                    }
                }
                runStart = i + 1
            }
        }
    }

    /// Adds one window given its absolute positions, T of them.
    mutating func append(_ window: ArraySlice<TrackPoint>, scene: Int, pedestrian: String) {
        let last = window[window.startIndex + observed - 1]
        for point in window {
            relative.append(Float(point.x - last.x))
            relative.append(Float(point.y - last.y))
        }
        origins.append(SIMD2(last.x, last.y))
        sources.append(WindowSource(scene: scene, pedestrian: pedestrian, lastObservedStep: last.step))
    }

    /// Adds a window from positions relative to `origin` (T × 2 values); for tests and live input.
    public mutating func append(relative positions: [Float], origin: SIMD2<Double>, source: WindowSource) {
        precondition(positions.count == steps * 2, "a window has \(steps) positions")
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

    /// Replaces the future of window n (tests use it to prove that no feature sees the future).
    public mutating func setFuture(_ n: Int, _ values: [Float]) {
        precondition(values.count == predicted * 2)
        relative.replaceSubrange(((n * steps + observed) * 2)..<((n + 1) * steps * 2), with: values)
    }
}
