// Windows and features: cut at gaps, stride 1; inputs computed from observed steps only (changing
// the future changes no input feature); rotation is a rotation.
import NNCore
import Testing
import TrajectoryData
@testable import TrajectoryModel

func straightTrack(_ name: String, steps: ClosedRange<Int>, velocity: SIMD2<Double> = [0.5, 0.1]) -> Track {
    Track(pedestrian: name, points: steps.map { TrackPoint(step: $0, x: 1 + velocity.x * Double($0), y: 2 + velocity.y * Double($0)) })
}

/// The CVAE's past features of `encoder` (positions for mlp, positions and differences for gru).
func past(_ windows: WindowSet, _ indices: ArraySlice<Int>, encoder: PastEncoder, angles: [Float]? = nil,
          mirror: [Float]? = nil, into x: inout [Float]) {
    var rng = Xoshiro256(seed: 0)
    let model = TrajectoryCVAE(CVAEConfiguration(encoder: encoder, hidden: 2, latent: 1), using: &rng)
    x.withUnsafeMutableBufferPointer { x in
        func run(_ a: UnsafePointer<Float>?, _ m: UnsafePointer<Float>?) {
            model.pastFeatures(windows, indices, angles: a, mirror: m, into: x.baseAddress!)
        }
        switch (angles, mirror) {
        case let (a?, m?): a.withUnsafeBufferPointer { a in m.withUnsafeBufferPointer { run(a.baseAddress, $0.baseAddress) } }
        case let (a?, nil): a.withUnsafeBufferPointer { run($0.baseAddress, nil) }
        case let (nil, m?): m.withUnsafeBufferPointer { run(nil, $0.baseAddress) }
        case (nil, nil): run(nil, nil)
        }
    }
}

@Suite struct FeaturesTests {
    @Test func windowsNeverCrossAGap() {
        // Steps 0…24 then a gap, then 30…49: 25 − 20 + 1 = 6 windows, then 20 − 20 + 1 = 1.
        var track = straightTrack("7", steps: 0...24)
        track.points += straightTrack("7", steps: 30...49).points
        var windows = WindowSet()
        windows.add([track, straightTrack("8", steps: 3...21)], scene: 4)
        #expect(windows.count == 7)
        #expect(windows.sources.map(\.lastObservedStep) == [7, 8, 9, 10, 11, 12, 37])
        #expect(windows.sources.allSatisfy { $0.scene == 4 && $0.pedestrian == "7" })
        // The last observed position is the origin; positions are relative to it.
        let origin: SIMD2<Double> = SIMD2(1 + 0.5 * 7, 2 + 0.1 * 7)
        #expect(windows.origins[0] == origin)
        #expect(Array(windows.observedPositions(0).suffix(2)) == [0, 0])
        #expect(abs(windows.futurePositions(0).first! - 0.5) < 1e-6)
    }

    @Test(arguments: [PastEncoder.mlp, .gru])
    func noFeatureSeesTheFuture(encoder: PastEncoder) {
        var windows = WindowSet()
        windows.add([straightTrack("1", steps: 0...30)], scene: 0)
        var rng = Xoshiro256(seed: 1)
        let indices = Array(0..<windows.count)[...]
        let angles = (0..<windows.count).map { _ in rng.uniform(0, 6.28) }
        let size = CVAEConfiguration(encoder: encoder).pastSize * windows.count
        var before = [Float](repeating: 0, count: size), after = before, rotatedBefore = before, rotatedAfter = before
        past(windows, indices, encoder: encoder, into: &before)
        past(windows, indices, encoder: encoder, angles: angles, into: &rotatedBefore)
        for n in 0..<windows.count {
            windows.setFuture(n, (0..<24).map { _ in rng.uniform(-50, 50) })
        }
        past(windows, indices, encoder: encoder, into: &after)
        past(windows, indices, encoder: encoder, angles: angles, into: &rotatedAfter)
        #expect(before == after)
        #expect(rotatedBefore == rotatedAfter)
        // And the target does change: the test would notice a future that is not read at all.
        var y = [Float](repeating: 0, count: 24 * windows.count)
        Features.future(windows, indices, into: &y)
        #expect(y.contains { abs($0) > 1 })
    }

    @Test func gruFeaturesAreBackwardDifferences() {
        var windows = WindowSet()
        windows.add([straightTrack("1", steps: 0...19, velocity: [0.4, -0.2])], scene: 0)
        var x = [Float](repeating: 0, count: 8 * 4)
        past(windows, [0], encoder: .gru, into: &x)
        // Step 0: position (−2.8, 1.4) relative to step 7, no difference yet; later steps move by (0.4, −0.2).
        let first: [Float] = Array(x[0..<4])
        #expect(abs(first[0] + 2.8) < 1e-5)
        #expect(abs(first[1] - 1.4) < 1e-5)
        #expect(first[2] == 0 && first[3] == 0)
        for t in 1..<8 {
            let dx: Float = x[t * 4 + 2], dy: Float = x[t * 4 + 3]
            #expect(abs(dx - 0.4) < 1e-5)
            #expect(abs(dy + 0.2) < 1e-5)
        }
        let last: Float = abs(x[28]) + abs(x[29])
        #expect(last < 1e-6)
    }

