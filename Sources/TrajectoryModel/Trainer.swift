// Trains any `ForecastModel` with Adam on windows, one epoch after another: shuffled batches,
// optional rotation and mirroring, validation minADE/minFDE@k after each epoch, best epoch kept.
// With `averaging`, the model is an exponential moving average of the weights trained (validated,
// saved and used as the model; the weights go on training).
// A library: it reports through a callback and never prints; the caller stores checkpoints and
// decides when to stop. All randomness comes from one seeded generator whose state is part of the
// saved state, so a run resumed from any step ends with exactly the weights of an uninterrupted one.
#if canImport(Glibc)
import Glibc
#endif
import NNCore
import TrajectoryData

/// What the application layer drives without knowing the model family.
public protocol TrainingLoop: AnyObject {
    /// The settings trained with (`minimumSteps` resolved into `epochs`).
    var settings: TrainingSettings { get }
    var counters: TrainerCounters { get }
    var stepsPerEpoch: Int { get }
    /// The state to save: counters, parameters and Adam's moments.
    func state() -> TrainerState
    /// Trains until all epochs are done or `shouldStop()` returns true (checked after every step).
    func run(shouldStop: () -> Bool, progress: (TrainingEvent) -> Void) throws(ModelError) -> TrainingOutcome
    /// One epoch of steps without validation or reports (benchmarks); returns the mean loss.
    func benchmarkEpoch() throws(ModelError) -> Double
    /// Multiply-adds per training window, as performed (nil when the model does not count them).
    var trainingMultiplyAddsPerWindow: Int? { get }
}

/// What `run` reports as it goes.
public enum TrainingEvent {
    /// After every step: epoch (0-based), steps done in it, steps per epoch, running mean loss.
    case step(epoch: Int, step: Int, of: Int, loss: Double)
    /// After every epoch, with the state to checkpoint (the best one too, when `report.isBest`).
    case epoch(EpochReport, TrainerState)
}

/// How `run` ended.
public enum TrainingOutcome: Equatable {
    case completed
    /// `shouldStop` said so; the state after the last finished step is in `state()`.
    case stopped
}

public final class Trainer<Model: ForecastModel>: TrainingLoop {
    public let settings: TrainingSettings
    /// The weights trained (Adam's steps change them).
    public private(set) var weights: Model
    /// With averaging, the moving average of `weights` (empty before the first step of a phase).
    var averaged: [Float] = []
    public private(set) var counters = TrainerCounters()
    let train: WindowSet, validation: WindowSet
    var adam: Adam
    var rng: Xoshiro256
    var epochStart: Xoshiro256
    /// The epoch's order of the training windows, 4 bytes a window (an epoch of 90 million windows
    /// keeps it beside the windows' own 8 bytes each).
    var permutation: [UInt32] = []
    /// Each batch is cut into consecutive parts (`partSizes`) that run on both cores, each on a
    /// replica of the model (same values, own gradients); the gradients are then added in part
    /// order. The cut depends on the batch size only, never on the machine: same seed, same bits.
    let splits: Bool
    var replicas: [Model]
    let workspaces: [Model.TrainingWorkspace]
    var angles: [Float]
    var mirrors: [Float]
    var cutCache: (count: Int, sizes: [Int], offsets: [Int]) = (0, [], [])
    var resumed = false

    /// Checks the inputs (before any step) and builds a freshly initialised model, prepared on the
    /// training windows.
    public convenience init(_ configuration: Model.Configuration, settings: TrainingSettings, train: WindowSet,
                            validation: WindowSet) throws(ModelError) {
        try self.init(configuration, settings: settings, train: train, validation: validation, preparing: true)
    }

