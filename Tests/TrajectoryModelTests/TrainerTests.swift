// The trainer: it learns (overfits four tracks), it is deterministic, a run stopped at any step
// and resumed ends with the same weights bit for bit, bad inputs are refused before step 0, and a
// diverging loss stops the run.
import Foundation
import NNCore
import Testing
import TrajectoryData
@testable import TrajectoryModel

/// Windows of `count` walkers, each turning a little differently.
func walkers(_ count: Int, steps: Int = 20, seed: UInt64 = 1) -> WindowSet {
    var rng = Xoshiro256(seed: seed)
    var tracks: [Track] = []
    for p in 0..<count {
        var x = Double(rng.uniform(-5, 5)), y = Double(rng.uniform(-5, 5))
        var heading = Double(rng.uniform(0, 6.28)), turn = Double(rng.uniform(-0.1, 0.1))
        var points: [TrackPoint] = []
        for step in 0..<steps {
            points.append(TrackPoint(step: step, x: x, y: y))
            heading += turn
            turn *= 1.02
            x += 0.5 * cos(heading)
            y += 0.5 * sin(heading)
        }
        tracks.append(Track(pedestrian: "\(p)", points: points))
    }
    var windows = WindowSet()
    windows.add(tracks, scene: 0)
    return windows
}

typealias CVAETrainer = Trainer<TrajectoryCVAE>

func smallModel(_ encoder: PastEncoder = .mlp) -> CVAEConfiguration {
    CVAEConfiguration(encoder: encoder, hidden: 16, latent: 4)
}

func smallSettings() -> TrainingSettings {
    var settings = TrainingSettings()
    settings.epochs = 3
    settings.batch = 8
    settings.validationSamples = 5
    return settings
}

@Suite struct TrainerTests {
    @Test func overfitsFourTracks() throws {
        let four = walkers(4)
        var settings = TrainingSettings()
        settings.epochs = 1500
        settings.batch = 4
        settings.rotate = false
        settings.learningRate = 3e-3
        settings.validationSamples = 1
        let trainer = try CVAETrainer(CVAEConfiguration(hidden: 64, latent: 4), settings: settings, train: four,
                                      validation: four)
        var last: EpochReport?
        _ = try trainer.run(progress: { event in
            if case let .epoch(report, _) = event { last = report }
        })
        let report = try #require(last)
        // Mean squared error per coordinate, m²; the futures span several meters.
        #expect(report.reconstruction < 1e-3, "\(report)")
    }

    @Test(arguments: [PastEncoder.mlp, .gru])
    func sameSeedSameWeights(encoder: PastEncoder) throws {
        let data = walkers(30, steps: 24)
        let a = try CVAETrainer(smallModel(encoder), settings: smallSettings(), train: data, validation: walkers(5))
        let b = try CVAETrainer(smallModel(encoder), settings: smallSettings(), train: data, validation: walkers(5))
        _ = try a.run()
        _ = try b.run()
        #expect(a.model.parameters.values == b.model.parameters.values)
        var other = smallSettings()
        other.seed = 1
        let c = try CVAETrainer(smallModel(encoder), settings: other, train: data, validation: walkers(5))
        _ = try c.run()
        #expect(a.model.parameters.values != c.model.parameters.values)
    }

    /// No validation samples (a refit on train + val): every epoch reported without validation and
    /// none the best, and the same weights as a validated run, whose validation draws nothing from
    /// training's generator.
    @Test func withoutValidationEpochsAreReportedAndTrainingIsTheSame() throws {
        let data = walkers(30, steps: 24), validation = walkers(5)
        var reports: [EpochReport] = []
        var settings = smallSettings()
        let validated = try CVAETrainer(smallModel(), settings: settings, train: data, validation: validation)
        _ = try validated.run()
        settings.validationSamples = 0
        let plain = try CVAETrainer(smallModel(), settings: settings, train: data, validation: validation)
        #expect(try plain.run(progress: { if case let .epoch(report, _) = $0 { reports.append(report) } }) == .completed)
        #expect(plain.model.parameters.values == validated.model.parameters.values)
        #expect(reports.map(\.epoch) == [1, 2, 3])
        #expect(reports.allSatisfy { $0.validationMinADE == nil && $0.validationMinFDE == nil && !$0.isBest })
        #expect(plain.counters.bestEpoch == nil && validated.counters.bestEpoch != nil)
        settings.validationSamples = -1
        #expect(throws: ModelError.self) { try CVAETrainer(smallModel(), settings: settings, train: data, validation: validation) }
    }

