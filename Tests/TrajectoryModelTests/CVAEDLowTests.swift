// The CVAE with a learned sampler: the sampler's loss against finite differences, the CVAE frozen
// (bit for bit) once the sampler trains, a resume across the switch equal to an uninterrupted run,
// and learned codes that beat the prior's samples on the data they learn from.
import Foundation
import NNCore
import Testing
import TrajectoryData
@testable import TrajectoryModel

func smallDLow(cvaeEpochs: Int = 2) -> DLowConfiguration {
    var configuration = DLowConfiguration()
    configuration.cvae = CVAEConfiguration(hidden: 16, latent: 4)
    (configuration.futures, configuration.cvaeEpochs) = (5, cvaeEpochs)
    return configuration
}

@Suite struct CVAEDLowTests {
    @Test func samplerLossAgainstFiniteDifferences() throws {
        let windows = walkers(12, steps: 24)
        var rng = Xoshiro256(seed: 3)
        var model = CVAEDLowModel(smallDLow(), using: &rng)
        #expect(model.beginEpoch(2) && model.samplerActive)
        let angles: [Float] = (0..<6).map { Float($0) * 0.9 }
        let w = model.makeTrainingWorkspace(capacity: 6)
        func loss(_ probe: inout CVAEDLowModel) -> Double {
            angles.withUnsafeBufferPointer {
                probe.trainingStep(TrainingBatch(windows: windows, indices: [1, 4, 5, 8, 9, 12], angles: $0.baseAddress!),
                                   epoch: 2, workspace: w, using: &rng, share: 1).total
            }
        }
        model.parameters.gradients = [Float](repeating: .nan, count: model.parameters.count)
        _ = loss(&model)
        let analytic = model.parameters.gradients
        #expect(!analytic.contains { $0.isNaN }, "every gradient is written")
        #expect(analytic[0..<model.cvaeCount].allSatisfy { $0 == 0 }, "the CVAE is frozen")
        let sampler = Array(model.codes.weight.offset..<(model.codes.bias.offset + model.codes.bias.count))
        let result = gradientCheck(values: model.parameters.values, analytic: analytic, indices: sampler, step: 1e-3,
                                   absoluteTolerance: 1e-3, skipKinks: true) { values in
            var probe = model
            probe.parameters.values = values
            return loss(&probe)
        }
        #expect(result.passed, "\(result)")
        #expect(result.skipped * 20 <= result.checked + result.skipped, "at most 5 % at kinks: \(result)")
    }