    init(_ configuration: Model.Configuration, settings: TrainingSettings, train: WindowSet, validation: WindowSet,
         preparing: Bool) throws(ModelError) {
        try settings.validate()
        try configuration.validate()
        try configuration.validate(training: settings)
        guard train.observed == configuration.observed, train.predicted == configuration.predicted,
              validation.observed == configuration.observed, validation.predicted == configuration.predicted else {
            throw .invalidSetting(option: "window", reason: "the windows do not have the model's observed/predicted lengths")
        }
        for (split, windows) in [("training", train), ("validation", validation)] {
            let bad = (0..<windows.count).filter { n in
                windows.withRelativePositions(n) { p in (0..<(windows.steps * 2)).contains { !p[$0].isFinite } }
            }.count
            if bad > 0 { throw .nonFiniteWindows(split: split, count: bad) }
        }
        guard train.count >= 2 else { throw .notEnoughWindows(split: "training", found: train.count, needed: 2, steps: train.steps) }
        guard train.count * (settings.reverse ? 2 : 1) <= Int(UInt32.max) else {
            throw .invalidSetting(option: "window", reason: "\(train.count) training windows, more than one epoch's order can hold (\(UInt32.max))")
        }
        guard validation.count >= 1 else {
            throw .notEnoughWindows(split: "validation", found: validation.count, needed: 1, steps: validation.steps)
        }
        // A small training set trains for more epochs, to at least `minimumSteps` (resolved once: a
        // resumed run's stored settings already hold the epochs, and resolve to themselves).
        self.settings = settings.resolvingMinimumSteps(windowsPerEpoch: train.count * (settings.reverse ? 2 : 1))
        if settings.reverse {
            var both = train
            both.addReversed()
            self.train = both
        } else {
            self.train = train
        }
        self.validation = validation
        var initialisation = Xoshiro256(seed: settings.seed)
        weights = Model(configuration, using: &initialisation)
        if preparing {
            // Data-dependent set-up from a generator of its own, so models without any draw as before.
            var preparation = Xoshiro256(seed: settings.seed &+ 0x9AE9)
            weights.prepare(self.train, mirror: settings.mirror, using: &preparation)
        }
        adam = Adam(learningRate: settings.learningRate)
        (adam.weightDecay, adam.decayed) = (settings.weightDecay, weights.parameters.weightRanges)
        rng = Xoshiro256(seed: settings.seed &+ 0x5EED)
        epochStart = rng
        let capacity = min(settings.batch, self.train.count)
        let splitting = capacity >= 64
        splits = splitting
        // As many replicas as the largest batch has parts, each as large as the largest part of
        // any batch up to that size (a last, smaller batch may have larger halves).
        let partCount = Self.partSizes(count: capacity, splits: splitting).count
        let partCapacity = (1...capacity).map { Self.partSizes(count: $0, splits: splitting).max()! }.max()!
        let initial = weights
        replicas = Array(repeating: initial, count: partCount)
        workspaces = (0..<partCount).map { _ in initial.makeTrainingWorkspace(capacity: partCapacity) }
        angles = [Float](repeating: 0, count: capacity)
        mirrors = [Float](repeating: 1, count: capacity)
        counters.generator = rng.stateWords
        counters.epochGenerator = epochStart.stateWords
        (counters.trainingWindows, counters.validationWindows) = (train.count, validation.count)
        // A resumed trainer takes them from its state (`init(resuming:)`).
        if preparing { (counters.trainingDigest, counters.validationDigest) = (train.contentDigest(), validation.contentDigest()) }
    }

    /// Continues from `state` (taken by `state()` of a trainer with the same settings and data).
    public convenience init(_ configuration: Model.Configuration, settings: TrainingSettings, train: WindowSet,
                            validation: WindowSet, resuming state: TrainerState) throws(ModelError) {
        try self.init(configuration, settings: settings, train: train, validation: validation, preparing: false)
        func values(_ tensors: [NamedTensor]) throws(ModelError) -> [Float] {
            var values = [Float](repeating: 0, count: weights.parameters.count)
            try weights.parameters.place(tensors, into: &values)
            return values
        }
        // With averaging, the parameters are the average and the weights trained are kept beside.
        if state.tensors.trainingValues.isEmpty {
            try weights.load(state.tensors.parameters)
        } else {
            try weights.load(state.tensors.trainingValues)
            averaged = try values(state.tensors.parameters)
        }
        if !state.tensors.firstMoments.isEmpty { adam.m = try values(state.tensors.firstMoments) }
        if !state.tensors.secondMoments.isEmpty { adam.v = try values(state.tensors.secondMoments) }
        guard let generator = Xoshiro256(state: state.counters.generator),
              let epochGenerator = Xoshiro256(state: state.counters.epochGenerator)
        else { throw .invalidGeneratorState }
        counters = state.counters
        // A state saved before the window counts (or digests) were kept gets them now, for the next resume.
        if counters.trainingWindows == nil { (counters.trainingWindows, counters.validationWindows) = (train.count, validation.count) }
        if counters.trainingDigest == nil {
            (counters.trainingDigest, counters.validationDigest) = (train.contentDigest(), validation.contentDigest())
        }
        resumed = true
        adam.stepCount = state.counters.adamSteps
        rng = generator
        epochStart = epochGenerator
        if counters.step > 0 {
            // Re-deal the interrupted epoch's permutation from the generator as it was then.
            var replay = epochStart
            permutation = Array(0..<UInt32(self.train.count))
            replay.shuffle(&permutation)
        }
    }

