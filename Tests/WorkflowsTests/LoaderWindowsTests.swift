// The windows Social-GAN's loader keeps (the published rows' windows): a closed-form scene, the
// counts its loader gives on zara1's test file, and the rows `eval --sgan-loader` adds.
import Foundation
import Testing
import TestSupport
import TrajectoryData
import TrajectoryModel
import TrajectoryStore
@testable import Workflows

@Suite(.serialized) struct LoaderWindowsTests {
    /// a is seen at steps 0–24 (windows ending their observation at 7…12), b at 3–22 (one window, at
    /// 10), c at 0–19 but in a scene of its own: only a's window at 10 and b's share their steps.
    @Test func aWindowIsKeptWhenAnotherPedestrianSharesItsSteps() {
        func track(_ name: String, _ steps: ClosedRange<Int>) -> Track {
            Track(pedestrian: name, points: steps.map { TrackPoint(step: $0, x: Double($0), y: 0) })
        }
        var windows = WindowSet()
        windows.add([track("a", 0...24), track("b", 3...22)], scene: 0)
        windows.add([track("c", 0...19)], scene: 1)
        #expect(windows.count == 8)
        let kept = EvaluationPipeline.loaderWindows(windows).map { windows.sources[$0] }
        #expect(kept.map(\.pedestrian).sorted() == ["a", "b"])
        #expect(kept.allSatisfy { $0.lastObservedStep == 10 && $0.scene == 0 })
    }

    /// Social-GAN's `TrajectoryDataset` (8 + 12 frames, min_ped 1, skip 1) on crowds_zara01.txt keeps
    /// 2,253 of its 2,356 windows (counted with a numpy copy of the loader; eth's: 181 of 364).
    @Test func zara1TestKeepsWhatTheLoaderKeeps() throws {
        let store = try zara1Store()
        let windows = try SceneWindows.load(store, selections: ["zara1/test"], observed: 8, predicted: 12).windows
        #expect(windows.count == 2356)
        #expect(EvaluationPipeline.loaderWindows(windows).count == 2253)

        // `eval --sgan-loader`: every method once more on those windows, under its own scope.
        let session = try TrainingSession.start(store, configuration: try driftConfiguration(epochs: 1), name: "drift")
        _ = try session.run()
        var request = EvaluationRequest(data: "zara1/test", k: 3)
        let plain = try EvaluationPipeline.evaluate(store, model: try TrainedModel.load(store, run: "drift", checkpoint: nil), request)
        #expect(!plain.contains { $0.scope == EvaluationPipeline.loaderScope })
        request.loaderWindows = true
        let rows = try EvaluationPipeline.evaluate(store, model: try TrainedModel.load(store, run: "drift", checkpoint: nil), request)
        let loader = rows.filter { $0.scope == EvaluationPipeline.loaderScope }
        #expect(loader.map(\.method) == rows.filter { $0.scope == "all" }.map(\.method))
        #expect(loader.allSatisfy { $0.result.windows == 2253 })
        // Constant velocity, one future: its minADE is the plain mean over the kept windows.
        let kept = EvaluationPipeline.loaderWindows(windows)
        let cv = ConstantVelocity.predict(windows, Array(0..<windows.count)[...])
        var total = 0.0
        for n in kept {
            let future = windows.futurePositions(n)
            var sum = 0.0
            for t in 0..<12 {
                let dx = Double(cv.values[cv.offset(window: n, sample: 0) + 2 * t] - future[2 * t])
                let dy = Double(cv.values[cv.offset(window: n, sample: 0) + 2 * t + 1] - future[2 * t + 1])
                sum += (dx * dx + dy * dy).squareRoot()
            }
            total += sum / 12
        }
        let row = try #require(loader.first { $0.method == "constant velocity" })
        #expect(abs(row.result.minADE - total / Double(kept.count)) < 1e-5)
    }
}
