// The models of K fixed futures: anchors (k-means++ of normalised futures) and wta (residual heads
// trained winner-takes-all, a score that ranks them): the whole WTA loss against finite
// differences, anchors that find the clusters of the data, ranked outputs, and no input that
// reads the future.
import Foundation
import NNCore
import Testing
import TrajectoryData
@testable import TrajectoryModel

/// Random values (× scale) for the named layers of a WTA model, whose heads and score start at zero,
/// so every output and gradient has something to say.
func randomise(_ names: [String], of model: inout WTAModel, scale: Float, using rng: inout Xoshiro256) throws {
    for name in names {
        let entry = try #require(model.parameters.entry(name))
        for i in entry.range.range { model.parameters.values[i] = scale * rng.normal() }
    }
}

/// Walkers going straight, left or right in equal numbers (a turn of ±0.15 rad per step after the
/// observed steps), at speeds around 0.5 m per step, in random directions.
func forkingWalkers(_ count: Int, seed: UInt64) -> WindowSet {
    var rng = Xoshiro256(seed: seed)
    var tracks: [Track] = []
    for p in 0..<count {
        var position = SIMD2(Double(rng.uniform(-10, 10)), Double(rng.uniform(-10, 10)))
        var heading = Double(rng.uniform(0, 6.28))
        let speed = 0.5 + 0.05 * Double(rng.normal()), turn = [0.0, 0.15, -0.15][p % 3]
        var points: [TrackPoint] = []
        for step in 0..<20 {
            points.append(TrackPoint(step: step, x: position.x, y: position.y))
            if step >= 7 { heading += turn }
            position += speed * SIMD2(cos(heading), sin(heading))
        }
        tracks.append(Track(pedestrian: "\(p)", points: points))
    }
    var windows = WindowSet()
    windows.add(tracks, scene: 0)
    return windows
}

/// `configuration` as JSON without `key`, as a configuration stored before that option was written
/// (through a dictionary: the encoder's key order is not fixed, so no text edit finds the key's place).
func stored(_ configuration: WTAConfiguration, without key: String) -> Data {
    var object = try! JSONSerialization.jsonObject(with: JSONEncoder().encode(configuration)) as! [String: Any]
    #expect(object.removeValue(forKey: key) != nil, "\(key) is written")
    return try! JSONSerialization.data(withJSONObject: object)
}

@Suite struct FixedFuturesTests {
    @Test func anchorsFindTheThreeWays() throws {
        let windows = forkingWalkers(90, seed: 1)
        var rng = Xoshiro256(seed: 2)
        let set = AnchorSet.fit(windows, count: 3, iterations: 20, mirror: false, using: &rng)
        // Each of the three ways is an anchor: its final point bends left, not at all, or right.
        let finals = (0..<3).map { set.anchor($0, moving: true).suffix(2) }.map { $0[$0.startIndex + 1] }.sorted()
        #expect(finals[0] < -1 && abs(finals[1]) < 0.3 && finals[2] > 1, "\(finals)")
        #expect(abs(set.movingShare.reduce(0, +) - 1) < 1e-5 && set.movingShare.allSatisfy { abs($0 - 1.0 / 3) < 0.05 })
        // No window is static: that group's anchors stand still.
        #expect(set.still.allSatisfy { $0 == 0 })
    }

    @Test func anchorsModelRanksByShareAndRefusesNothingWithinK() throws {
        let windows = forkingWalkers(60, seed: 3)
        var configuration = AnchorsConfiguration()
        configuration.futures = 4
        var settings = AnchorsConfiguration.defaultTraining
        settings.validationSamples = 4
        let trainer = try Trainer<AnchorsModel>(configuration, settings: settings, train: windows, validation: windows)
        _ = try trainer.run()
        var rng = Xoshiro256(seed: 0)
        let samples = trainer.model.sample(windows, [0, 1], k: 3, using: &rng)
        let probabilities = try #require(samples.probabilities)
        for n in 0..<2 {
            let p = Array(probabilities[(n * 3)..<(n * 3 + 3)])
            #expect(p == p.sorted(by: >) && abs(p.reduce(0, +) - 1) < 1e-5)
        }
        // The first of k is the first of K: the order is nested.
        let all = trainer.model.sample(windows, [0, 1], k: 4, using: &rng)
        #expect(all.prefix(3).values == samples.values)
        #expect(trainer.model.maximumFutures?.k == 4)
    }

