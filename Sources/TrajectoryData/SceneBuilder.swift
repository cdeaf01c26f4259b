// Turns a file's observations into a scene on a regular step grid: detects (or takes) the frame
// step, puts every frame on origin + k × step, refuses off-grid frames and duplicate
// (frame, pedestrian) pairs, and groups the rows into tracks sorted by step.

/// One position of a track on the scene's step grid.
public struct TrackPoint: Equatable, Sendable {
    public var step: Int
    public var x: Double
    public var y: Double

    public init(step: Int, x: Double, y: Double) {
        self.step = step
        self.x = x
        self.y = y
    }
}

/// All positions of one pedestrian, sorted by step; gaps are allowed (missing steps).
public struct Track: Equatable, Sendable {
    public var pedestrian: String
    public var points: [TrackPoint]

    public init(pedestrian: String, points: [TrackPoint]) {
        self.pedestrian = pedestrian
        self.points = points
    }
}

/// A scene ready to store: the grid and the tracks, in order of first appearance in the file.
public struct SceneData: Equatable, Sendable {
    /// Frame of step 0 (the smallest frame of the file).
    public var frameOrigin: Double
    /// Frame units between two steps.
    public var frameStep: Double
    /// Seconds between two steps.
    public var timeStep: Double
    /// How frameStep and timeStep were found, for the user.
    public var gridDetail: String
    public var tracks: [Track]
    /// Number of observations (rows) in the scene.
    public var rowCount: Int { tracks.reduce(0) { $0 + $1.points.count } }
}

public enum SceneBuilder {
    /// ETH/UCY convention: frame ids run at 25 per second (a step of 10 frames is 0.4 s).
    public static let conventionalFramesPerSecond = 25.0