    public var stepsPerEpoch: Int { (train.count + settings.batch - 1) / settings.batch }

    /// Whether a checkpoint of this run exists to go back to: an epoch finished, or it was resumed.
    var hasCheckpoint: Bool { counters.epoch > 0 || resumed }

    public var trainingMultiplyAddsPerWindow: Int? { weights.trainingMultiplyAddsPerWindow }

    /// The model as trained so far: the weights, or with averaging their moving average.
    public var model: Model {
        guard !averaged.isEmpty else { return weights }
        var model = weights
        model.parameters.values = averaged
        return model
    }

    public func state() -> TrainerState {
        var counters = counters
        counters.generator = rng.stateWords
        counters.epochGenerator = epochStart.stateWords
        counters.adamSteps = adam.stepCount
        let parameters = weights.parameters
        var tensors = CheckpointTensors(parameters: parameters.namedTensors(averaged.isEmpty ? parameters.values : averaged))
        if !adam.m.isEmpty {
            tensors.firstMoments = parameters.namedTensors(adam.m)
            tensors.secondMoments = parameters.namedTensors(adam.v)
        }
        if !averaged.isEmpty { tensors.trainingValues = parameters.namedTensors(parameters.values) }
        return TrainerState(counters: counters, tensors: tensors)
    }

    /// Trains until all epochs are done or `shouldStop()` returns true (checked after every step).
    /// A non-finite loss throws before the step that produced it is applied.
    public func run(shouldStop: () -> Bool = { false }, progress: (TrainingEvent) -> Void = { _ in }) throws(ModelError)
        -> TrainingOutcome
    {
        try run(shouldStop: shouldStop, progress: progress, validating: true, epochs: settings.epochs)
    }

