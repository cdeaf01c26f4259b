// Puts one agent's observations, taken at a tracker's own times (30 fps, jittered timestamps,
// dropped frames), onto a regular grid by linear interpolation. The one set of rules shared by
// `import --resample` and live prediction: interpolate between consecutive observations only,
// never across an interval longer than the maximum gap (the track is split there), never
// extrapolate beyond the first or last observation. Pure; no I/O, no validation of files.

/// A time and a position of one agent, as a tracker reports it. Times are in any unit (seconds for
/// a tracker, frame ids for a file), the same as the grid's.
public struct TimedPosition: Equatable, Sendable {
    public var time: Double
    public var x: Double
    public var y: Double

    public init(time: Double, x: Double, y: Double) {
        self.time = time
        self.x = x
        self.y = y
    }
}

/// A contiguous run of grid positions of one agent; `points[i].step` is the grid index
/// `points[0].step + i` (grid time `origin + step × gridStep`).
public struct ResampledSegment: Equatable, Sendable {
    public var points: [TrackPoint]

    public init(points: [TrackPoint]) { self.points = points }

    /// The grid index of the first point.
    public var firstIndex: Int { points[0].step }
}

/// What resampling did, summed over the agents it saw (`+=` merges two summaries).
public struct ResamplingSummary: Equatable, Sendable {
    /// Observations read.
    public var observations = 0
    /// Grid positions written, interpolated or exact.
    public var gridPoints = 0
    /// Grid positions computed between two observations (the others coincide with an observation).
    public var interpolated = 0
    /// Intervals longer than the maximum gap, where a track was split.
    public var splits = 0
    /// Observations passed over because their time was not finite or not after the previous one
    /// (a caller that validates first, as `import` does, never has any).
    public var disordered = 0
    /// Observation intervals no longer than the maximum gap, counted by length in units of the
    /// histogram's resolution (`gridStep × 1e-4`), for the source step and jitter.
    public var intervalCounts: [Int64: Int] = [:]
    /// Length of one unit of `intervalCounts`' keys.
    public var intervalResolution: Double

    public init(intervalResolution: Double) { self.intervalResolution = intervalResolution }

    /// The median interval between consecutive observations (gaps excluded): the source's step,
    /// within `intervalResolution`. nil when no agent was seen twice.
    public var sourceStep: Double? {
        quantile(0.5, of: intervalCounts.map { (Double($0.key) * intervalResolution, $0.value) })
    }

    /// How far the intervals stray from the source step: the 95th percentile of the distance of an
    /// interval to the nearest whole multiple of `sourceStep` (so a dropped frame is not jitter).
    /// 0 for a regular source, about twice the timestamps' own jitter otherwise.
    public var jitter: Double? {
        guard let step = sourceStep, step > 0 else { return nil }
        return quantile(0.95, of: intervalCounts.map { key, count in
            let interval = Double(key) * intervalResolution
            return (abs(interval - max(1, (interval / step).rounded()) * step), count)
        })
    }

    /// Adds the counts of `other` (same resolution) to `summary`.
    public static func += (summary: inout ResamplingSummary, other: ResamplingSummary) {
        summary.observations += other.observations
        summary.gridPoints += other.gridPoints
        summary.interpolated += other.interpolated
        summary.splits += other.splits
        summary.disordered += other.disordered
        summary.intervalCounts.merge(other.intervalCounts, uniquingKeysWith: +)
    }

    /// The smallest value with at least `fraction` of the total count at or below it.
    private func quantile(_ fraction: Double, of counts: [(value: Double, count: Int)]) -> Double? {
        let total = counts.reduce(0) { $0 + $1.count }
        guard total > 0 else { return nil }
        var seen = 0
        for (value, count) in counts.sorted(by: { $0.value < $1.value }) {
            seen += count
            if Double(seen) >= fraction * Double(total) { return value }
        }
        return nil
    }
}

/// The grid and the gap rule; `resample(_:)` does one agent in batch, `Resampler.Agent` the same
/// one observation at a time (a live tracker).
///
/// Grid times are `origin + n × gridStep` for every integer n, so agents resampled with the same
/// origin share the grid. A grid time t with observations a, b around it (a.time ≤ t ≤ b.time,
/// b.time − a.time ≤ maxGap, within `tolerance`) gets `a + (t − a.time) / (b.time − a.time) × (b − a)`; a grid time
/// within `tolerance` of an observation's time gets that observation's position exactly. Segments
/// of one agent are separated by at least one missing grid index, so a run of consecutive indices
/// never crosses a split.
public struct Resampler: Equatable, Sendable {
    public var gridStep: Double
    public var origin: Double
    public var maxGap: Double

    /// Times this close are the same time: `gridStep × 1e-6` (0.4 µs on a 0.4 s grid), far above
    /// the rounding of `origin + n × gridStep` and far below any tracker's jitter.
    public var tolerance: Double { gridStep * 1e-6 }

    /// `gridStep` and `maxGap` must be positive and finite, `origin` finite (checked by callers
    /// that take them from a user; here a precondition).
    public init(gridStep: Double, origin: Double = 0, maxGap: Double) {
        precondition(gridStep > 0 && gridStep.isFinite && origin.isFinite && maxGap > 0 && maxGap.isFinite,
                     "Resampler needs a positive grid step and maximum gap and a finite origin")
        self.gridStep = gridStep
        self.origin = origin
        self.maxGap = maxGap
    }