    /// Builds the scene of `parsed`. `frameStep` and `timeStep` override detection.
    public static func build(_ parsed: ParsedFile, file: String, frameStep: Double? = nil, timeStep: Double? = nil)
        throws(ImportError) -> SceneData
    {
        let observations = parsed.observations
        guard !observations.isEmpty else { throw .empty(file: file) }
        // A frame of 2⁵³ or more has no exact double: neighbouring frames would merge or split.
        if let far = observations.first(where: { abs($0.frame) >= 9_007_199_254_740_992 }) {
            throw .malformedRecord(file: file, line: far.line,
                                   reason: "frame \(formatted(far.frame)) is 2^53 or more, beyond what is stored exactly; "
                                       + "renumber the frames (subtract the first one) before importing")
        }
        if let frameStep, !(frameStep.isFinite && frameStep > 0) {
            throw .invalidSetting(file: file, reason: "--frame-step must be a positive number, got \(frameStep)")
        }
        if let timeStep, !(timeStep.isFinite && timeStep > 0) {
            throw .invalidSetting(file: file, reason: "--dt must be a positive number, got \(timeStep)")
        }

        // Group rows by pedestrian, in order of first appearance.
        var trackIndex: [String: Int] = [:]
        var names: [String] = []
        var rowsOfTrack: [[Int]] = []
        for (row, observation) in observations.enumerated() {
            if let index = trackIndex[observation.pedestrian] {
                rowsOfTrack[index].append(row)
            } else {
                trackIndex[observation.pedestrian] = names.count
                names.append(observation.pedestrian)
                rowsOfTrack.append([row])
            }
        }
        for index in rowsOfTrack.indices {
            let rows = rowsOfTrack[index]
            let sorted = zip(rows, rows.dropFirst()).allSatisfy { observations[$0].frame <= observations[$1].frame }
            if !sorted { rowsOfTrack[index].sort { (observations[$0].frame, $0) < (observations[$1].frame, $1) } }
        }

        var gridDetail: String
        let step: Double
        if let frameStep {
            step = frameStep
            gridDetail = "frame step \(formatted(step)) (given)"
        } else if let detected = detectStep(observations, rowsOfTrack) {
            step = detected
            gridDetail = "frame step \(formatted(step)) (detected)"
        } else {
            step = 1
            gridDetail = "frame step 1 (assumed: no pedestrian is seen twice)"
        }
        let origin = observations.lazy.map(\.frame).min()!

        // Every frame on the grid; report the earliest line that is not.
        var steps = [Int](repeating: 0, count: observations.count)
        for (row, observation) in observations.enumerated() {
            let k = (observation.frame - origin) / step
            guard k < 1e12 else {
                throw .malformedRecord(file: file, line: observation.line,
                                       reason: "frame \(formatted(observation.frame)) is more than 10^12 steps "
                                           + "after the first frame \(formatted(origin))")
            }
            let rounded = k.rounded()
            guard abs(k - rounded) <= 1e-3 else {
                throw .offGrid(file: file, line: observation.line, frame: formatted(observation.frame),
                               origin: formatted(origin), step: formatted(step))
            }
            steps[row] = Int(rounded)
        }

        // No pedestrian twice at one step; report the earliest repeated line.
        var duplicate: (line: Int, first: Int, row: Int)?
        for rows in rowsOfTrack {
            for (a, b) in zip(rows, rows.dropFirst()) where steps[a] == steps[b] {
                let (first, second) = observations[a].line < observations[b].line ? (a, b) : (b, a)
                if duplicate == nil || observations[second].line < duplicate!.line {
                    duplicate = (observations[second].line, observations[first].line, second)
                }
            }
        }
        if let duplicate {
            let observation = observations[duplicate.row]
            throw .duplicateObservation(file: file, line: duplicate.line, frame: formatted(observation.frame),
                                        pedestrian: observation.pedestrian, firstLine: duplicate.first)
        }

        let seconds: Double
        if let timeStep {
            seconds = timeStep
            gridDetail += ", dt \(formatted(seconds)) s (given)"
        } else if let fps = parsed.framesPerSecond {
            seconds = 1 / fps
            gridDetail += ", dt \(formatted(seconds)) s (from the file's \(formatted(fps)) fps)"
        } else if parsed.frameIsSeconds {
            seconds = step
            gridDetail += ", dt \(formatted(seconds)) s (the frame column is in seconds)"
        } else {
            seconds = step / conventionalFramesPerSecond
            gridDetail += ", dt \(formatted(seconds)) s (25 frame ids per second, the ETH/UCY convention)"
        }

        let tracks = zip(names, rowsOfTrack).map { name, rows in
            Track(pedestrian: name, points: rows.map {
                TrackPoint(step: steps[$0], x: observations[$0].x, y: observations[$0].y)
            })
        }
        return SceneData(frameOrigin: origin, frameStep: step, timeStep: seconds, gridDetail: gridDetail, tracks: tracks)
    }

    /// The most common positive difference between consecutive frames of a pedestrian (the
    /// smaller on a tie), averaged over its occurrences so steps like 1/30 s stay exact; nil
    /// when no pedestrian is seen at two frames.
    static func detectStep(_ observations: [Observation], _ rowsOfTrack: [[Int]]) -> Double? {
        var buckets: [Int64: (count: Int, sum: Double)] = [:]
        // Most differences repeat the previous one: count runs, touch the dictionary once per run.
        var runKey: Int64 = 0, runCount = 0, runSum = 0.0
        func flush() {
            if runCount > 0 {
                buckets[runKey, default: (0, 0)].count += runCount
                buckets[runKey, default: (0, 0)].sum += runSum
            }
        }
        for rows in rowsOfTrack {
            for (a, b) in zip(rows, rows.dropFirst()) {
                let difference = observations[b].frame - observations[a].frame
                guard difference > 0, difference < 1e12 else { continue }
                let key = Int64((difference * 1e6).rounded())
                guard key > 0 else { continue }
                if key != runKey {
                    flush()
                    (runKey, runCount, runSum) = (key, 0, 0)
                }
                runCount += 1
                runSum += difference
            }
        }
        flush()
        guard let best = buckets.max(by: { ($0.value.count, -$0.key) < ($1.value.count, -$1.key) }) else { return nil }
        return best.value.sum / Double(best.value.count)
    }
}

/// A number for messages: integral values without a fraction (`780`, not `780.0`).
public func formatted(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
}
