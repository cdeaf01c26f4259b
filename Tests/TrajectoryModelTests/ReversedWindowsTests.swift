// Windows walked backwards in time (`WindowSet.addReversed`, `--reverse`): each reads its
// original's T positions in reverse order, relative to the position that is now its last observed
// one; its neighbours are the scene's at the track steps it reads; caps apply to it as to the
// originals; and the trainer trains on both when asked.
import NNCore
import Testing
import TrajectoryData
@testable import TrajectoryModel

@Suite struct ReversedWindowsTests {
    /// A walker on a curve (so a reversed walk differs from a mirrored or shifted one), and one
    /// beside it on steps 3…40.
    func scene() -> [Track] {
        let curve = Track(pedestrian: "a", points: (0...30).map {
            let t = Double($0)
            return TrackPoint(step: $0, x: 1 + 0.4 * t + 0.01 * t * t, y: -2 + 0.1 * t - 0.02 * t * t)
        })
        return [curve, straightTrack("b", steps: 3...40, velocity: [-0.3, 0.25])]
    }

    @Test func aReversedWindowReadsItsOriginalBackwards() throws {
        let tracks = scene()
        var windows = WindowSet()
        windows.add(tracks, scene: 0)
        let originals = windows.count
        let before = (0..<originals).map { windows.relativePositions($0) }
        windows.addReversed()
        #expect(windows.count == 2 * originals)
        let (T, P) = (windows.steps, windows.predicted)
        for n in 0..<originals {
            let source = windows.sources[n]
            let track = tracks[source.agent].points
            let first = track.firstIndex { $0.step == source.lastObservedStep - windows.observed + 1 }!
            let reversed = windows.relativePositions(originals + n)
            // Its last observed position is the original's position P steps after its start.
            let origin = SIMD2(track[first + P].x, track[first + P].y)
            #expect(windows.origins[originals + n] == origin)
            for t in 0..<T {
                let p = track[first + T - 1 - t]
                #expect(reversed[2 * t] == Float(p.x - origin.x) && reversed[2 * t + 1] == Float(p.y - origin.y), "window \(n) step \(t)")
            }
            let reversedSource = windows.sources[originals + n]
            #expect(reversedSource.lastObservedStep == track[first + P].step)
            #expect(reversedSource.agent == source.agent && reversedSource.pedestrian == source.pedestrian)
            // The originals read as before.
            #expect(windows.relativePositions(n) == before[n])
        }
    }

    @Test func aReversedWindowsNeighboursAreThoseOfTheStepsItReads() {
        let tracks = scene()
        var windows = WindowSet()
        windows.add(tracks, scene: 0)
        let originals = windows.count
        windows.addReversed()
        let context = SceneContext(tracks: tracks)
        var compared = 0
        for n in 0..<originals {
            let source = windows.sources[n]
            let origin = windows.origins[originals + n]
            for t in 0..<windows.observed {
                // Observed step t of the reversed walk is track step (last observed + observed − 1 − t).
                let step = windows.sources[originals + n].lastObservedStep + windows.observed - 1 - t
                let expected = context.present(at: step).filter { $0.agent != source.agent }
                    .map { PresentAgent(agent: $0.agent, position: $0.position - origin) }
                #expect(windows.neighbours(of: originals + n, atObservedStep: t) == expected)
                compared += expected.count
            }
        }
        #expect(compared > 0)
    }

    @Test func aReversedWindowKeepsItsStepsWhenItsFutureIsReplaced() {
        var windows = WindowSet()
        windows.add(scene(), scene: 0)
        let originals = windows.count
        windows.addReversed()
        let n = originals + 4
        let (source, observed) = (windows.sources[n], windows.observedPositions(n))
        let neighbours = (0..<windows.observed).map { windows.neighbours(of: n, atObservedStep: $0) }
        #expect(neighbours.contains { !$0.isEmpty })
        // The window now owns a copy of its positions: it still walks backwards in time.
        windows.setFuture(n, [Float](repeating: 7, count: 2 * windows.predicted))
        #expect(windows.sources[n] == source && windows.observedPositions(n) == observed)
        #expect((0..<windows.observed).map { windows.neighbours(of: n, atObservedStep: $0) } == neighbours)
        #expect(windows.futurePositions(n) == [Float](repeating: 7, count: 2 * windows.predicted))
    }

    @Test func ownedWindowsReverseWithoutTouchingTheOriginal() {
        var windows = WindowSet(observed: 3, predicted: 2)
        let values: [Float] = [-2, 0, -1, 0.5, 0, 0, 1.5, 0.25, 3, 1]
        windows.append(relative: values, origin: SIMD2(10, 20), source: WindowSource(scene: 0, pedestrian: "p", lastObservedStep: 7))
        windows.addReversed()
        // Positions 4, 3, 2, 1, 0 relative to position 2 (the original's origin here: P = 2 steps in).
        #expect(windows.relativePositions(1) == [3, 1, 1.5, 0.25, 0, 0, -1, 0.5, -2, 0])
        #expect(windows.origins[1] == SIMD2(10, 20))
        windows.setFuture(1, [9, 9, 9, 9])
        #expect(windows.relativePositions(0) == values)
        #expect(windows.futurePositions(1) == [9, 9, 9, 9])
    }

    @Test func capsApplyToTheReversedWalk() {
        // A glitch in the future of the first window: its reversed walk observes it, and is capped.
        var tracks = scene()
        tracks[0].points[12].x += 30
        var windows = WindowSet()
        windows.add(tracks, scene: 0)
        let originals = windows.count
        windows.capObservedSteps(at: 4)
        let originalFuture = windows.futurePositions(0)
        windows.addReversed()
        func longestObservedStep(_ n: Int) -> Float {
            let p = windows.observedPositions(n)
            return (1..<windows.observed).map { t in
                let d = SIMD2(p[2 * t] - p[2 * t - 2], p[2 * t + 1] - p[2 * t - 1])
                return (d * d).sum().squareRoot()
            }.max()!
        }
        #expect(longestObservedStep(originals) <= 4.0001)
        #expect(windows.futurePositions(0) == originalFuture)
        // Without the cap the reversed walk would have seen the 30 m jump: the test can fail.
        var uncapped = WindowSet()
        uncapped.add(tracks, scene: 0)
        uncapped.addReversed()
        let p = uncapped.observedPositions(originals)
        #expect((1..<uncapped.observed).contains { t in abs(p[2 * t] - p[2 * t - 2]) > 20 })
    }

    @Test func theTrainerTrainsOnBothWalksWhenAsked() throws {
        var windows = WindowSet()
        windows.add(scene(), scene: 0)
        var validation = WindowSet()
        validation.add([straightTrack("v", steps: 0...25)], scene: 0)
        var settings = TrainingSettings()
        (settings.epochs, settings.batch) = (1, 8)
        let configuration = CVAEConfiguration(hidden: 8, latent: 2)
        let plain = try Trainer<TrajectoryCVAE>(configuration, settings: settings, train: windows, validation: validation)
        settings.reverse = true
        let both = try Trainer<TrajectoryCVAE>(configuration, settings: settings, train: windows, validation: validation)
        #expect(both.train.count == 2 * windows.count && plain.train.count == windows.count)
        #expect(both.stepsPerEpoch == 2 * plain.stepsPerEpoch)
        var reversed = windows
        reversed.addReversed()
        #expect((0..<reversed.count).allSatisfy { both.train.relativePositions($0) == reversed.relativePositions($0) })
        // The caller's windows are not changed.
        #expect(windows.count * 2 == both.train.count)
    }
}