    func run(shouldStop: () -> Bool, progress: (TrainingEvent) -> Void, validating: Bool, epochs: Int) throws(ModelError)
        -> TrainingOutcome
    {
        let clock = ContinuousClock()
        let b = settings.batch
        while counters.epoch < epochs {
            let epochBegan = clock.now
            adam.learningRate = weights.configuration.learningRate(base: settings.learningRate, epoch: counters.epoch,
                                                                 epochs: settings.epochs)
            if counters.step == 0 {
                // A new phase goes on from the model as trained so far: with averaging, the average.
                var next = model
                if next.beginEpoch(counters.epoch) {
                    // A fresh optimiser and average, and the best epoch is chosen among the new
                    // phase's epochs (a checkpoint of the old phase is another model).
                    weights = next
                    let learningRate = adam.learningRate
                    adam = Adam(learningRate: learningRate)
                    (adam.weightDecay, adam.decayed) = (settings.weightDecay, weights.parameters.weightRanges)
                    (counters.bestMinADE, counters.bestEpoch) = (nil, nil)
                    (averaged, counters.averagedSteps) = ([], 0)
                }
                epochStart = rng
                permutation = Array(0..<UInt32(train.count))
                rng.shuffle(&permutation)
                counters.lossSum = 0
                counters.reconstructionSum = 0
                counters.klSum = 0
                counters.secondsInEpoch = 0
            }
            while counters.step < stepsPerEpoch {
                let batch = ArraySlice(permutation[(counters.step * b)..<min(train.count, (counters.step + 1) * b)]
                    .map { Int($0) })
                let count = batch.count
                if settings.rotate {
                    for i in 0..<count { angles[i] = rng.uniform(0, 2 * .pi) }
                }
                if settings.mirror {
                    for i in 0..<count { mirrors[i] = rng.next() & 1 == 0 ? 1 : -1 }
                }
                let loss = step(batch, epoch: counters.epoch)
                guard loss.total.isFinite else {
                    throw .nonFiniteLoss(epoch: counters.epoch, step: counters.step, loss: loss.total,
                                         checkpointKept: hasCheckpoint)
                }
                applyGradients(parts: cut(count).sizes.count)
                if settings.averaging > 0 { average() }
                counters.step += 1
                counters.lossSum += loss.total
                counters.reconstructionSum += loss.reconstruction
                counters.klSum += loss.kl
                progress(.step(epoch: counters.epoch, step: counters.step, of: stepsPerEpoch,
                               loss: counters.lossSum / Double(counters.step)))
                if shouldStop() {
                    counters.secondsInEpoch += (clock.now - epochBegan) / .seconds(1)
                    return .stopped
                }
            }
            guard validating else {
                counters.epoch += 1
                counters.step = 0
                continue
            }
            // No validation samples: the epoch is reported and saved without, and none is "best"
            // (a refit on train + val, whose val says nothing).
            let (ade, fde): (Double?, Double?) = settings.validationSamples > 0 ? validate(epoch: counters.epoch) : (nil, nil)
            if let ade, let fde, !(ade.isFinite && fde.isFinite) {
                throw .nonFiniteLoss(epoch: counters.epoch, step: counters.step, loss: ade, checkpointKept: hasCheckpoint)
            }
            let steps = Double(stepsPerEpoch)
            let isBest = ade.map { ade in counters.bestMinADE.map { ade < $0 } ?? true } ?? false
            if isBest, let ade {
                counters.bestMinADE = ade
                counters.bestEpoch = counters.epoch + 1
            }
            let report = EpochReport(
                epoch: counters.epoch + 1, loss: counters.lossSum / steps, reconstruction: counters.reconstructionSum / steps,
                kl: counters.klSum / steps, beta: weights.klWeight(epoch: counters.epoch), learningRate: adam.learningRate,
                validationMinADE: ade, validationMinFDE: fde,
                seconds: counters.secondsInEpoch + (clock.now - epochBegan) / .seconds(1), isBest: isBest)
            counters.epoch += 1
            counters.step = 0
            counters.secondsInEpoch = 0
            progress(.epoch(report, state()))
        }
        return .completed
    }

    /// How a batch of `count` windows is cut: whole below 64 windows of capacity; in two halves up to
    /// 256; beyond, in near-equal parts of at most 128, so each part's activations stay in the L2
    /// cache. Only the count decides, so results never depend on the machine.
    static func partSizes(count: Int, splits: Bool) -> [Int] {
        guard splits, count >= 2 else { return [count] }
        if count <= 256 { return [(count + 1) / 2, count / 2] }
        let parts = (count + 127) / 128
        return (0..<parts).map { count / parts + ($0 < count % parts ? 1 : 0) }
    }