    /// `minimumSteps`: a training set too small for the epochs to give that many steps trains for
    /// more epochs (its reversed windows count: they make each epoch longer); a large one as asked.
    @Test func aSmallTrainingSetTrainsForMoreEpochs() throws {
        let data = walkers(30, steps: 24), validation = walkers(5)
        var settings = smallSettings()   // 3 epochs of batches of 8
        settings.minimumSteps = 100
        let small = try CVAETrainer(smallModel(), settings: settings, train: data, validation: validation)
        #expect(small.stepsPerEpoch * small.settings.epochs >= 100 && small.stepsPerEpoch * (small.settings.epochs - 1) < 100)
        var reports: [EpochReport] = []
        _ = try small.run(progress: { if case let .epoch(report, _) = $0 { reports.append(report) } })
        #expect(reports.count == small.settings.epochs && small.settings.epochs > 3)
        settings.reverse = true
        let reversed = try CVAETrainer(smallModel(), settings: settings, train: data, validation: validation)
        #expect(reversed.stepsPerEpoch == 2 * small.stepsPerEpoch || reversed.stepsPerEpoch == 2 * small.stepsPerEpoch - 1)
        #expect(reversed.settings.epochs == max(3, (100 + reversed.stepsPerEpoch - 1) / reversed.stepsPerEpoch))
        settings.minimumSteps = 1
        #expect(try CVAETrainer(smallModel(), settings: settings, train: data, validation: validation).settings.epochs == 3)
    }

    @Test(arguments: [(PastEncoder.mlp, 5, false), (.mlp, 13, true), (.gru, 7, false), (.mlp, 26, false)])
    func resumeEqualsUninterrupted(encoder: PastEncoder, stopAfter: Int, mirror: Bool) throws {
        let data = walkers(30, steps: 24), validation = walkers(5)
        var settings = smallSettings()
        settings.mirror = mirror
        let model = smallModel(encoder)
        let whole = try CVAETrainer(model, settings: settings, train: data, validation: validation)
        var wholeReports: [EpochReport] = []
        _ = try whole.run(progress: { if case let .epoch(report, _) = $0 { wholeReports.append(report) } })

        let first = try CVAETrainer(model, settings: settings, train: data, validation: validation)
        var steps = 0
        let outcome = try first.run(shouldStop: {
            steps += 1
            return steps == stopAfter
        })
        #expect(outcome == .stopped)
        let resumed = try CVAETrainer(model, settings: settings, train: data, validation: validation, resuming: first.state())
        var resumedReports: [EpochReport] = []
        #expect(try resumed.run(progress: { if case let .epoch(report, _) = $0 { resumedReports.append(report) } }) == .completed)
        #expect(resumed.model.parameters.values == whole.model.parameters.values)
        // The epochs finished after the resume report what the uninterrupted run reported.
        let tail = wholeReports.suffix(resumedReports.count)
        #expect(resumedReports.map(\.loss) == tail.map(\.loss))
        #expect(resumedReports.map(\.validationMinADE) == tail.map(\.validationMinADE))
    }

    /// With averaging, the model is a = d·a + (1 − d)·w over the weights after each step, with
    /// d = min(decay, (1 + t) / (10 + t)); it is what validation reads and what the state saves as
    /// the parameters (the weights beside, as the values training goes on from); the weights train
    /// exactly as without averaging.
    @Test func theModelIsTheMovingAverageOfTheWeights() throws {
        let data = walkers(30, steps: 24), validation = walkers(5)
        var settings = smallSettings()
        settings.averaging = 0.8
        let trainer = try CVAETrainer(smallModel(), settings: settings, train: data, validation: validation)
        var expected: [Float] = [], t = 0
        var reports: [EpochReport] = []
        _ = try trainer.run(progress: { event in
            switch event {
            case .step:
                t += 1
                let w = trainer.weights.parameters.values
                if expected.isEmpty {
                    expected = w
                } else {
                    let rest = 1 - min(Float(0.8), Float(1 + t) / Float(10 + t))
                    for i in expected.indices { expected[i] += rest * (w[i] - expected[i]) }
                }
            case let .epoch(report, _): reports.append(report)
            }
        })
        #expect(t == 3 * trainer.stepsPerEpoch && trainer.counters.averagedSteps == t)
        // Past step 35 the decay is the one set (the warm-up's (1 + t) / (10 + t) has reached 0.8).
        #expect(t > 45, "\(t) steps")
        let averaged = trainer.model.parameters.values
        #expect(averaged == expected)
        #expect(averaged != trainer.weights.parameters.values)
        // The weights are those of a run without averaging.
        let plain = try CVAETrainer(smallModel(), settings: smallSettings(), train: data, validation: validation)
        _ = try plain.run()
        #expect(plain.model.parameters.values == trainer.weights.parameters.values)
        // Validation read the average: the last report is the average's minADE, not the weights'.
        func minADE(_ values: [Float]) -> Double {
            var model = trainer.weights
            model.parameters.values = values
            var generator = Xoshiro256(seed: settings.seed &* 0x9E37_79B9_7F4A_7C15 &+ 2 &+ 0xA11CE)
            let all = Array(0..<validation.count)[...]
            return Metrics.average(Metrics.minDisplacements(
                samples: model.sample(validation, all, k: 5, using: &generator, inAnyOrder: true),
                windows: validation, indices: all)).ade
        }
        #expect(reports.last?.validationMinADE == minADE(averaged))
        #expect(reports.last?.validationMinADE != minADE(trainer.weights.parameters.values))
        // The state: the average as the parameters, the weights beside.
        let state = trainer.state()
        #expect(state.tensors.parameters.flatMap(\.values) == averaged)
        #expect(state.tensors.trainingValues.flatMap(\.values) == trainer.weights.parameters.values)
        let stored = CheckpointTensors(stored: state.tensors.stored)
        #expect(stored == state.tensors)
    }

