// The resampler against closed forms: a walker on a straight line at constant speed is where
// linear interpolation says at every grid time, whatever the source's rate, jitter or drops;
// splits at long gaps, no extrapolation, exact observations on grid times, live = batch.
import TestSupport
import Testing
@testable import TrajectoryData

/// A walker at constant velocity: x = 3 + 1.2 t, y = −0.5 t.
private func straight(_ t: Double) -> TimedPosition { TimedPosition(time: t, x: 3 + 1.2 * t, y: -0.5 * t) }

private func allPoints(_ segments: [ResampledSegment]) -> [TrackPoint] { segments.flatMap(\.points) }

@Suite struct ResamplingTests {
    @Test func thirtyFramesPerSecondOntoPointFourSeconds() {
        // 10 s at 30 fps on a curved path: every 12th frame is a grid time, taken exactly.
        let observations = (0...300).map { k -> TimedPosition in
            let t = Double(k) / 30
            return TimedPosition(time: t, x: t * t, y: (t * 1.7).squareRoot())
        }
        var summary = Resampler(gridStep: 0.4, maxGap: 0.8).emptySummary()
        let segments = Resampler(gridStep: 0.4, maxGap: 0.8).resample(observations, summary: &summary)
        #expect(segments.count == 1)
        #expect(segments[0].firstIndex == 0)
        #expect(segments[0].points.map(\.step) == Array(0...25))
        for point in segments[0].points {
            let observation = observations[point.step * 12]
            #expect(point.x == observation.x && point.y == observation.y)
        }
        #expect(summary.observations == 301 && summary.gridPoints == 26 && summary.interpolated == 0)
        #expect(summary.splits == 0 && summary.disordered == 0)
        #expect(abs(summary.sourceStep! - 1.0 / 30) <= 0.4e-4)
        #expect(summary.jitter! <= 1e-4)   // within the counting resolution (0.4 s × 1e-4) of 0
    }

    @Test func jitteredTimestampsInterpolateExactlyOnAStraightWalk() {
        var random = SplitMix(state: 7)
        let observations = (0...300).map { k in straight(Double(k) / 30 + random.uniform(-0.01, 0.01)) }
        var summary = Resampler(gridStep: 0.4, maxGap: 0.8).emptySummary()
        let points = allPoints(Resampler(gridStep: 0.4, maxGap: 0.8).resample(observations, summary: &summary))
        // The first observation is after 0 or not, so the grid starts at index 0 or 1; it ends
        // before the last observation (about 10 s).
        #expect(points.first!.step <= 1 && (points.last!.step == 24 || points.last!.step == 25))
        #expect(zip(points, points.dropFirst()).allSatisfy { $1.step == $0.step + 1 })
        for point in points {
            let truth = straight(Double(point.step) * 0.4)
            #expect(abs(point.x - truth.x) < 1e-9 && abs(point.y - truth.y) < 1e-9)
        }
        #expect(summary.interpolated == points.count)
        #expect(abs(summary.sourceStep! - 1.0 / 30) < 0.002)
        // Intervals of two timestamps jittered by ±10 ms stray by up to 20 ms.
        #expect(summary.jitter! > 0.01 && summary.jitter! < 0.02)
    }

    @Test func droppedFramesAreBridgedWithinTheMaximumGap() {
        var random = SplitMix(state: 3)
        // Drop 40 % of the frames, never 0 or 300; gaps stay far below 0.8 s with this seed.
        let observations = (0...300).filter { $0 == 0 || $0 == 300 || random.uniform(0, 1) > 0.4 }
            .map { straight(Double($0) / 30) }
        var summary = Resampler(gridStep: 0.4, maxGap: 0.8).emptySummary()
        let points = allPoints(Resampler(gridStep: 0.4, maxGap: 0.8).resample(observations, summary: &summary))
        #expect(points.map(\.step) == Array(0...25))
        for point in points {
            let truth = straight(Double(point.step) * 0.4)
            #expect(abs(point.x - truth.x) < 1e-9 && abs(point.y - truth.y) < 1e-9)
        }
        #expect(summary.splits == 0 && summary.interpolated > 0 && summary.interpolated < 26)
        #expect(abs(summary.sourceStep! - 1.0 / 30) <= 0.4e-4)
        #expect(summary.jitter! <= 1e-4)   // a dropped frame is a whole multiple of the step, not jitter
    }

    @Test func aGapOfExactlyTheMaximumIsBridgedWhateverTheRounding() {
        // One dropped 0.4 s frame at the default maximum of two steps: 3 × 0.4 − 0.4 is
        // 0.8000000000000003 in doubles, which is still the maximum, not beyond it.
        let times = [0, 0.4, 3 * 0.4, 4 * 0.4]
        #expect(times[2] - times[1] > 0.8)
        var summary = Resampler(gridStep: 0.4, maxGap: 0.8).emptySummary()
        let segments = Resampler(gridStep: 0.4, maxGap: 0.8).resample(times.map(straight), summary: &summary)
        #expect(segments.map { $0.points.map(\.step) } == [Array(0...4)])
        #expect(summary.splits == 0 && summary.interpolated == 1)
    }

