// Turns a file's observations into a scene on a regular step grid: maps pixels to meters when
// asked, detects (or takes) the frame step, puts every frame on origin + k × step, refuses
// off-grid frames and duplicate (frame, pedestrian) pairs, and groups the rows into tracks sorted
// by step; or, with a resampling step, interpolates irregular times onto a grid (Resampler).

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

extension [Track] {
    /// The steps at which at least one of the tracks has a point, sorted: through a flag per step
    /// while the span is within a few times the points, else by sorting them (a track seen again
    /// 10⁶ steps later costs its points, never the span).
    public func occurringSteps() -> [Int] {
        var minStep = Int.max, maxStep = Int.min, total = 0
        for track in self {
            guard let first = track.points.first, let last = track.points.last else { continue }
            (minStep, maxStep, total) = (Swift.min(minStep, first.step), Swift.max(maxStep, last.step), total + track.points.count)
        }
        guard total > 0 else { return [] }
        let span = maxStep.subtractingReportingOverflow(minStep)
        guard !span.overflow, span.partialValue <= 4 * total + 1024 else {
            return Set<Int>(lazy.flatMap { $0.points.lazy.map(\.step) }).sorted()
        }
        var present = [Bool](repeating: false, count: span.partialValue + 1)
        for track in self { for point in track.points { present[point.step - minStep] = true } }
        return present.indices.filter { present[$0] }.map { $0 + minStep }
    }
}

/// How a file's frames become a grid, and its positions meters; every field has a default.
public struct GridOptions: Equatable, Sendable {
    /// Frame units between two steps (nil: detected).
    public var frameStep: Double?
    /// Seconds between two steps (nil: from the file or the format's convention).
    public var timeStep: Double?
    /// Resample onto a grid of this many seconds (nil: the frames must already be on a grid).
    public var resample: Double?
    /// Longest interval, in seconds, interpolated across when resampling (nil: twice `resample`).
    public var maxGap: Double?
    /// How pixel positions become meters (nil: positions are meters). ETH obsmat files are meters
    /// already: for them the mapping is only kept, to draw them over the scene's image.
    public var pixels: PixelMapping?

    public init(frameStep: Double? = nil, timeStep: Double? = nil, resample: Double? = nil, maxGap: Double? = nil,
                pixels: PixelMapping? = nil) {
        (self.frameStep, self.timeStep, self.resample, self.maxGap, self.pixels) =
            (frameStep, timeStep, resample, maxGap, pixels)
    }
}