    /// With one winner (plain winner-takes-all) and with two sharing the loss (evolving WTA's start),
    /// with the ADE's and the FDE's winners the same heads or each their own (`split`).
    @Test(arguments: [(Float(0), 1, false), (0.5, 1, false), (0, 2, false), (0, 1, true), (0, 2, true)])
    func wtaLossAgainstFiniteDifferences(scoreTemperature: Float, winners: Int, split: Bool) throws {
        var configuration = WTAConfiguration()
        (configuration.futures, configuration.hidden, configuration.iterations) = (3, 8, 5)
        // The walk alone (a neighbour is one more input column; the loss and its layers are the same),
        // on windows whose kinks this check was set for.
        configuration.neighbours = 0
        configuration.scoreTemperature = scoreTemperature
        configuration.winners = winners
        configuration.splitWinners = split
        let windows = forkingWalkers(12, seed: 5)
        var rng = Xoshiro256(seed: 6)
        var model = WTAModel(configuration, using: &rng)
        model.prepare(windows, mirror: true, using: &rng)
        // Non-zero heads and score, so every gradient has something to say.
        try randomise(["heads.weight", "heads.bias", "score.weight", "score.bias"], of: &model, scale: 0.1, using: &rng)
        let mirror: [Float] = (0..<6).map { $0 % 2 == 0 ? 1 : -1 }
        let w = model.makeTrainingWorkspace(capacity: 6)
        #expect(configuration.winnerCount(epoch: 0, epochs: 10) == winners)
        func loss(_ probe: inout WTAModel) -> Loss {
            mirror.withUnsafeBufferPointer {
                probe.trainingStep(TrainingBatch(windows: windows, indices: [0, 2, 3, 5, 7, 11], mirror: $0.baseAddress!,
                                                 epochs: 10),
                                   epoch: 0, workspace: w, using: &rng, share: 1)
            }
        }
        model.parameters.gradients = [Float](repeating: .nan, count: model.parameters.count)
        _ = loss(&model)
        let analytic = model.parameters.gradients
        #expect(!analytic.contains { $0.isNaN }, "every gradient is written")
        let anchors = model.anchors, speedRange = try #require(model.speedRange)
        #expect([anchors.moving, anchors.still, anchors.movingShare, anchors.stillShare, speedRange]
            .allSatisfy { range in range.range.allSatisfy { analytic[$0] == 0 } })
        // The anchors and the speed's range are fitted, not trained. The trunk and the heads follow the
        // winner-takes-all loss alone (the score's cross-entropy is kept out of the trunk); the score
        // follows the whole.
        let scoreRange = try #require(model.parameters.entry("score.weight")).range.offset
            ..< (try #require(model.parameters.entry("score.bias")).range.range.upperBound)
        let trunkAndHeads = Array(model.anchors.stillShare.range.upperBound..<scoreRange.lowerBound)
        for (indices, part) in [(trunkAndHeads, \Loss.reconstruction), (Array(scoreRange), \Loss.total)] {
            let result = gradientCheck(values: model.parameters.values, analytic: analytic, indices: indices, step: 1e-3,
                                       absoluteTolerance: 1e-3, skipKinks: true) { values in
                var probe = model
                probe.parameters.values = values
                return loss(&probe)[keyPath: part]
            }
            #expect(result.passed, "\(result)")
            #expect(result.skipped * 20 <= result.checked + result.skipped, "at most 5 % at kinks: \(result)")
        }
    }

