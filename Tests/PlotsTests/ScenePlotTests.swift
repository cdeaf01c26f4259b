// The scene picture's axes: the ticks of the steps it always had for a scene's usual extent, and
// at most 13 per axis whatever the extent (a tracker's glitch far away made the old loop count to
// the glitch, one tick per 100 m).
import Testing
@testable import Plots

@Suite struct ScenePlotTests {
    @Test func ticksKeepTheUsualStepsOfAScene() {
        #expect(ScenePlot.ticks(from: -0.5, to: 4.5, span: 5) == [0, 1, 2, 3, 4])
        #expect(ScenePlot.ticks(from: -1, to: 12, span: 13) == [0, 2, 4, 6, 8, 10, 12])
        #expect(ScenePlot.ticks(from: -3, to: 297, span: 300) == [0, 50, 100, 150, 200, 250])
        #expect(ScenePlot.ticks(from: 0, to: 700, span: 700) == [0, 100, 200, 300, 400, 500, 600, 700])
    }

    @Test func ticksStayFewWhateverTheExtent() {
        let far = ScenePlot.ticks(from: -5e7, to: 1.05e9, span: 1.1e9)
        #expect(far == (0...10).map { Double($0) * 1e8 })
        // Coordinates so large that a 1 m step is below their precision: no repeated tick, no endless loop.
        let huge = ScenePlot.ticks(from: 1e17, to: 1e17 + 13, span: 13)
        #expect(huge.count <= 13 && Set(huge).count == huge.count)
        #expect(ScenePlot.ticks(from: 0, to: .infinity, span: .infinity).isEmpty)
    }

    /// Two walkers 10^9 m apart: a picture with at most 13 ticks per axis (before: one per 100 m).
    @Test func aFarGlitchDrawsAPictureOfFewTicks() throws {
        let near = PedestrianPaths(name: "a", observed: [SIMD2(0, 0), SIMD2(1, 0)], truth: [SIMD2(2, 0)], samples: [])
        let far = PedestrianPaths(name: "b", observed: [SIMD2(1e9, 5), SIMD2(1e9 + 1, 5)], truth: [], samples: [])
        let svg = ScenePlot.render([near, far], title: "glitch")
        let counts = try #require(elementCounts(svg))
        #expect((counts["text"] ?? 0) < 2 * 13 + 20, "\(counts)")
    }
}