/// What resampling did to a scene, for the import report and the store.
public struct SceneResampling: Equatable, Sendable {
    /// The grid's step in seconds.
    public var step: Double
    /// The longest interval interpolated across, in seconds.
    public var maxGap: Double
    /// What the resampler counted (its times in frame units).
    public var summary: ResamplingSummary
    /// Seconds per frame unit, to report the source step and jitter in seconds.
    public var secondsPerFrame: Double
    /// Pedestrians with no grid position (seen too briefly, between two grid times), left out.
    public var droppedTracks: Int
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
    /// Decimals the frames are written with (nil when they are not short decimals, as 1/30).
    public var frameDecimals: Int? = nil
    /// Set when the file's times were interpolated onto the grid.
    public var resampling: SceneResampling? = nil
    /// How the file's pixels became meters, when they did.
    public var pixels: PixelMapping? = nil
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
        try build(parsed, file: file, options: GridOptions(frameStep: frameStep, timeStep: timeStep))
    }

    /// Builds the scene of `parsed` as `options` say.
    public static func build(_ parsed: ParsedFile, file: String, options: GridOptions) throws(ImportError) -> SceneData {
        var observations = parsed.observations
        guard !observations.isEmpty else { throw .empty(file: file) }
        // A frame of 2⁵³ or more has no exact double: neighbouring frames would merge or split.
        if let far = observations.first(where: { abs($0.frame) >= 9_007_199_254_740_992 }) {
            throw .malformedRecord(file: file, line: far.line,
                                   reason: "frame \(formatted(far.frame)) is 2^53 or more, beyond what is stored exactly; "
                                       + "renumber the frames (subtract the first one) before importing")
        }
        for (value, flag) in [(options.frameStep, "--frame-step"), (options.timeStep, "--dt"),
                              (options.resample, "--resample"), (options.maxGap, "--max-gap")] {
            if let value, !(value.isFinite && value > 0) {
                throw .invalidSetting(file: file, reason: "\(flag) must be a positive number, got \(value)")
            }
        }
        if let pixels = options.pixels, parsed.format != .obsmat {
            try toMeters(&observations, pixels, file: file)
        } else if parsed.positionsArePixels {
            throw .invalidSetting(file: file, reason: "the positions are pixels: give --scale METERS_PER_PIXEL, "
                + "--scales estimated_scales.yaml or --homography H.txt")
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
        if let frameStep = options.frameStep {
            step = frameStep
            gridDetail = "frame step \(formatted(step)) (given)"
        } else if let detected = detectStep(observations, rowsOfTrack) {
            step = shortDecimal(detected) ?? detected
            gridDetail = "frame step \(formatted(step)) (detected)"
        } else {
            step = 1
            gridDetail = "frame step 1 (assumed: no pedestrian is seen twice)"
        }
        if options.timeStep == nil, let problem = parsed.timeColumnProblem {
            throw .invalidSetting(file: file, reason: problem)
        }
        let (secondsPerStep, timeDetail) = timeBase(parsed, step: step, timeStep: options.timeStep)
        if let resample = options.resample {
            try checkDuplicates(observations, rowsOfTrack, steps: nil, file: file)
            var scene = try resampled(observations, names: names, rowsOfTrack: rowsOfTrack,
                                      secondsPerFrame: secondsPerStep / step,
                                      seconds: resample, maxGap: options.maxGap ?? 2 * resample, timeDetail: timeDetail,
                                      file: file)
            scene.pixels = options.pixels
            return scene
        }
        let origin = observations.lazy.map(\.frame).min()!

        // Every frame on the grid; report the earliest line that is not.
        var steps = [Int](repeating: 0, count: observations.count)
        var offGrid: [Int] = []
        for (row, observation) in observations.enumerated() {
            let k = (observation.frame - origin) / step
            guard k < 1e12 else {
                throw .malformedRecord(file: file, line: observation.line,
                                       reason: "frame \(formatted(observation.frame)) is more than 10^12 steps "
                                           + "after the first frame \(formatted(origin))")
            }
            let rounded = k.rounded()
            if abs(k - rounded) > 1e-3 { offGrid.append(row) }
            steps[row] = Int(rounded)
        }
        if let first = offGrid.min(by: { observations[$0].line < observations[$1].line }) {
            let observation = observations[first]
            // Times in seconds, or many rows off the grid: irregular times (a tracker's jitter, or
            // annotation restarted at another phase), not a wrong step.
            if parsed.frameIsSeconds || (offGrid.count >= 10 && offGrid.count * 10 >= observations.count) {
                throw .irregularTimes(file: file, line: observation.line, frame: formatted(observation.frame),
                                      offGrid: offGrid.count, rows: observations.count, step: formatted(step))
            }
            throw .offGrid(file: file, line: observation.line, frame: formatted(observation.frame),
                           origin: formatted(origin), step: formatted(step))
        }
        try checkDuplicates(observations, rowsOfTrack, steps: steps, file: file)

        let tracks = zip(names, rowsOfTrack).map { name, rows in
            Track(pedestrian: name, points: rows.map {
                TrackPoint(step: steps[$0], x: observations[$0].x, y: observations[$0].y)
            })
        }
        let decimals = shortDecimalDigits(origin).flatMap { a in shortDecimalDigits(step).map { max(a, $0) } }
        return SceneData(frameOrigin: origin, frameStep: step, timeStep: secondsPerStep,
                         gridDetail: gridDetail + timeDetail, tracks: tracks, frameDecimals: decimals,
                         pixels: options.pixels)
    }

    /// Seconds per step, and how they were found: `--dt`, a time column, the file's fps, the
    /// format's annotation rate, or ETH/UCY's 25 frame ids per second.
    static func timeBase(_ parsed: ParsedFile, step: Double, timeStep: Double?) -> (Double, String) {
        if let timeStep {
            return (timeStep, ", dt \(formatted(timeStep)) s (given)")
        } else if parsed.frameIsSeconds {
            return (step, ", dt \(formatted(step)) s (the frame column is in seconds)")
        } else if let (perFrame, column) = parsed.secondsPerFrame {
            let seconds = shortDecimal(step * perFrame).flatMap { $0 > 0 ? $0 : nil } ?? step * perFrame
            return (seconds, ", dt \(formatted(seconds)) s (from the '\(column)' column: its seconds per frame id)")
        } else if let fps = parsed.framesPerSecond {
            // TrajNet++'s fps counts steps per second; the Stanford Drone videos' counts frame ids.
            let seconds = parsed.format == .sdd ? step / fps : 1 / fps
            return (seconds, ", dt \(formatted(seconds)) s (from the file's \(formatted(fps)) fps)")
        } else if let seconds = parsed.annotationSeconds {
            return (seconds, ", dt \(formatted(seconds)) s (annotated every \(formatted(seconds)) s)")
        }
        let seconds = step / conventionalFramesPerSecond
        return (seconds, ", dt \(formatted(seconds)) s (25 frame ids per second, the ETH/UCY convention)")
    }

    /// No pedestrian twice at one step (or one frame when `steps` is nil); reports the earliest repeated line.
    static func checkDuplicates(_ observations: [Observation], _ rowsOfTrack: [[Int]], steps: [Int]?, file: String)
        throws(ImportError)
    {
        var duplicate: (line: Int, first: Int, row: Int)?
        for rows in rowsOfTrack {
            for (a, b) in zip(rows, rows.dropFirst())
            where steps.map({ $0[a] == $0[b] }) ?? (observations[a].frame == observations[b].frame) {
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
    }

    /// The scene of observations at irregular times, interpolated onto a grid of `seconds`.
    static func resampled(_ observations: [Observation], names: [String], rowsOfTrack: [[Int]], secondsPerFrame: Double,
                          seconds: Double, maxGap: Double, timeDetail: String, file: String) throws(ImportError)
        -> SceneData
    {
        // A grid time within a millionth of a step of an observation takes its position: with a step of
        // 10³⁰⁰ s that reached 1.7·10⁹ s back to time 0, a position where no one was seen.
        guard seconds <= longestResampleStep else {
            throw .invalidSetting(file: file, reason: "--resample \(formatted(seconds)) s is longer than a day "
                + "(\(formatted(longestResampleStep)) s): a walk is not seen on a grid that coarse")
        }
        // The grid in frame units; whole frame ids stay whole (0.6667 s of a 15 fps video is 10 frames).
        var gridStep = seconds / secondsPerFrame
        let integralFrames = observations.allSatisfy { $0.frame == $0.frame.rounded() }
        if integralFrames, gridStep >= 1, abs(gridStep - gridStep.rounded()) <= 1e-4 * gridStep {
            gridStep = gridStep.rounded()
        } else if let decimal = shortDecimal(gridStep), decimal > 0 {
            // (A step below 10⁻⁹ has no short decimal but 0: kept, and refused below as too many positions.)
            gridStep = decimal
        }
        let resampler = Resampler(gridStep: gridStep, origin: 0, maxGap: maxGap / secondsPerFrame)
        // At most how many positions the grid makes (each interval interpolated across, with its
        // ends): a step far below the file's own would fill the memory, so it is refused first.
        var gridPoints = 0.0
        for rows in rowsOfTrack {
            gridPoints += Double(rows.count)
            for (a, b) in zip(rows, rows.dropFirst()) {
                let interval = observations[b].frame - observations[a].frame
                if interval <= resampler.maxGap { gridPoints += interval / gridStep }
            }
        }
        let gridLimit = max(1e7, 100 * Double(observations.count))
        guard gridPoints <= gridLimit else {
            throw .invalidSetting(file: file, reason: "--resample \(formatted(seconds)) s would make about "
                + "\(formatted(gridPoints.rounded(.up))) positions of \(observations.count) rows (at most "
                + "\(formatted(gridLimit))): resample onto a longer step, or a shorter --max-gap")
        }
        var summary = resampler.emptySummary()
        var tracks: [Track] = []
        var dropped = 0
        for (name, rows) in zip(names, rowsOfTrack) {
            let segments = resampler.resample(rows.lazy.map {
                TimedPosition(time: observations[$0].frame, x: observations[$0].x, y: observations[$0].y)
            }, summary: &summary)
            if segments.isEmpty {
                dropped += 1
            } else {
                tracks.append(Track(pedestrian: name, points: segments.flatMap(\.points)))
            }
        }
        // Grid indices count from 0 (or from the first pedestrian's first one); steps start at 0.
        let first = tracks.lazy.map { $0.points[0].step }.min() ?? 0
        for t in tracks.indices {
            for p in tracks[t].points.indices { tracks[t].points[p].step -= first }
        }
        let decimals = shortDecimalDigits(gridStep)
        var origin = Double(first) * gridStep
        if let decimals { origin = rounded(origin, decimals: decimals) }
        let detail = "resampled onto a step of \(formatted(seconds)) s (\(formatted(gridStep)) frame units)"
            + timeDetail.replacingOccurrences(", dt", with: "; source dt")
        return SceneData(frameOrigin: origin, frameStep: gridStep, timeStep: seconds, gridDetail: detail, tracks: tracks,
                         frameDecimals: decimals,
                         resampling: SceneResampling(step: seconds, maxGap: maxGap, summary: summary, secondsPerFrame: secondsPerFrame,
                                                     droppedTracks: dropped))
    }

    /// Maps every position from pixels to meters; a point sent beyond a storable number (a homography's
    /// horizon, a scale too large) is an error.
    static func toMeters(_ observations: inout [Observation], _ pixels: PixelMapping, file: String) throws(ImportError) {
        for i in observations.indices {
            let (x, y) = pixels.world(u: observations[i].x, v: observations[i].y)
            guard isStorable(x), isStorable(y) else {
                let why: String
                if case let .scale(metersPerPixel) = pixels {
                    why = "× \(formatted(metersPerPixel)) m per pixel is beyond what a position can hold (±3.4e38 m)"
                } else {
                    why = "maps to no finite position with this homography (it is on its horizon)"
                }
                throw .malformedRecord(file: file, line: observations[i].line,
                                       reason: "pixel (\(formatted(observations[i].x)), \(formatted(observations[i].y))) " + why)
            }
            observations[i].x = x
            observations[i].y = y
        }
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

/// The fewest decimals (0…9) that write `value` within 10⁻⁹ of it (relative), or nil: 0.4 for
/// 0.40000000000003616 (a step averaged from times written with one decimal), nil for 1/30.
public func shortDecimalDigits(_ value: Double) -> Int? {
    guard value.isFinite, abs(value) < 1e12 else { return nil }
    for digits in 0...9 where abs(rounded(value, decimals: digits) - value) <= 1e-9 * max(1, abs(value)) {
        return digits
    }
    return nil
}

/// The longest resampling step, in seconds: a day.
public let longestResampleStep = 86_400.0

/// `value` as the nearest double to its short decimal form, when it has one (see `shortDecimalDigits`).
public func shortDecimal(_ value: Double) -> Double? {
    shortDecimalDigits(value).map { rounded(value, decimals: $0) }
}

/// `value` rounded to `decimals` decimals: the double nearest the decimal number (one correctly
/// rounded division), so 31 × 0.4 = 12.400000000000002 becomes the 12.4 a file writes.
public func rounded(_ value: Double, decimals: Int) -> Double {
    let scale = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9][decimals]
    return (value * scale).rounded() / scale
}

/// A number for messages: integral values without a fraction (`780`, not `780.0`).
public func formatted(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
}