    @Test func theWinnersNarrowFromTheirCountToOneOverThirtyPercentOfTheEpochs() throws {
        var configuration = WTAConfiguration()
        #expect(configuration.narrowing == 0.5)
        (configuration.winners, configuration.narrowing) = (10, 0.3)
        // 30 epochs: narrowed by epoch 9; in between round(10 · (1 − epoch / 9)).
        #expect((0..<12).map { configuration.winnerCount(epoch: $0, epochs: 30) } == [10, 9, 8, 7, 6, 4, 3, 2, 1, 1, 1, 1])
        #expect(configuration.winnerCount(epoch: 29, epochs: 30) == 1)
        // Never more than the K heads; 1 is plain winner-takes-all from the start.
        configuration.futures = 4
        #expect(configuration.winnerCount(epoch: 0, epochs: 30) == 4)
        configuration.winners = 1
        #expect((0..<30).allSatisfy { configuration.winnerCount(epoch: $0, epochs: 30) == 1 })
        // Narrowing over half of the epochs: 20 heads, 30 epochs, one alone from epoch 15.
        var half = try WTAConfiguration(options: ModelOptions(["narrowing": "0.5", "winners": "20"]))
        #expect(half.narrowing == 0.5)
        #expect([0, 5, 14, 15].map { half.winnerCount(epoch: $0, epochs: 30) } == [20, 13, 1, 1])
        half.narrowing = 0
        #expect(throws: ModelError.self) { try half.validate() }
        #expect(throws: ModelError.self) { try WTAConfiguration(options: ModelOptions(["narrowing": "half"])) }
        // A configuration stored before the option trains as it did.
        var seven = WTAConfiguration()
        seven.winners = 7
        #expect(try! JSONDecoder().decode(WTAConfiguration.self, from: stored(seven, without: "winners")).winners == 1)
        #expect(try! JSONDecoder().decode(WTAConfiguration.self, from: stored(WTAConfiguration(), without: "narrowing"))
            .narrowing == 0.3)
        // Split winners are the default; one stored before them trains with the heads of least ADE + FDE.
        #expect(WTAConfiguration().splitWinners)
        #expect(try WTAConfiguration(options: ModelOptions(["split-winners": "0"])).splitWinners == false)
        #expect(try! JSONDecoder().decode(WTAConfiguration.self, from: stored(WTAConfiguration(), without: "splitWinners"))
            .splitWinners == false)
        #expect(throws: ModelError.self) { try WTAConfiguration(options: ModelOptions(["winners": "0"])).validate() }
    }

    /// The heads' backward pass over the rows the loss wrote (one or two heads per window) gives every
    /// gradient of the dense pass to the bit, with the winners apart or not, few or many; and training
    /// chooses it by itself once the winners have narrowed.
    @Test(arguments: [(1, true), (3, true), (1, false), (4, false)])
    func theHeadsSparseBackwardIsTheDenseOneToTheBit(winners: Int, split: Bool) throws {
        var configuration = WTAConfiguration()
        (configuration.futures, configuration.hidden, configuration.iterations, configuration.winners) = (6, 32, 5, winners)
        configuration.splitWinners = split
        let windows = forkingWalkers(40, seed: 12)
        var rng = Xoshiro256(seed: 13)
        var model = WTAModel(configuration, using: &rng)
        model.prepare(windows, mirror: true, using: &rng)
        try randomise(["heads.weight", "heads.bias", "score.weight"], of: &model, scale: 0.2, using: &rng)
        let indices = Array(0..<windows.count).filter { $0 % 5 != 2 }.prefix(32)
        let mirror: [Float] = (0..<32).map { $0 % 3 == 0 ? -1 : 1 }
        let w = model.makeTrainingWorkspace(capacity: 32)
        #expect(model.heads.sparseBackwardIsExact(batch: 32))
        func gradients(sparse: Bool?) -> [UInt32] {
            w.sparseHeads = sparse
            var probe = model, seeded = Xoshiro256(seed: 14)
            probe.parameters.gradients = [Float](repeating: .nan, count: probe.parameters.count)
            _ = mirror.withUnsafeBufferPointer {
                probe.trainingStep(TrainingBatch(windows: windows, indices: indices, mirror: $0.baseAddress!, epochs: 10),
                                   epoch: 0, workspace: w, using: &seeded, share: 1)
            }
            return probe.parameters.gradients.map(\.bitPattern)
        }
        let dense = gradients(sparse: false)
        #expect(!dense.contains(Float.nan.bitPattern))
        /// How many gradients differ from the dense pass's in their bits.
        func differing(_ other: [UInt32]) -> Int { zip(other, dense).filter { $0 != $1 }.count }
        #expect(differing(gradients(sparse: true)) == 0)
        // The rows written: each window's ADE winners whole (24 rows each), its FDE winners' last step.
        let rows = Int(w.rowStarts[32])
        #expect(rows >= 32 * winners * configuration.futureSize)
        #expect(rows <= 32 * winners * (configuration.futureSize + (split ? 2 : 0)))
        // Left to itself, the sparse pass where at most a third of the rows is written (one winner of 6
        // heads, with or without the FDE's), the dense one for 3 or 4 winners: the same bits.
        #expect(differing(gradients(sparse: nil)) == 0)
        #expect(w.tookSparseHeads == (winners == 1))
    }

    /// The reported loss is the mean, over windows, of the mean ADE + FDE (meters) of each window's m
    /// best futures — split: the mean ADE of the m of least ADE + the mean FDE of the m of least FDE —
    /// recomputed here from the K futures the model returns.
    @Test(arguments: [(1, false), (3, false), (5, false), (1, true), (3, true)])
    func theLossIsTheMeanOfEachWindowsBestFew(winners: Int, split: Bool) throws {
        var configuration = WTAConfiguration()
        (configuration.futures, configuration.hidden, configuration.iterations, configuration.winners) = (5, 8, 5, winners)
        configuration.splitWinners = split
        let windows = forkingWalkers(10, seed: 8)
        var rng = Xoshiro256(seed: 9)
        var model = WTAModel(configuration, using: &rng)
        model.prepare(windows, mirror: false, using: &rng)
        try randomise(["heads.weight", "heads.bias"], of: &model, scale: 0.2, using: &rng)
        let indices = Array(0..<windows.count)
        let w = model.makeTrainingWorkspace(capacity: indices.count)
        let loss = model.trainingStep(TrainingBatch(windows: windows, indices: indices[...], epochs: 100), epoch: 0,
                                      workspace: w, using: &rng, share: 1)
        let futures = model.sampleInAnyOrder(windows, indices[...], k: 5, using: &rng,
                                             workspace: model.makeSamplingWorkspace(windows: indices.count, k: 5))
        var expected = 0.0
        for n in indices {
            let truth = windows.futurePositions(n)
            var averages: [Double] = [], finals: [Double] = []
            for k in 0..<5 {
                var sum = 0.0, last = 0.0
                for t in 0..<configuration.predicted {
                    let future = futures[window: n, sample: k, step: t]
                    let dx = Double(future.x) - Double(truth[2 * t]), dy = Double(future.y) - Double(truth[2 * t + 1])
                    last = (dx * dx + dy * dy).squareRoot()
                    sum += last
                }
                averages.append(sum / Double(configuration.predicted))
                finals.append(last)
            }
            func best(_ values: [Double]) -> Double { values.sorted().prefix(winners).reduce(0, +) / Double(winners) }
            expected += split ? best(averages) + best(finals) : best(zip(averages, finals).map(+))
        }
        expected /= Double(indices.count)
        #expect(abs(loss.reconstruction - expected) < 1e-4 * expected, "\(loss.reconstruction) against \(expected)")
    }

    /// `input-noise` jitters the observed positions the trunk reads, by σ meters, in training only:
    /// the moving flag, the speed, the neighbours and the futures stay as they are.
    @Test func inputNoiseJittersTheObservedInputsOnly() throws {
        var configuration = WTAConfiguration()
        (configuration.futures, configuration.hidden, configuration.iterations) = (3, 8, 5)
        let windows = forkingWalkers(40, seed: 21)
        var rng = Xoshiro256(seed: 22)
        var clean = WTAModel(configuration, using: &rng)
        clean.prepare(windows, mirror: false, using: &rng)
        var jittering = configuration
        jittering.inputNoise = 0.05
        var noisy = WTAModel(jittering, using: &rng)
        noisy.parameters = clean.parameters
        let indices = Array(0..<windows.count)
        let (a, b) = (clean.makeTrainingWorkspace(capacity: indices.count), noisy.makeTrainingWorkspace(capacity: indices.count))
        for (model, w) in [(clean, a), (noisy, b)] {
            var probe = model, draws = Xoshiro256(seed: 23)
            _ = probe.trainingStep(TrainingBatch(windows: windows, indices: indices[...], epochs: 10), epoch: 0, workspace: w,
                                   using: &draws, share: 1)
        }
        let n = indices.count, jittered = 2 * (configuration.observed - 1)
        var offsets: [Double] = []
        for row in 0..<jittered {
            for column in 0..<n { offsets.append(Double((b.x[row * n + column] - a.x[row * n + column]) / a.frames[column].scale)) }
        }
        let mean = offsets.reduce(0, +) / Double(offsets.count)
        let deviation = (offsets.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(offsets.count)).squareRoot()
        #expect(abs(mean) < 0.01 && abs(deviation - 0.05) < 0.005, "mean \(mean), σ \(deviation) over \(offsets.count)")
        #expect(Array(a.x[(jittered * n)...]) == Array(b.x[(jittered * n)...]), "flag, speed and neighbours as they were")
        #expect(a.target == b.target && a.frames == b.frames)
        // Sampling reads the windows as they are.
        var none = Xoshiro256(seed: 0)
        #expect(clean.sample(windows, indices[...], k: 3, using: &none).values
                    == noisy.sample(windows, indices[...], k: 3, using: &none).values)
        #expect(throws: ModelError.self) { try WTAConfiguration(options: ModelOptions(["input-noise": "-0.1"])).validate() }
        #expect(try JSONDecoder().decode(WTAConfiguration.self, from: stored(WTAConfiguration(), without: "inputNoise"))
            .inputNoise == 0)
    }

    /// Straight walkers at `speeds` (m per step), in random directions.
    func walkers(at speeds: [Double], seed: UInt64) -> WindowSet {
        var rng = Xoshiro256(seed: seed)
        let tracks = speeds.enumerated().map { p, speed in
            let start = SIMD2(Double(rng.uniform(-10, 10)), Double(rng.uniform(-10, 10)))
            let heading = Double(rng.uniform(0, 6.28))
            return Track(pedestrian: "\(p)", points: (0..<20).map {
                let q = start + Double($0) * speed * SIMD2(cos(heading), sin(heading))
                return TrackPoint(step: $0, x: q.x, y: q.y)
            })
        }
        var windows = WindowSet()
        windows.add(tracks, scene: 0)
        return windows
    }

    @Test func wtaReadsTheSpeedClampedToTheTrainingRange() throws {
        // 201 walkers from 0.4 to 0.8 m per step, and 20 standing ones (static: no speed read).
        let speeds = (0...200).map { 0.4 + 0.002 * Double($0) }
        let training = walkers(at: speeds + Array(repeating: 0.1, count: 20), seed: 3)
        var rng = Xoshiro256(seed: 4)
        var model = WTAModel(WTAConfiguration(), using: &rng)
        model.prepare(training, mirror: true, using: &rng)
        // The 1st and 99th percentiles of ln(speed / 0.5) over the moving windows (one per walker).
        let range = try #require(model.speedRange)
        let (lower, upper) = (model.parameters.values[range.offset], model.parameters.values[range.offset + 1])
        #expect(abs(lower - Float(log(0.404 / 0.5))) < 1e-4 && abs(upper - Float(log(0.796 / 0.5))) < 1e-4, "\(lower) \(upper)")
        // A walker's input: ln(speed / 0.5) within the range, the nearest bound outside it, 0 standing.
        let c = model.configuration
        let probes = walkers(at: [0.6, 1.5, 0.35, 0.1], seed: 5)
        let w = model.makeSamplingWorkspace(windows: 4, k: 1)
        model.features(probes, [0, 1, 2, 3], mirror: nil, targets: false, into: w)
        let read = (0..<4).map { w.x[c.speedOffset * 4 + $0] }
        let expected = [Float(log(1.2)), upper, lower, 0]
        #expect(zip(read, expected).allSatisfy { abs($0 - $1) < 1e-4 }, "\(read)")
        #expect((0..<4).map { w.x[(c.speedOffset - 1) * 4 + $0] } == [1, 1, 1, 0], "the moving flags")
        // Without it the input is one shorter and there is no range; configurations stored before it
        // existed decode without it.
        var plain = WTAConfiguration()
        plain.speedInput = false
        #expect(plain.inputSize == c.inputSize - 1 && WTAModel(plain, using: &rng).speedRange == nil)
        var json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(c)) as? [String: Any])
        json["speedInput"] = nil
        let old = try JSONDecoder().decode(WTAConfiguration.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(!old.speedInput && c.speedInput)
    }

    @Test func wtaLearnsTheForkAndRanksItsFutures() throws {
        let windows = forkingWalkers(300, seed: 7)
        var configuration = WTAConfiguration()
        (configuration.futures, configuration.hidden) = (6, 32)
        var settings = WTAConfiguration.defaultTraining
        (settings.epochs, settings.batch, settings.validationSamples, settings.learningRate) = (40, 64, 6, 3e-3)
        settings.minimumSteps = 0
        // These walkers turn only after step 7: walked backwards they turn before and go straight,
        // another scene than the one the fork's futures are checked against.
        settings.reverse = false
        let trainer = try Trainer<WTAModel>(configuration, settings: settings, train: windows, validation: windows)
        var last: EpochReport?
        _ = try trainer.run(progress: { if case let .epoch(report, _) = $0 { last = report } })
        // Three futures cover the three ways: the best of 3 is close, much closer than the best of 1.
        var rng = Xoshiro256(seed: 0)
        let all = Array(0..<windows.count)[...]
        let three = Metrics.average(Metrics.minDisplacements(samples: trainer.model.sample(windows, all, k: 3, using: &rng),
                                                             windows: windows, indices: all))
        let one = Metrics.average(Metrics.minDisplacements(samples: trainer.model.sample(windows, all, k: 1, using: &rng),
                                                           windows: windows, indices: all))
        #expect(three.fde < 0.35 && one.fde > 2 * three.fde, "k=3 \(three), k=1 \(one), \(String(describing: last))")
        // The probabilities sum to 1 over the k returned; the three ways hold about a third each.
        let ranked = try #require(trainer.model.sample(windows, [4], k: 3, using: &rng).probabilities)
        #expect(abs(ranked.reduce(0, +) - 1) < 1e-5 && ranked.allSatisfy { abs($0 - 1.0 / 3) < 0.15 }, "\(ranked)")
        // The best single guess is the straight way, between the turns (each ends about 4.3 m to its
        // side): the first future's last point lies within a meter of the walker's heading line.
        let first = trainer.model.sample(windows, all, k: 1, using: &rng)
        let sideways = all.map { n -> Float in
            let observed = windows.observedPositions(n), o = observed.startIndex + 2 * (configuration.observed - 2)
            let heading = SIMD2(-observed[o], -observed[o + 1]) / (observed[o] * observed[o] + observed[o + 1] * observed[o + 1]).squareRoot()
            let last = first.offset(window: n - all.startIndex, sample: 0) + 2 * (configuration.predicted - 1)
            return abs(heading.x * first.values[last + 1] - heading.y * first.values[last])
        }.sorted()
        #expect(sideways[sideways.count / 2] < 1, "median sideways \(sideways[sideways.count / 2]) m")
        // Validation's minimum over all K needs no ranking: the same futures of each window, in
        // head order, and the same validation numbers; fewer than K are ranked as `sample` ranks them.
        let ranked6 = trainer.model.sample(windows, all, k: 6, using: &rng)
        let unranked = trainer.model.sample(windows, all, k: 6, using: &rng, inAnyOrder: true)
        #expect(unranked.values != ranked6.values)
        for n in [0, 1, 150] {
            func futures(_ samples: Samples) -> [[Float]] {
                (0..<6).map { f in Array(samples.values[samples.offset(window: n, sample: f)..<(samples.offset(window: n, sample: f) + 24)]) }
            }
            #expect(futures(unranked).sorted { $0.lexicographicallyPrecedes($1) } == futures(ranked6).sorted { $0.lexicographicallyPrecedes($1) })
        }
        #expect(Metrics.minDisplacements(samples: unranked, windows: windows, indices: all).map { [$0.ade, $0.fde] }
                    == Metrics.minDisplacements(samples: ranked6, windows: windows, indices: all).map { [$0.ade, $0.fde] })
        #expect(trainer.model.sample(windows, all, k: 4, using: &rng, inAnyOrder: true).values
                    == trainer.model.sample(windows, all, k: 4, using: &rng).values)
    }

    @Test(arguments: [false, true])
    func noInputOfTheFixedFutureModelsSeesTheFuture(wta: Bool) throws {
        var windows = forkingWalkers(30, seed: 9)
        var configuration = WTAConfiguration()
        (configuration.futures, configuration.hidden) = (4, 16)
        var rng = Xoshiro256(seed: 10)
        var model = WTAModel(configuration, using: &rng)
        model.prepare(windows, mirror: false, using: &rng)
        try randomise(["heads.weight", "score.weight"], of: &model, scale: 0.1, using: &rng)
        var anchorsModel = AnchorsModel(AnchorsConfiguration(), using: &rng)
        anchorsModel.prepare(windows, mirror: false, using: &rng)
        func predict() -> Samples {
            var generator = Xoshiro256(seed: 1)
            return wta ? model.sample(windows, Array(0..<30)[...], k: 4, using: &generator)
                : anchorsModel.sample(windows, Array(0..<30)[...], k: 4, using: &generator)
        }
        let before = predict()
        for n in 0..<windows.count { windows.setFuture(n, (0..<24).map { _ in rng.uniform(-50, 50) }) }
        #expect(predict() == before)
    }
}