    @Test func aGapLongerThanTheMaximumSplitsTheTrack() {
        // 10 Hz from 0 to 2 s, nothing until 3 s, 10 Hz again to 5 s.
        let times = (0...20).map { Double($0) / 10 } + (30...50).map { Double($0) / 10 }
        var summary = Resampler(gridStep: 0.4, maxGap: 0.5).emptySummary()
        let segments = Resampler(gridStep: 0.4, maxGap: 0.5).resample(times.map(straight), summary: &summary)
        #expect(segments.map { $0.points.map(\.step) } == [Array(0...5), Array(8...12)])
        #expect(summary.splits == 1)
        // The same gap within a longer maximum is interpolated across.
        let bridged = Resampler(gridStep: 0.4, maxGap: 1.0).resample(times.map(straight))
        #expect(bridged.map { $0.points.map(\.step) } == [Array(0...12)])
        for point in bridged[0].points {
            #expect(abs(point.x - straight(Double(point.step) * 0.4).x) < 1e-9)
        }
    }

    @Test func aSplitAlwaysLeavesAMissingIndex() {
        // A maximum gap below the grid step: 0 → 0.35 s is a split, yet 0.4 falls between 0.35 and
        // 0.45 and would make indices 0 and 1 look contiguous.
        var summary = Resampler(gridStep: 0.4, maxGap: 0.15).emptySummary()
        let segments = Resampler(gridStep: 0.4, maxGap: 0.15)
            .resample([0, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85].map(straight), summary: &summary)
        #expect(segments.map { $0.points.map(\.step) } == [[0], [2]])
        #expect(summary.splits == 1)
    }

    @Test func neverExtrapolates() {
        let segments = Resampler(gridStep: 0.4, maxGap: 1).resample([0.1, 0.5, 0.9, 1.1].map(straight))
        #expect(allPoints(segments).map(\.step) == [1, 2])
        // One observation off the grid gives nothing; on the grid, itself.
        #expect(Resampler(gridStep: 0.4, maxGap: 1).resample([straight(0.3)]).isEmpty)
        #expect(Resampler(gridStep: 0.4, maxGap: 1).resample([straight(0.8)])
                == [ResampledSegment(points: [TrackPoint(step: 2, x: straight(0.8).x, y: straight(0.8).y)])])
    }

    @Test func gridTimesWithinToleranceTakeTheObservation() {
        // 12.4 s written in a file and 31 × 0.4 differ in the last bit; origin 0.1 shifts the grid.
        let written = TimedPosition(time: 12.4, x: 7, y: 8)
        let segments = Resampler(gridStep: 0.4, maxGap: 1)
            .resample([TimedPosition(time: 12.0, x: 0, y: 0), written, TimedPosition(time: 12.9, x: 1, y: 1)])
        #expect(Array(segments[0].points.prefix(2)) == [TrackPoint(step: 30, x: 0, y: 0), TrackPoint(step: 31, x: 7, y: 8)])
        // 12.8 s is 0.8 of the way from 12.4 to 12.9.
        #expect(segments[0].points.count == 3 && segments[0].points[2].step == 32)
        #expect(abs(segments[0].points[2].x - 2.2) < 1e-12 && abs(segments[0].points[2].y - 2.4) < 1e-12)
        let shifted = Resampler(gridStep: 0.4, origin: 0.1, maxGap: 1).resample([0.1, 0.5, 0.7].map(straight))
        #expect(shifted[0].firstIndex == 0 && shifted[0].points.map(\.step) == [0, 1])
        #expect(Resampler(gridStep: 0.4, origin: 0.1, maxGap: 1).time(ofIndex: 3) == 0.1 + 3 * 0.4)
    }

    @Test func disorderedObservationsArePassedOver() {
        var summary = Resampler(gridStep: 1, maxGap: 2).emptySummary()
        let points = allPoints(Resampler(gridStep: 1, maxGap: 2).resample(
            [0, 1, 1, 0.5, .nan, 2].map(straight), summary: &summary))
        #expect(points.map(\.step) == [0, 1, 2])
        #expect(summary.disordered == 3 && summary.observations == 6)
    }

    @Test func liveAppendEqualsBatch() {
        var random = SplitMix(state: 11)
        var time = 0.0
        let observations = (0..<500).map { _ -> TimedPosition in
            time += random.uniform(0.01, 0.3) + (random.uniform(0, 1) < 0.03 ? 1.5 : 0)
            return TimedPosition(time: time, x: random.uniform(-1, 1), y: random.uniform(-1, 1))
        }
        let resampler = Resampler(gridStep: 0.4, origin: -0.05, maxGap: 0.9)
        var batchSummary = resampler.emptySummary()
        let batch = resampler.resample(observations, summary: &batchSummary)
        var agent = Resampler.Agent(resampler)
        var live: [[TrackPoint]] = []
        for observation in observations {
            agent.append(observation) { point, split in
                if split || live.isEmpty { live.append([]) }
                live[live.count - 1].append(point)
            }
        }
        #expect(batch.map(\.points) == live)
        #expect(agent.summary == batchSummary)
        // A segment of one observation off the grid emits nothing, so there may be fewer segments.
        #expect(batch.count > 5 && batch.count <= batchSummary.splits + 1)
        // Segments are separated by at least one missing index.
        #expect(zip(batch, batch.dropFirst()).allSatisfy { $1.firstIndex >= $0.points.last!.step + 2 })
    }

    @Test func summariesMerge() {
        let resampler = Resampler(gridStep: 0.4, maxGap: 0.8)
        var a = resampler.emptySummary(), b = resampler.emptySummary(), both = resampler.emptySummary()
        let first = (0...30).map { straight(Double($0) / 30) }, second = (0...30).map { straight(Double($0) / 10) }
        _ = resampler.resample(first, summary: &a)
        _ = resampler.resample(second, summary: &b)
        _ = resampler.resample(first, summary: &both)
        _ = resampler.resample(second, summary: &both)
        a += b
        #expect(a == both)
        #expect(a.observations == 62)
    }
}