    /// The time of grid index `n`.
    @inline(__always)
    public func time(ofIndex n: Int) -> Double { origin + Double(n) * gridStep }

    /// The first grid index whose time is not before `time − tolerance`.
    @inline(__always)
    public func firstIndex(notBefore time: Double) -> Int {
        Int(((time - origin) / gridStep - 1e-6).rounded(.up))
    }

    /// An empty summary with this grid's interval resolution.
    public func emptySummary() -> ResamplingSummary { ResamplingSummary(intervalResolution: gridStep * 1e-4) }

    /// The grid segments of one agent's observations, sorted by time (a point not strictly after
    /// the previous one, or with a non-finite time, is passed over and counted as disordered).
    /// Adds what it did to `summary`.
    public func resample<Points: Sequence>(_ observations: Points, summary: inout ResamplingSummary)
        -> [ResampledSegment] where Points.Element == TimedPosition
    {
        var agent = Agent(self)
        var segments: [ResampledSegment] = []
        var current: [TrackPoint] = []
        for observation in observations {
            agent.append(observation) { point, split in
                if split, !current.isEmpty {
                    segments.append(ResampledSegment(points: current))
                    current = []
                }
                current.append(point)
            }
        }
        if !current.isEmpty { segments.append(ResampledSegment(points: current)) }
        summary += agent.summary
        return segments
    }

    /// `resample(_:summary:)` without a summary.
    public func resample<Points: Sequence>(_ observations: Points) -> [ResampledSegment]
        where Points.Element == TimedPosition
    {
        var summary = emptySummary()
        return resample(observations, summary: &summary)
    }

    /// One agent resampled as its observations arrive: each `append` emits the grid points that
    /// the new observation settles (those up to its time), so a live caller holds no history
    /// beyond the previous observation.
    public struct Agent: Sendable {
        public let resampler: Resampler
        /// The last observation taken.
        public private(set) var last: TimedPosition?
        /// The next grid index to emit.
        public private(set) var nextIndex = Int.min
        /// The last grid index emitted, if any.
        public private(set) var lastEmitted: Int?
        /// True from a split until the next point is emitted.
        private var splitPending = false
        private var counted: ResamplingSummary
        // Run-length counting of intervals: most consecutive intervals fall in one bucket.
        private var runKey: Int64 = 0, runCount = 0

        public init(_ resampler: Resampler) {
            self.resampler = resampler
            counted = resampler.emptySummary()
        }

        /// What this agent's resampling did so far.
        public var summary: ResamplingSummary {
            var summary = counted
            if runCount > 0 { summary.intervalCounts[runKey, default: 0] += runCount }
            return summary
        }

        /// Takes the next observation; calls `emit(point, split)` for each grid point it settles, in
        /// order, with `split` true for the first point after a gap longer than the maximum.
        public mutating func append(_ observation: TimedPosition, emit: (TrackPoint, _ split: Bool) -> Void) {
            counted.observations += 1
            let time = observation.time
            guard time.isFinite, last.map({ time > $0.time }) ?? true else {
                counted.disordered += 1
                return
            }
            defer { last = observation }
            let grid = resampler
            guard let previous = last, time - previous.time <= grid.maxGap + grid.tolerance else {
                // The first observation, or the first after a split: a new segment starts here,
                // at least two indices after the last one emitted so the split stays visible.
                if last != nil {
                    counted.splits += 1
                    splitPending = lastEmitted != nil
                }
                nextIndex = max(grid.firstIndex(notBefore: time), (lastEmitted ?? Int.min + 1) + 2)
                if abs(grid.time(ofIndex: nextIndex) - time) <= grid.tolerance {
                    emitPoint(TrackPoint(step: nextIndex, x: observation.x, y: observation.y), emit)
                }
                return
            }
            let span = time - previous.time
            countInterval(span)
            while true {
                let t = grid.time(ofIndex: nextIndex)
                if t > time + grid.tolerance { break }
                if abs(t - time) <= grid.tolerance {
                    emitPoint(TrackPoint(step: nextIndex, x: observation.x, y: observation.y), emit)
                } else {
                    let w = (t - previous.time) / span
                    counted.interpolated += 1
                    emitPoint(TrackPoint(step: nextIndex, x: previous.x + w * (observation.x - previous.x),
                                         y: previous.y + w * (observation.y - previous.y)), emit)
                }
            }
        }

        private mutating func emitPoint(_ point: TrackPoint, _ emit: (TrackPoint, Bool) -> Void) {
            let split = splitPending
            splitPending = false
            lastEmitted = point.step
            nextIndex = point.step + 1
            counted.gridPoints += 1
            emit(point, split)
        }

        private mutating func countInterval(_ interval: Double) {
            let key = Int64((interval / counted.intervalResolution).rounded())
            if key != runKey {
                if runCount > 0 { counted.intervalCounts[runKey, default: 0] += runCount }
                (runKey, runCount) = (key, 0)
            }
            runCount += 1
        }
    }
}