@Suite struct FixedFuturesDeterminismTests {
    @Test func wtaSameSeedSameWeightsAndExactResume() throws {
        let data = forkingWalkers(120, seed: 11), validation = forkingWalkers(9, seed: 12)
        var configuration = WTAConfiguration()
        (configuration.futures, configuration.hidden) = (4, 16)
        var settings = WTAConfiguration.defaultTraining
        (settings.epochs, settings.batch, settings.validationSamples, settings.minimumSteps) = (4, 100, 4, 0)
        let a = try Trainer<WTAModel>(configuration, settings: settings, train: data, validation: validation)
        let b = try Trainer<WTAModel>(configuration, settings: settings, train: data, validation: validation)
        _ = try a.run()
        _ = try b.run()
        #expect(a.model.parameters.values == b.model.parameters.values)
        // Batches of 100 are cut in two parts on the two cores; stopped in the epoch the learning rate drops.
        let first = try Trainer<WTAModel>(configuration, settings: settings, train: data, validation: validation)
        var steps = 0
        #expect(try first.run(shouldStop: { steps += 1; return steps == 3 * first.stepsPerEpoch - 1 }) == .stopped)
        let resumed = try Trainer<WTAModel>(configuration, settings: settings, train: data, validation: validation,
                                            resuming: first.state())
        _ = try resumed.run()
        #expect(resumed.model.parameters.values == a.model.parameters.values)
        var other = settings
        other.seed = 1
        let c = try Trainer<WTAModel>(configuration, settings: other, train: data, validation: validation)
        _ = try c.run()
        #expect(c.model.parameters.values != a.model.parameters.values)
    }
}