    @Test func mirroringNegatesY() {
        var windows = WindowSet()
        windows.add([straightTrack("1", steps: 0...19, velocity: [0.4, 0.3])], scene: 0)
        var plain = [Float](repeating: 0, count: 16), mirrored = plain
        past(windows, [0], encoder: .mlp, into: &plain)
        past(windows, [0], encoder: .mlp, mirror: [-1], into: &mirrored)
        for t in 0..<8 {
            #expect(mirrored[2 * t] == plain[2 * t])
            #expect(mirrored[2 * t + 1] == -plain[2 * t + 1])
        }
        var future = [Float](repeating: 0, count: 24), mirroredFuture = future
        Features.future(windows, [0], into: &future)
        Features.future(windows, [0], mirror: [-1], into: &mirroredFuture)
        #expect(mirroredFuture == future.enumerated().map { $0.offset % 2 == 1 ? -$0.element : $0.element })
    }

    @Test func rotationPreservesDistances() {
        var windows = WindowSet()
        windows.add([straightTrack("1", steps: 0...19)], scene: 0)
        var plain = [Float](repeating: 0, count: 24), rotated = plain
        Features.future(windows, [0], into: &plain)
        Features.future(windows, [0], angles: [1.0], into: &rotated)
        for t in 0..<12 {
            let a: SIMD2<Float> = SIMD2(plain[2 * t], plain[2 * t + 1])
            let b: SIMD2<Float> = SIMD2(rotated[2 * t], rotated[2 * t + 1])
            let difference: Float = (a * a).sum() - (b * b).sum()
            #expect(abs(difference) < 1e-4)
        }
        #expect(rotated != plain)
    }
}

@Suite struct SceneContextTests {
    /// Walker "1" and two others: "2" present throughout, "3" only from step 5 on.
    func scene() -> [Track] {
        [straightTrack("1", steps: 0...30), straightTrack("2", steps: 0...30, velocity: [-0.3, 0.2]),
         straightTrack("3", steps: 5...30, velocity: [0.1, 0.6])]
    }

    func context(_ windows: WindowSet, _ n: Int) -> [[PresentAgent]] {
        (0..<windows.observed).map { windows.neighbours(of: n, atObservedStep: $0) }
    }

    @Test func neighboursAreTheOthersAtTheObservedSteps() {
        var windows = WindowSet()
        windows.add(scene(), scene: 0)
        // Window 0 of walker 1 observes steps 0…7: walker 2 at every step, walker 3 from step 5.
        let first = context(windows, 0)
        #expect(first.map { $0.map(\.agent) } == [[1], [1], [1], [1], [1], [1, 2], [1, 2], [1, 2]])
        // Positions relative to the window's origin (walker 1 at step 7).
        let origin = windows.origins[0]
        let expected = SIMD2(1 - 0.3 * 7.0, 2 + 0.2 * 7.0) - origin
        #expect(abs(first[7][0].position.x - expected.x) < 1e-9 && abs(first[7][0].position.y - expected.y) < 1e-9)
    }

    @Test func noNeighbourFeatureSeesTheFuture() {
        var windows = WindowSet()
        windows.add(scene(), scene: 0)
        let before = (0..<windows.count).map { context(windows, $0) }
        // Move every future position, the walkers' own and their neighbours', far away: the windows
        // built from the changed tracks have the same context, window by window.
        var rng = Xoshiro256(seed: 3)
        for n in 0..<windows.count {
            let last = windows.sources[n].lastObservedStep
            var moved = scene()
            for a in moved.indices {
                for i in moved[a].points.indices where moved[a].points[i].step > last {
                    moved[a].points[i].x += Double(rng.uniform(-100, 100))
                    moved[a].points[i].y += Double(rng.uniform(-100, 100))
                }
            }
            var changed = WindowSet()
            changed.add(moved, scene: 0)
            #expect(changed.sources[n] == windows.sources[n])
            #expect(context(changed, n) == before[n], "window \(n)")
        }
        // And an observed position of a neighbour does change it: the test can fail.
        var moved = scene()
        moved[1].points[3].x += 1
        var changed = WindowSet()
        changed.add(moved, scene: 0)
        #expect(context(changed, 0) != before[0])
    }

    @Test func sparseStepsKeepMemoryToThePositions() {
        // One walker seen again a billion steps later: the context holds its 31 + 1 positions.
        var late = straightTrack("1", steps: 0...30)
        late.points.append(TrackPoint(step: 1_000_000_000, x: 7, y: 8))
        let context = SceneContext(tracks: [late, straightTrack("2", steps: 10...12)])
        #expect(context.indexedSteps == 32)
        #expect(context.present(at: 1_000_000_000) == [PresentAgent(agent: 0, position: SIMD2(7, 8))])
        #expect(context.present(at: 11).map(\.agent) == [0, 1])
        #expect(context.present(at: 500).isEmpty && context.present(at: -1).isEmpty)
        // A dense scene: one offset per step of its span.
        #expect(SceneContext(tracks: scene()).indexedSteps == 31)
    }
}
