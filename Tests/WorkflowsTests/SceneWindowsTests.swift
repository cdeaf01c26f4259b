// Windows of the store, and training on them, give exactly what they gave before windows became
// views into tracks (issue 16): the checksums below were recorded on main at cb198e5, when every
// window still copied its positions. Same seed, same windows in the same order, same bits.
import Foundation
import NNCore
import Testing
import TestSupport
import TrajectoryData
import TrajectoryModel
import TrajectoryStore
@testable import Workflows

/// FNV-1a over 64-bit words: a checksum of exact bit patterns.
struct BitChecksum {
    var value: UInt64 = 0xCBF2_9CE4_8422_2325

    mutating func add(_ word: UInt64) {
        for byte in 0..<8 {
            value ^= (word >> (8 * UInt64(byte))) & 0xFF
            value = value &* 0x100_0000_01B3
        }
    }
    mutating func add(_ x: Float) { add(UInt64(x.bitPattern)) }
    mutating func add(_ x: Double) { add(x.bitPattern) }
    mutating func add(_ text: String) { for byte in text.utf8 { add(UInt64(byte)) } }
}

@Suite(.serialized) struct SceneWindowsTests {
    /// Every window of zara1/train: its source, origin, observed and future positions (glitches capped).
    @Test func windowsAreThoseOfBefore() throws {
        let store = try zara1Store()
        let loaded = try SceneWindows.load(store, selections: ["zara1/train", "zara1/val"], observed: 8, predicted: 12)
        let windows = loaded.windows
        var sum = BitChecksum()
        for n in 0..<windows.count {
            let source = windows.sources[n]
            sum.add(UInt64(source.scene))
            sum.add(source.pedestrian)
            sum.add(UInt64(bitPattern: Int64(source.lastObservedStep)))
            sum.add(UInt64(bitPattern: Int64(source.agent)))
            sum.add(windows.origins[n].x)
            sum.add(windows.origins[n].y)
            for value in windows.observedPositions(n) { sum.add(value) }
            for value in windows.futurePositions(n) { sum.add(value) }
            for t in 0..<windows.observed {
                for other in windows.neighbours(of: n, atObservedStep: t) {
                    sum.add(UInt64(other.agent))
                    sum.add(other.position.x)
                    sum.add(other.position.y)
                }
            }
        }
        #expect(windows.count == 33761 && loaded.cappedWindows == 0)
        #expect(sum.value == 0x54FE_EBF1_25B1_B3DB)
    }

    /// One epoch of the CVAE (rotation, mirror) and of WTA with neighbours, then an evaluation with
    /// collisions: the losses, every parameter and every metric as before.
    /// (wta reads no speed, trains plain winner-takes-all with one winner for ADE and FDE, and reads
    /// neighbours at any distance here: the checksums were recorded before each, the defaults since.)
    @Test(arguments: [("cvae", [String: String]()),
                      ("wta", ["neighbours": "4", "neighbour-radius": "0", "iterations": "5", "speed": "0", "winners": "1",
                               "split-winners": "0"])])
    func trainingIsThatOfBefore(family: String, options: [String: String]) throws {
        let store = try zara1Store()
        var training = try TrainingRunConfiguration.defaultTraining(family: family)
        // The settings of when the checksums were recorded (wta trains on reversed windows, keeps the
        // moving average of its weights and decays its weight matrices by default since).
        (training.epochs, training.mirror, training.reverse, training.minimumSteps) = (1, true, false, 0)
        (training.averaging, training.weightDecay) = (0, 0)
        let configuration = try TrainingRunConfiguration(
            family: family, options: ModelOptions(options), training: training,
            train: ["zara1/train/crowds_zara02"], val: ["zara1/val"])
        let session = try TrainingSession.start(store, configuration: configuration, name: family)
        var sum = BitChecksum()
        let outcome = try session.run(progress: {
            if case let .epoch(report) = $0 {
                sum.add(report.loss)
                sum.add(report.reconstruction)
                sum.add(report.validationMinADE ?? 0)
            }
        })
        guard case .completed = outcome else { Issue.record("\(outcome)"); return }
        let model = try TrainedModel.load(store, run: family, checkpoint: .last)
        for value in model.model.parameters.values { sum.add(value) }
        let report = try EvaluationPipeline.run(store, model: model, EvaluationRequest(data: "zara1/val", k: 20, seed: 3))
        for row in report.rows {
            sum.add(row.scope + row.method)
            sum.add(row.result.minADE)
            sum.add(row.result.minFDE)
            sum.add(row.result.collisionRate ?? -1)
        }
        let before: [String: UInt64] = ["cvae": 0x2DF1_C55B_8F87_8870, "wta": 0x05F7_61F8_3685_7A9C]
        #expect(sum.value == before[family])
    }
}