@Suite struct NeighbourInputTests {
    /// Tables and `runs` say what a model reads: the neighbours and their radius as written.
    @Test func labelsAndSummariesNameTheNeighboursRead() throws {
        func configuration(_ options: [String: String]) throws -> WTAConfiguration {
            try WTAConfiguration(options: ModelOptions(options))
        }
        #expect(try configuration([:]).label == "WTA (K 20, 1 neighbour within 2 m)")
        #expect(try configuration([:]).summary
                    == "20 heads on anchors, trunk 2 × 128, speed, best 20 → 1, ADE's and FDE's winners apart, the nearest neighbour within 2 m")
        #expect(try configuration(["neighbours": "0"]).label == "WTA (K 20)")
        #expect(try configuration(["neighbours": "3", "neighbour-radius": "1.5"]).label == "WTA (K 20, 3 neighbours within 1.5 m)")
        #expect(try configuration(["neighbours": "2", "neighbour-radius": "0", "split-winners": "0", "winners": "10"]).summary
                    == "20 heads on anchors, trunk 2 × 128, speed, best 10 → 1, the nearest 2 neighbours")
        #expect(try configuration(["neighbour-radius": "1e12"]).label == "WTA (K 20, 1 neighbour within 1e+12 m)")
    }

    /// Tracks of forkingWalkers, every window ending its observation at step 7.
    func tracks(_ moved: Bool) -> [Track] {
        let windows = forkingWalkers(40, seed: 13)
        var rng = Xoshiro256(seed: 14)
        return (0..<windows.count).map { n in
            let origin = windows.origins[n], relative = windows.relativePositions(n)
            return Track(pedestrian: "\(n)", points: (0..<20).map { t in
                var x = origin.x + Double(relative[t * 2]), y = origin.y + Double(relative[t * 2 + 1])
                if moved, t > 7 { (x, y) = (x + Double(rng.uniform(-30, 30)), y + Double(rng.uniform(-30, 30))) }
                return TrackPoint(step: t, x: x, y: y)
            })
        }
    }

    @Test func wtaWithNeighboursReadsNoFuturePositionOwnOrOthers() throws {
        var configuration = WTAConfiguration()
        (configuration.futures, configuration.hidden, configuration.neighbours) = (4, 16, 3)
        configuration.neighbourRadius = 0   // every other walker within reach, as many as possible read
        var plain = WindowSet(), moved = WindowSet()
        plain.add(tracks(false), scene: 0)
        moved.add(tracks(true), scene: 0)
        var rng = Xoshiro256(seed: 15)
        var model = WTAModel(configuration, using: &rng)
        model.prepare(plain, mirror: false, using: &rng)
        try randomise(["heads.weight", "score.weight"], of: &model, scale: 0.1, using: &rng)
        let all = Array(0..<plain.count)[...]
        var a = Xoshiro256(seed: 1), b = Xoshiro256(seed: 1)
        #expect(model.sample(plain, all, k: 4, using: &a) == model.sample(moved, all, k: 4, using: &b))
        // The neighbours are read: without them (another scene each) the futures differ.
        var alone = WindowSet()
        for (s, track) in tracks(false).enumerated() { alone.add([track], scene: s) }
        #expect(model.sample(alone, all, k: 4, using: &a) != model.sample(plain, all, k: 4, using: &b))
    }

    /// A neighbour's step before the last observed one is read as at most 4 m long: one that jumped
    /// 100 m (a tracker's identity swap) reads as one that stepped 4 m the same way.
    @Test func aNeighboursJumpIsReadAsAFourMetreStep() throws {
        func scene(jump: Double?) -> WindowSet {
            let a = Track(pedestrian: "a", points: (0..<20).map { TrackPoint(step: $0, x: 0.5 * Double($0), y: 0) })
            // b stands 1 m beside where a's observation ends, but for a jump along y at step 6.
            let b = Track(pedestrian: "b", points: (0..<20).map {
                TrackPoint(step: $0, x: 3.5, y: 1 + ($0 == 6 ? jump ?? 0 : 0))
            })
            var windows = WindowSet()
            windows.add([a, b], scene: 0)
            return windows
        }
        var configuration = WTAConfiguration()
        (configuration.futures, configuration.hidden, configuration.neighbours) = (4, 16, 1)
        var rng = Xoshiro256(seed: 17)
        var model = WTAModel(configuration, using: &rng)
        model.prepare(scene(jump: nil), mirror: false, using: &rng)
        try randomise(["heads.weight", "score.weight"], of: &model, scale: 0.1, using: &rng)
        func futures(_ windows: WindowSet) -> [Float] {
            var generator = Xoshiro256(seed: 1)
            return model.sample(windows, [0], k: 4, using: &generator).values
        }
        let jumped = futures(scene(jump: 100))
        #expect(jumped.allSatisfy { $0.isFinite })
        #expect(jumped == futures(scene(jump: 4)))
        #expect(jumped != futures(scene(jump: 2)) && jumped != futures(scene(jump: nil)))
    }

    /// A configuration stored before the radius existed reads neighbours at any distance; one stored
    /// before neighbours existed reads none (the input its weights were trained on).
    @Test func storedConfigurationsReadTheNeighboursTheyWereTrainedWith() throws {
        var configuration = WTAConfiguration()
        (configuration.neighbours, configuration.neighbourRadius) = (3, 2)
        var object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(configuration)) as? [String: Any])
        func decoded() throws -> WTAConfiguration {
            try JSONDecoder().decode(WTAConfiguration.self, from: JSONSerialization.data(withJSONObject: object))
        }
        #expect(try decoded() == configuration)
        object["neighbourRadius"] = nil
        let withoutRadius = try decoded()
        #expect(withoutRadius.neighbours == 3 && withoutRadius.neighbourRadius == 0)
        object["neighbours"] = nil
        #expect(try decoded().neighbours == 0)
        #expect(throws: ModelError.self) { try WTAConfiguration(options: ModelOptions(["neighbour-radius": "-1"])).validate() }
    }

    /// Others farther than `neighbourRadius` at the last observed step read as absent; nearer ones
    /// are read (and with radius 0, any distance is).
    @Test(arguments: [(Float(4), false), (0, true)])
    func neighboursBeyondTheRadiusAreAbsent(radius: Float, farIsRead: Bool) throws {
        func walker(_ name: String, offset: Double) -> Track {
            Track(pedestrian: name, points: (0..<20).map { TrackPoint(step: $0, x: 0.5 * Double($0), y: offset) })
        }
        func scene(_ neighbourOffset: Double?) -> WindowSet {
            var windows = WindowSet()
            windows.add([walker("a", offset: 0)] + (neighbourOffset.map { [walker("b", offset: $0)] } ?? []), scene: 0)
            return windows
        }
        var configuration = WTAConfiguration()
        (configuration.futures, configuration.hidden, configuration.neighbours) = (4, 16, 1)
        configuration.neighbourRadius = radius
        var rng = Xoshiro256(seed: 16)
        var model = WTAModel(configuration, using: &rng)
        model.prepare(scene(3), mirror: false, using: &rng)
        try randomise(["heads.weight", "score.weight"], of: &model, scale: 0.1, using: &rng)
        func futures(_ windows: WindowSet) -> [Float] {
            var generator = Xoshiro256(seed: 1)
            return model.sample(windows, [0], k: 4, using: &generator).values
        }
        let alone = futures(scene(nil))
        #expect(futures(scene(3)) != alone)
        #expect(futures(scene(-3.9)) != alone)
        #expect((futures(scene(6)) != alone) == farIsRead)
    }
}
