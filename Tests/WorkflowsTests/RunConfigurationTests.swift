// Run configurations as runs store them: typed values round-trip through JSON, and runs stored
// before model families (β at the top level) read as CVAE runs with their β.
import Foundation
import Testing
import TrajectoryModel
import TrajectoryStore
@testable import Workflows

@Suite struct RunConfigurationTests {
    @Test func trainingConfigurationRoundTrips() throws {
        var training = TrainingSettings()
        (training.epochs, training.seed, training.mirror, training.averaging) = (7, 3, true, 0.999)
        let configuration = try TrainingRunConfiguration(
            family: "cvae", options: ModelOptions(["encoder": "gru", "beta": "0.5", "hidden": "32"]), training: training,
            train: ["a/train"], val: ["a/val", "b/val"])
        let json = try configuration.json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["family"] as? String == "cvae")
        #expect(object["epochs"] as? Int == 7 && object["train"] as? [String] == ["a/train"])
        #expect((object["model"] as? [String: Any])?["beta"] as? Double == 0.5)
        let back = try TrainingRunConfiguration(json: json)
        #expect(back.training == training && back.train == ["a/train"] && back.val == ["a/val", "b/val"])
        #expect(back.model as? CVAEConfiguration
            == CVAEConfiguration(encoder: .gru, hidden: 32, latent: 16, beta: 0.5, betaWarmupEpochs: 0))
    }

    @Test func runsStoredBeforeFamiliesAreCVAERuns() throws {
        let old = """
            {"batch":256,"beta":1,"betaWarmupEpochs":4,"epochs":50,"learningRate":0.001,"mirror":false,"model":\
            {"encoder":"gru","hidden":128,"latent":16,"observed":8,"predicted":12},"rotate":true,"seed":2,\
            "train":["zara1/train"],"val":["zara1/val"],"validationSamples":20}
            """
        let configuration = try TrainingRunConfiguration(json: old)
        #expect(configuration.family == "cvae")
        let model = try #require(configuration.model as? CVAEConfiguration)
        #expect(model.encoder == .gru && model.beta == 1 && model.betaWarmupEpochs == 4)
        #expect(configuration.training.seed == 2 && configuration.train == ["zara1/train"])
        #expect(configuration.training.averaging == 0 && !configuration.training.reverse)
    }

    @Test func evaluationConfigurationKeepsItsKeys() throws {
        let json = try EvaluationRunConfiguration(selections: ["zara1/test"], k: 20, seed: 1, checkpoint: .best,
                                                  headingNoiseDegrees: 25).storedJSON()
        #expect(json == #"{"checkpoint":"best","data":"zara1\/test","heading_noise_degrees":25,"k":20,"seed":1,"selections":["zara1\/test"]}"#)
    }

    /// Several selections are kept apart, also when a scene's name holds the ", " that joins them in
    /// `data`; an evaluation stored before `selections` existed reads its one selection.
    @Test func evaluationConfigurationKeepsSelectionsApart() throws {
        let selections = ["walk/train/a, b", "walk/val/c"]
        let stored = try EvaluationRunConfiguration(selections: selections, k: 20, seed: 0, checkpoint: .last,
                                                    headingNoiseDegrees: 25).storedJSON()
        let read = try JSONDecoder().decode(EvaluationRunConfiguration.self, from: Data(stored.utf8))
        #expect(read.selections == selections && read.data == "walk/train/a, b, walk/val/c")
        let old = #"{"checkpoint":"best","data":"zara1\/test","heading_noise_degrees":25,"k":20,"seed":1}"#
        let before = try JSONDecoder().decode(EvaluationRunConfiguration.self, from: Data(old.utf8))
        #expect(before.selections == ["zara1/test"] && before.data == "zara1/test" && before.benchmark == nil)
    }

    /// The benchmark's protocol line writes counts as the README does.
    @Test func countsAreGroupedByThousands() {
        #expect([0, 7, 999, 1000, 7000, 24334, 1234567, -9000].map(grouped)
                    == ["0", "7", "999", "1,000", "7,000", "24,334", "1,234,567", "-9,000"])
    }
}
