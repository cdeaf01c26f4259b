// The agent-centric frame: into the frame and back is the identity; a rotated, translated or (for
// a moving walker) scaled copy of a window has the same normalised inputs; static windows keep
// meters; the frame reads observed steps only.
import Foundation
import NNCore
import Testing
import TrajectoryData
@testable import TrajectoryModel

/// One window of a walker along `velocity` per step with a gentle turn, optionally transformed.
func transformedWindow(velocity: SIMD2<Double>, angle: Double = 0, shift: SIMD2<Double> = .zero, scale: Double = 1)
    -> WindowSet
{
    var points: [TrackPoint] = []
    var p = SIMD2<Double>(0.3, -0.2), v = velocity
    for step in 0..<20 {
        let q = SIMD2(cos(angle) * p.x - sin(angle) * p.y, sin(angle) * p.x + cos(angle) * p.y) * scale + shift
        points.append(TrackPoint(step: step, x: q.x, y: q.y))
        p += v
        v = SIMD2(cos(0.05) * v.x - sin(0.05) * v.y, sin(0.05) * v.x + cos(0.05) * v.y)
    }
    var windows = WindowSet()
    windows.add([Track(pedestrian: "1", points: points)], scene: 0)
    return windows
}

func normalisedObserved(_ windows: WindowSet, mirror: Float = 1) -> [SIMD2<Float>] {
    let frame = AgentFrame.of(windows, 0, mirror: mirror)
    let observed = Array(windows.observedPositions(0))
    return (0..<windows.observed).map { frame.normalise(SIMD2(observed[2 * $0], mirror * observed[2 * $0 + 1])) }
}

@Suite struct AgentFrameTests {
    @Test func intoTheFrameAndBackIsTheIdentity() {
        var rng = Xoshiro256(seed: 4)
        for moving in [true, false] {
            let windows = transformedWindow(velocity: moving ? [0.5, 0.2] : [0.05, 0.02], angle: 2)
            let frame = AgentFrame.of(windows, 0)
            #expect(frame.moving == moving)
            #expect(moving ? abs(frame.scale - 1 / 0.5385) < 0.05 : frame.scale == 1)
            for _ in 0..<100 {
                let p = SIMD2(rng.uniform(-20, 20), rng.uniform(-20, 20))
                let back = frame.denormalise(frame.normalise(p))
                #expect(abs(back.x - p.x) < 1e-4 && abs(back.y - p.y) < 1e-4)
            }
        }
    }

    @Test(arguments: [(2.5, SIMD2<Double>(40, -7), 1.0), (-1.0, SIMD2<Double>(-3, 100), 1.7), (0.4, SIMD2<Double>(0, 0), 0.6)])
    func transformedCopiesHaveTheSameInputs(angle: Double, shift: SIMD2<Double>, scale: Double) {
        let plain = normalisedObserved(transformedWindow(velocity: [0.5, 0.1]))
        let copy = normalisedObserved(transformedWindow(velocity: [0.5, 0.1], angle: angle, shift: shift, scale: scale))
        for (a, b) in zip(plain, copy) { #expect(abs(a.x - b.x) < 1e-3 && abs(a.y - b.y) < 1e-3, "\(a) vs \(b)") }
        // The heading is +x and a moving walker has unit speed per step.
        let frame = AgentFrame.of(transformedWindow(velocity: [0.5, 0.1], angle: angle, shift: shift, scale: scale), 0)
        let last = plain[7], before = plain[5]
        #expect(abs((last - before).y) < 1e-4 && abs((last - before).x - 2) < 1e-3 && frame.moving)
    }

    @Test func staticWindowsKeepMetersAndMirroringFlipsY() {
        // Slow walkers are rotated and translated, never scaled: a scaled copy differs by its scale.
        let plain = normalisedObserved(transformedWindow(velocity: [0.05, 0.02]))
        let rotated = normalisedObserved(transformedWindow(velocity: [0.05, 0.02], angle: 1.2, shift: [5, 5]))
        let scaled = normalisedObserved(transformedWindow(velocity: [0.05, 0.02], scale: 2))
        for t in 0..<8 {
            #expect(abs(plain[t].x - rotated[t].x) < 1e-4 && abs(plain[t].y - rotated[t].y) < 1e-4)
            #expect(abs(2 * plain[t].x - scaled[t].x) < 1e-4 && abs(2 * plain[t].y - scaled[t].y) < 1e-4)
        }
        // A mirrored window, in its own frame, is the plain one with y negated.
        let windows = transformedWindow(velocity: [0.4, 0.3])
        let (a, b) = (normalisedObserved(windows), normalisedObserved(windows, mirror: -1))
        for t in 0..<8 { #expect(abs(a[t].x - b[t].x) < 1e-4 && abs(a[t].y + b[t].y) < 1e-4) }
    }

    @Test func theFrameNeverReadsTheFuture() {
        var windows = transformedWindow(velocity: [0.5, 0.1], angle: 0.7)
        let before = AgentFrame.of(windows, 0)
        windows.setFuture(0, (0..<24).map { Float($0) * 13 - 40 })
        #expect(AgentFrame.of(windows, 0) == before)
    }
}