    /// Stopped inside the first epoch, at its end (a checkpoint between epochs) and in later ones.
    @Test(arguments: [4, 17, 19, 26, 40])
    func anAveragedRunResumesExactly(stopAfter: Int) throws {
        let data = walkers(30, steps: 24), validation = walkers(5)
        var settings = smallSettings()
        settings.averaging = 0.95
        let whole = try CVAETrainer(smallModel(), settings: settings, train: data, validation: validation)
        _ = try whole.run()
        let first = try CVAETrainer(smallModel(), settings: settings, train: data, validation: validation)
        var steps = 0
        #expect(try first.run(shouldStop: { steps += 1; return steps == stopAfter }) == .stopped)
        // Through the stored names, as a checkpoint goes to the store and back.
        var state = first.state()
        state.tensors = CheckpointTensors(stored: state.tensors.stored)
        let resumed = try CVAETrainer(smallModel(), settings: settings, train: data, validation: validation, resuming: state)
        _ = try resumed.run()
        #expect(resumed.model.parameters.values == whole.model.parameters.values)
        #expect(resumed.weights.parameters.values == whole.weights.parameters.values)
        #expect(resumed.counters.averagedSteps == whole.counters.averagedSteps)
    }

    @Test func averagingOutsideZeroToOneIsRefused() {
        for decay: Float in [-0.1, 1, 1.5, .nan] {
            var settings = smallSettings()
            settings.averaging = decay
            #expect(throws: ModelError.self) { try CVAETrainer(smallModel(), settings: settings, train: walkers(30), validation: walkers(5)) }
        }
    }

    @Test func batchesAreCutByTheirSizeOnly() {
        #expect(CVAETrainer.partSizes(count: 40, splits: false) == [40])
        #expect(CVAETrainer.partSizes(count: 1, splits: true) == [1])
        #expect(CVAETrainer.partSizes(count: 256, splits: true) == [128, 128])
        #expect(CVAETrainer.partSizes(count: 161, splits: true) == [81, 80])
        #expect(CVAETrainer.partSizes(count: 1024, splits: true) == [Int](repeating: 128, count: 8))
        #expect(CVAETrainer.partSizes(count: 300, splits: true) == [100, 100, 100])
        #expect(CVAETrainer.partSizes(count: 259, splits: true) == [87, 86, 86])
    }

    @Test func largeBatchesInManyPartsResumeExactly() throws {
        let data = walkers(40, steps: 40), validation = walkers(5)
        let model = smallModel()
        var settings = smallSettings()
        settings.batch = 300
        settings.epochs = 2
        let whole = try CVAETrainer(model, settings: settings, train: data, validation: validation)
        _ = try whole.run()
        let first = try CVAETrainer(model, settings: settings, train: data, validation: validation)
        var steps = 0
        #expect(try first.run(shouldStop: { steps += 1; return steps == 2 }) == .stopped)
        let resumed = try CVAETrainer(model, settings: settings, train: data, validation: validation, resuming: first.state())
        _ = try resumed.run()
        #expect(resumed.model.parameters.values == whole.model.parameters.values)
    }