    @Test func theCVAEIsFrozenAndResumeAcrossTheSwitchIsExact() throws {
        let data = walkers(30, steps: 24), validation = walkers(5)
        var settings = smallSettings()
        settings.epochs = 4
        settings.validationSamples = 5
        let configuration = smallDLow(cvaeEpochs: 2)
        // The CVAE's parameters after its last epoch are those at the end: the sampler moved nothing else.
        let whole = try Trainer<CVAEDLowModel>(configuration, settings: settings, train: data, validation: validation)
        var afterCVAE: [Float] = []
        _ = try whole.run(progress: { event in
            if case let .epoch(report, state) = event, report.epoch == 2 {
                afterCVAE = state.tensors.parameters.filter { !$0.name.hasPrefix("dlow.") }.flatMap(\.values)
            }
        })
        let final = whole.model.parameters.namedTensors(whole.model.parameters.values)
        #expect(final.filter { !$0.name.hasPrefix("dlow.") }.flatMap(\.values) == afterCVAE)
        #expect(whole.model.samplerActive)
        // The best epoch is one of the sampler's: a checkpoint before the switch is another model.
        #expect((whole.counters.bestEpoch ?? 0) > 2)
        // Epochs that leave the sampler none are refused before step 0.
        var short = settings
        short.epochs = 2
        #expect(throws: ModelError.self) {
            try Trainer<CVAEDLowModel>(configuration, settings: short, train: data, validation: validation)
        }
        // Stopped inside the CVAE's last epoch, at the switch, and inside the sampler's first epoch:
        // resumed, the same bits.
        let steps = whole.stepsPerEpoch
        for stopAfter in [steps + 3, 2 * steps, 2 * steps + 4] {
            let first = try Trainer<CVAEDLowModel>(configuration, settings: settings, train: data, validation: validation)
            var done = 0
            #expect(try first.run(shouldStop: { done += 1; return done == stopAfter }) == .stopped)
            let resumed = try Trainer<CVAEDLowModel>(configuration, settings: settings, train: data, validation: validation,
                                                     resuming: first.state())
            _ = try resumed.run()
            #expect(resumed.model.parameters.values == whole.model.parameters.values, "stopped after \(stopAfter) steps")
        }
    }

    /// With averaging, the sampler's phase starts from the CVAE's average (the model as trained so
    /// far), keeps it exactly (frozen values stay what they are in the average), and starts an
    /// average of its own; a run stopped on either side of the switch resumes to the same bits.
    @Test func averagedCVAEIsWhatTheSamplerBuildsOn() throws {
        let data = walkers(30, steps: 24), validation = walkers(5)
        var settings = smallSettings()
        (settings.epochs, settings.validationSamples, settings.averaging) = (4, 5, 0.9)
        let configuration = smallDLow(cvaeEpochs: 2)
        let whole = try Trainer<CVAEDLowModel>(configuration, settings: settings, train: data, validation: validation)
        var averagedCVAE: [Float] = [], trainedCVAE: [Float] = []
        _ = try whole.run(progress: { event in
            if case let .epoch(report, state) = event, report.epoch == 2 {
                averagedCVAE = state.tensors.parameters.filter { !$0.name.hasPrefix("dlow.") }.flatMap(\.values)
                trainedCVAE = state.tensors.trainingValues.filter { !$0.name.hasPrefix("dlow.") }.flatMap(\.values)
            }
        })
        #expect(!averagedCVAE.isEmpty && averagedCVAE != trainedCVAE)
        for model in [whole.model, whole.weights] {
            let tensors = model.parameters.namedTensors(model.parameters.values)
            #expect(tensors.filter { !$0.name.hasPrefix("dlow.") }.flatMap(\.values) == averagedCVAE)
        }
        #expect(whole.model.samplerActive && whole.counters.averagedSteps == 2 * whole.stepsPerEpoch)
        let steps = whole.stepsPerEpoch
        for stopAfter in [2 * steps - 1, 2 * steps, 2 * steps + 4] {
            let first = try Trainer<CVAEDLowModel>(configuration, settings: settings, train: data, validation: validation)
            var done = 0
            #expect(try first.run(shouldStop: { done += 1; return done == stopAfter }) == .stopped)
            var state = first.state()
            state.tensors = CheckpointTensors(stored: state.tensors.stored)
            let resumed = try Trainer<CVAEDLowModel>(configuration, settings: settings, train: data, validation: validation,
                                                     resuming: state)
            _ = try resumed.run()
            #expect(resumed.model.parameters.values == whole.model.parameters.values, "stopped after \(stopAfter) steps")
            #expect(resumed.weights.parameters.values == whole.weights.parameters.values, "stopped after \(stopAfter) steps")
        }
    }

    @Test func learnedCodesBeatThePriorOnTheirData() throws {
        let data = walkers(60, steps: 30)
        var settings = smallSettings()
        (settings.epochs, settings.batch, settings.validationSamples) = (40, 32, 5)
        var configuration = smallDLow(cvaeEpochs: 25)
        configuration.cvae.hidden = 32
        let trainer = try Trainer<CVAEDLowModel>(configuration, settings: settings, train: data, validation: data)
        var reports: [EpochReport] = []
        _ = try trainer.run(progress: { if case let .epoch(report, _) = $0 { reports.append(report) } })
        let prior = try #require(reports[24].validationMinADE), learned = try #require(reports.last?.validationMinADE)
        #expect(learned < 0.8 * prior, "prior \(prior), learned \(learned)")
        // Deterministic once learned: the same futures whatever the generator.
        var a = Xoshiro256(seed: 1), b = Xoshiro256(seed: 2)
        #expect(trainer.model.sample(data, [0, 3], k: 5, using: &a) == trainer.model.sample(data, [0, 3], k: 5, using: &b))
        #expect(trainer.model.maximumFutures?.k == 5)
        // k of the K chosen by expected error under equal weights: nested, each with the share of the
        // K it stands for.
        let two = trainer.model.sample(data, [0, 3], k: 2, using: &a), five = trainer.model.sample(data, [0, 3], k: 5, using: &a)
        #expect(five.prefix(2).values == two.values)
        let shares = try #require(two.probabilities)
        #expect(abs(shares[0] + shares[1] - 1) < 1e-6 && shares.allSatisfy { ($0 * 5).rounded() == $0 * 5 })
        #expect(try #require(five.probabilities).allSatisfy { abs($0 - 0.2) < 1e-6 })
        // All K for validation's minimum: the same five futures of each window, unranked.
        let unranked = trainer.model.sample(data, [0, 3], k: 5, using: &a, inAnyOrder: true)
        for n in 0..<2 {
            func futures(_ samples: Samples) -> [[Float]] {
                (0..<5).map { f in
                    let from = samples.offset(window: n, sample: f)
                    return Array(samples.values[from..<(from + 2 * samples.predicted)])
                }
            }
            #expect(futures(unranked).sorted { $0.lexicographicallyPrecedes($1) } == futures(five).sorted { $0.lexicographicallyPrecedes($1) })
        }
    }
}