    /// Forward and backward of one batch, its parts in parallel, each part's gradient left in its
    /// replica (`applyGradients` adds them and steps); returns the batch's loss.
    func step(_ batch: ArraySlice<Int>, epoch: Int) -> Loss {
        let count = batch.count
        let (sizes, offsets) = cut(count)
        let partCount = sizes.count
        let values = weights.parameters.values
        // Small per-step lists live on the stack; what a step allocates is two small closure contexts
        // (CoreTeam's withoutActuallyEscaping), about 2 mallocs per step (measured).
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: partCount) { seeds in
            withUnsafeTemporaryAllocation(of: Loss.self, capacity: partCount) { losses in
                // Each part draws its noise from a generator seeded by the p-th draw of the trainer's
                // (made here, in order, so nothing depends on timing), and computes its features, on
                // its own core.
                for p in 0..<partCount { seeds[p] = rng.next() }
                replicas.withUnsafeMutableBufferPointer { buffer in
                    let replicas = buffer
                    // Parts alternate between the cores: lane 0 takes parts 0, 2, …, lane 1 parts 1, 3, ….
                    func runPart(_ p: Int) {
                        let part = batch[(batch.startIndex + offsets[p])..<(batch.startIndex + offsets[p] + sizes[p])]
                        angles.withUnsafeBufferPointer { angles in
                            mirrors.withUnsafeBufferPointer { mirrors in
                                let training = TrainingBatch(
                                    windows: train, indices: part,
                                    angles: settings.rotate ? angles.baseAddress! + offsets[p] : nil,
                                    mirror: settings.mirror ? mirrors.baseAddress! + offsets[p] : nil,
                                    epochs: settings.epochs)
                                var generator = Xoshiro256(seed: seeds[p])
                                replicas[p].parameters.values = values
                                (losses.baseAddress! + p).initialize(to: replicas[p].trainingStep(
                                    training, epoch: epoch, workspace: workspaces[p], using: &generator,
                                    share: Float(sizes[p]) / Float(count)))
                            }
                        }
                    }
                    if partCount == 1 {
                        runPart(0)
                    } else {
                        CoreTeam.shared.run { lane in
                            for p in stride(from: lane, to: partCount, by: CoreTeam.laneCount) { runPart(p) }
                        }
                    }
                    // Let go of the replicas' references to the values, so Adam updates them in place
                    // rather than copying the whole buffer first.
                    for p in 0..<partCount { replicas[p].parameters.values = [] }
                }
                var loss = Loss(total: 0, reconstruction: 0, kl: 0)
                for p in 0..<partCount {
                    let share = Double(sizes[p]) / Double(count)
                    loss.total += share * losses[p].total
                    loss.reconstruction += share * losses[p].reconstruction
                    loss.kl += share * losses[p].kl
                }
                return loss
            }
        }
    }

    /// Part sizes and offsets of a batch of `count` windows, kept for the last count asked (all
    /// batches of an epoch but its last have the same).
    func cut(_ count: Int) -> (sizes: [Int], offsets: [Int]) {
        if cutCache.count != count {
            let sizes = Self.partSizes(count: count, splits: splits)
            var offsets = [0]
            for size in sizes.dropLast() { offsets.append(offsets.last! + size) }
            cutCache = (count, sizes, offsets)
        }
        return (cutCache.sizes, cutCache.offsets)
    }

    /// The batch's gradient, the parts' added in part order, and Adam's step, in one pass over the
    /// parameters on both cores.
    func applyGradients(parts: Int) {
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>.self, capacity: parts) { pointers in
            // Each replica's gradient stays pinned while the closures nest; the innermost steps.
            func pin(_ part: Int) {
                guard part < parts else {
                    adam.step(&weights.parameters, summing: UnsafeBufferPointer(pointers))
                    return
                }
                replicas[part].parameters.gradients.withUnsafeBufferPointer {
                    pointers[part] = $0.baseAddress!
                    pin(part + 1)
                }
            }
            pin(0)
        }
    }

    /// The moving average takes in the weights after a step: a = d·a + (1 − d)·w with
    /// d = min(decay, (1 + t) / (10 + t)) at the phase's t-th step (from 1; the first sets a = w),
    /// computed as a + (1 − d)·(w − a) so that a value training never changes (anchors, a frozen
    /// phase) stays exactly what it is.
    func average() {
        counters.averagedSteps += 1
        guard !averaged.isEmpty else {
            averaged = weights.parameters.values
            return
        }
        let t = Float(counters.averagedSteps)
        let rest = 1 - min(settings.averaging, (1 + t) / (10 + t))
        weights.parameters.values.withUnsafeBufferPointer { w in
            averaged.withUnsafeMutableBufferPointer { a in
                for i in 0..<a.count { a[i] += rest * (w[i] - a[i]) }
            }
        }
    }

    public func benchmarkEpoch() throws(ModelError) -> Double {
        counters.step = 0
        var total = 0.0
        let outcome = try run(shouldStop: { false }, progress: { event in
            if case let .step(_, _, _, loss) = event { total = loss }
        }, validating: false, epochs: counters.epoch + 1)
        precondition(outcome == .completed)
        return total
    }

    /// Validation minADE/minFDE@k (k = the settings' validation samples, or all of a model's fixed
    /// futures when it has fewer); its samples come from a generator of their own (seed, epoch), so
    /// validating never changes what training draws.
    public func validate(epoch: Int) -> (ade: Double, fde: Double) {
        var generator = Xoshiro256(seed: settings.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(epoch) &+ 0xA11CE)
        let model = model
        let k = min(settings.validationSamples, model.maximumFutures?.k ?? .max)
        let samples = model.sample(validation, Array(0..<validation.count)[...], k: k, using: &generator, inAnyOrder: true)
        return Metrics.average(Metrics.minDisplacements(samples: samples, windows: validation,
                                                        indices: Array(0..<validation.count)[...]))
    }
}