    @Test func refusesBadInputsBeforeStepZero() {
        #expect(throws: ModelError.notEnoughWindows(split: "training", found: 0, needed: 2, steps: 20)) {
            try CVAETrainer(smallModel(), settings: smallSettings(), train: WindowSet(), validation: walkers(2))
        }
        #expect(throws: ModelError.notEnoughWindows(split: "validation", found: 0, needed: 1, steps: 20)) {
            try CVAETrainer(smallModel(), settings: smallSettings(), train: walkers(3), validation: WindowSet())
        }
        var settings = smallSettings()
        settings.learningRate = 0
        #expect(throws: ModelError.invalidSetting(option: "--lr", reason: "must be a positive number")) {
            try CVAETrainer(smallModel(), settings: settings, train: walkers(3), validation: walkers(2))
        }
        var model = smallModel()
        model.hidden = 0
        #expect(throws: ModelError.invalidSetting(option: "--hidden", reason: "must be at least 1")) {
            try CVAETrainer(model, settings: smallSettings(), train: walkers(3), validation: walkers(2))
        }
    }

    @Test func divergingLossStopsTheRun() throws {
        var settings = smallSettings()
        settings.learningRate = 1e9
        settings.epochs = 50
        let trainer = try CVAETrainer(smallModel(), settings: settings, train: walkers(30, steps: 24),
                                      validation: walkers(3))
        var epochsReported = 0
        let failure: ModelError? = {
            do {
                _ = try trainer.run(progress: { if case .epoch = $0 { epochsReported += 1 } })
                return nil
            } catch {
                return error as? ModelError
            }
        }()
        guard case let .nonFiniteLoss(epoch, _, loss, kept)? = failure else {
            Issue.record("training with lr 1e9 should diverge, got \(String(describing: failure))")
            return
        }
        #expect(!loss.isFinite)
        #expect(epoch == epochsReported)
        // The message says what is true: a checkpoint is kept only when an epoch had finished.
        #expect(kept == (epoch > 0))
        #expect(failure!.description.contains(kept ? "the last good checkpoint is kept" : "before any checkpoint was saved"))
    }

    @Test func nonFiniteWindowsAreRefusedBeforeStepZero() throws {
        // A track 3e38 m from another point of itself: relative positions overflow Float.
        var windows = walkers(3)
        var far = WindowSet()
        far.append(relative: [Float](repeating: .infinity, count: 40), origin: [0, 0],
                   source: WindowSource(scene: 9, pedestrian: "x", lastObservedStep: 7))
        #expect(throws: ModelError.nonFiniteWindows(split: "validation", count: 1)) {
            try CVAETrainer(smallModel(), settings: smallSettings(), train: windows, validation: far)
        }
        windows.append(relative: [Float](repeating: .nan, count: 40), origin: [0, 0],
                       source: WindowSource(scene: 9, pedestrian: "y", lastObservedStep: 7))
        #expect(throws: ModelError.nonFiniteWindows(split: "training", count: 1)) {
            try CVAETrainer(smallModel(), settings: smallSettings(), train: windows, validation: walkers(2))
        }
    }

    @Test func minDisplacementClosedForm() {
        // Truth: straight line (t, 0); sample 0 is offset by (0, 1) everywhere, sample 1 is right
        // except the last step, off by 3. minADE = min(1, 3/3 = 0.25… ) per definitions below.
        let steps = 4
        let truth: [Float] = [1, 0, 2, 0, 3, 0, 4, 0]
        let offset: [Float] = [1, 1, 2, 1, 3, 1, 4, 1]
        let lastWrong: [Float] = [1, 0, 2, 0, 3, 0, 4, 3]
        let result = Metrics.minDisplacement(samples: offset + lastWrong, k: 2, truth: truth, steps: steps)
        // ADE: sample 0 → 1; sample 1 → 3/4. FDE: sample 0 → 1; sample 1 → 3. Minimised independently.
        #expect(abs(result.ade - 0.75) < 1e-12)
        #expect(abs(result.fde - 1) < 1e-12)
    }

    @Test func constantVelocityOnStraightAndTurningWalkers() {
        var straight = WindowSet()
        straight.add([straightTrack("1", steps: 0...19, velocity: [0.4, 0.3])], scene: 0)
        let prediction = ConstantVelocity.predict(straight, [0])
        let errors = Metrics.minDisplacements(samples: prediction, windows: straight, indices: [0])
        #expect(errors[0].ade < 1e-5 && errors[0].fde < 1e-5)
        // A walker turning at constant rate: constant velocity drifts outwards, and k noisy headings
        // contain a better one.
        let turning = walkers(1, steps: 20, seed: 3)
        let cv = Metrics.minDisplacements(samples: ConstantVelocity.predict(turning, [0]), windows: turning, indices: [0])
        var rng = Xoshiro256(seed: 1)
        let sampled = ConstantVelocity.sample(turning, [0], k: 20, headingNoiseDegrees: 25, using: &rng)
        let best = Metrics.minDisplacements(samples: sampled, windows: turning, indices: [0])
        #expect(cv[0].fde > 0.1)
        #expect(best[0].fde < cv[0].fde)
    }
}
