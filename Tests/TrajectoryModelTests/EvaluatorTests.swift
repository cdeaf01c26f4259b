// The metrics: KDE log-densities against scipy, KDE-NLL's clipping, collisions on crafted pairs.
import Foundation
import Testing
import TrajectoryData
@testable import TrajectoryModel

@Suite struct EvaluatorTests {
    @Test func kdeMatchesScipy() {
        for (c, n, queries, expected) in KDEGolden.cases {
            var points: [SIMD2<Double>] = []
            for i in 0..<n {
                let (di, dc) = (Double(i), Double(c))
                let x: Double = sin(0.9 * di + dc) * (1 + dc)
                let y: Double = cos(1.3 * di + 2 * dc) * 0.5 + 0.1 * di
                points.append(SIMD2(x, y))
            }
            for (q, query) in queries.enumerated() {
                let ours = Evaluator.kdeLogDensity(points, at: SIMD2(query.0, query.1))
                guard let expected else {
                    #expect(ours == nil, "case \(c): scipy finds the covariance singular")
                    continue
                }
                let value = try! #require(ours)
                #expect(abs(value - expected[q]) <= 1e-9 * max(1, abs(expected[q])), "case \(c) query \(q): \(value) vs \(expected[q])")
            }
        }
    }

    /// One pedestrian walking along x (window 0), a neighbour standing at (5, 0.05) at the step
    /// the walker passes (window 1); the scene's context holds both.
    func crafted() -> WindowSet {
        let walker = Track(pedestrian: "w", points: (0..<20).map { TrackPoint(step: $0, x: 0.5 * Double($0), y: 0) })
        let stander = Track(pedestrian: "s", points: (0..<20).map { TrackPoint(step: $0, x: 5, y: $0 == 10 ? 0.05 : 3) })
        var windows = WindowSet()
        windows.add([walker, stander], scene: 0)
        return windows
    }

    func samples(_ futures: [[Float]]) -> Samples {
        Samples(windows: 1, k: futures.count, predicted: 12, values: futures.flatMap { $0 })
    }

    @Test func collisionsOnCraftedPairs() {
        let windows = crafted()
        // Sample 0 follows the truth (passes (5, 0) at step 10, 0.05 from the neighbour): a collision.
        // Sample 1 walks 0.5 m to the side: none. The walker's own truth is never a neighbour.
        let truth = Array(windows.futurePositions(0))
        let aside = truth.enumerated().map { $0.offset % 2 == 1 ? $0.element + 0.5 : $0.element }
        let result = Evaluator.evaluate(samples: samples([truth, aside]), windows: windows, indices: [0])
        #expect(result.collisionRate == 0.5)
        #expect(result.minADE < 1e-6)
        #expect(abs(result.minFDE) < 1e-6)
        let none = Evaluator.evaluate(samples: samples([aside, aside]), windows: windows, indices: [0])
        #expect(none.collisionRate == 0)
    }

    @Test func kdeNLLIsClippedAndNeedsSpread() {
        let crafted = crafted()
        // The walker's window without a scene context: no collisions are counted.
        var windows = WindowSet()
        windows.append(relative: crafted.relativePositions(0), origin: crafted.origins[0], source: crafted.sources[0])
        // Samples far from the truth: every log-density is below −20, so the NLL is exactly 20.
        var far: [Float] = []
        for s in 0..<5 { for t in 0..<12 { far += [Float(100 + s), Float(50 + t + s * s)] } }
        let result = Evaluator.evaluate(samples: Samples(windows: 1, k: 5, predicted: 12, values: far), windows: windows,
                                        indices: [0])
        #expect(result.kdeNLL == 20)
        #expect(result.collisionRate == nil)
        // One sample: no KDE.
        let single = Evaluator.evaluate(samples: samples([Array(windows.futurePositions(0))]), windows: windows, indices: [0])
        #expect(single.kdeNLL == nil)
    }
}
