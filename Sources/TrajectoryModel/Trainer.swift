// Trains a TrajectoryCVAE with Adam on windows, one epoch after another: shuffled batches,
// optional rotation, validation minADE/minFDE@k after each epoch, best epoch kept. A library:
// it reports through a callback and never prints; the caller stores checkpoints and decides when
// to stop. All randomness comes from one seeded generator whose state is part of the saved state,
// so a run resumed from any step ends with exactly the weights of an uninterrupted one.
#if canImport(Glibc)
import Glibc
#endif
import NNCore
import TrajectoryData

/// Why training cannot start or go on.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case notEnoughWindows(split: String, found: Int, needed: Int)
    case invalidSetting(String)
    case nonFiniteLoss(epoch: Int, step: Int, loss: Double)
    case incompatibleState(String)

    public var description: String {
        switch self {
        case let .notEnoughWindows(split, found, needed):
            return "the \(split) data has \(found) windows of 20 consecutive steps; at least \(needed) are needed "
                + "(choose more scenes, or shorter windows)"
        case let .invalidSetting(text):
            return text
        case let .nonFiniteLoss(epoch, step, loss):
            return "the loss became \(loss) at epoch \(epoch + 1), step \(step + 1): training stopped, the last good "
                + "checkpoint is kept (try a smaller --lr, or a larger --beta-warmup)"
        case let .incompatibleState(text):
            return "cannot resume: \(text)"
        }
    }
}

/// One finished epoch.
public struct EpochReport: Codable, Sendable, Equatable {
    /// 1-based.
    public var epoch: Int
    public var loss: Double
    public var reconstruction: Double
    public var kl: Double
    public var beta: Float
    public var learningRate: Float
    public var validationMinADE: Double?
    public var validationMinFDE: Double?
    public var seconds: Double
    public var isBest: Bool
}

/// Everything a trainer needs to continue exactly where it was, besides the tensors.
public struct TrainerCounters: Codable, Sendable, Equatable {
    /// Epochs completed.
    public var epoch = 0
    /// Steps completed in the current epoch.
    public var step = 0
    public var adamSteps = 0
    public var lossSum = 0.0, reconstructionSum = 0.0, klSum = 0.0
    public var secondsInEpoch = 0.0
    public var bestMinADE: Double?
    public var bestEpoch: Int?
    /// The generator now, and as it was when the current epoch began (it shuffled that epoch).
    public var generator: [UInt64] = []
    public var epochGenerator: [UInt64] = []

    public init() {}

    enum CodingKeys: String, CodingKey {
        case epoch, step, adamSteps, lossSum, reconstructionSum, klSum, secondsInEpoch, bestMinADE, bestEpoch
        case generator, epochGenerator
    }

    // Generator words are written as hex strings: a JSON number cannot hold 64 bits exactly.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epoch = try c.decode(Int.self, forKey: .epoch)
        step = try c.decode(Int.self, forKey: .step)
        adamSteps = try c.decode(Int.self, forKey: .adamSteps)
        lossSum = try c.decode(Double.self, forKey: .lossSum)
        reconstructionSum = try c.decode(Double.self, forKey: .reconstructionSum)
        klSum = try c.decode(Double.self, forKey: .klSum)
        secondsInEpoch = try c.decode(Double.self, forKey: .secondsInEpoch)
        bestMinADE = try c.decodeIfPresent(Double.self, forKey: .bestMinADE)
        bestEpoch = try c.decodeIfPresent(Int.self, forKey: .bestEpoch)
        func words(_ key: CodingKeys) throws -> [UInt64] {
            try c.decode([String].self, forKey: key).map { text in
                guard let word = UInt64(text, radix: 16) else {
                    throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not a hex word: \(text)")
                }
                return word
            }
        }
        generator = try words(.generator)
        epochGenerator = try words(.epochGenerator)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(step, forKey: .step)
        try c.encode(adamSteps, forKey: .adamSteps)
        try c.encode(lossSum, forKey: .lossSum)
        try c.encode(reconstructionSum, forKey: .reconstructionSum)
        try c.encode(klSum, forKey: .klSum)
        try c.encode(secondsInEpoch, forKey: .secondsInEpoch)
        try c.encodeIfPresent(bestMinADE, forKey: .bestMinADE)
        try c.encodeIfPresent(bestEpoch, forKey: .bestEpoch)
        try c.encode(generator.map { String($0, radix: 16) }, forKey: .generator)
        try c.encode(epochGenerator.map { String($0, radix: 16) }, forKey: .epochGenerator)
    }
}

/// A trainer's complete state: counters, parameters and Adam's moments, by name.
public struct TrainerState: Sendable {
    public var counters: TrainerCounters
    public var tensors: [NamedArray]

    public init(counters: TrainerCounters, tensors: [NamedArray]) {
        self.counters = counters
        self.tensors = tensors
    }
}

public final class Trainer {
    public let settings: TrainingSettings
    public private(set) var model: TrajectoryCVAE
    public private(set) var counters = TrainerCounters()
    let train: WindowSet, validation: WindowSet
    var adam: Adam
    var rng: Xoshiro256
    var epochStart: Xoshiro256
    var permutation: [Int] = []
    /// Each batch is cut into consecutive parts (`partSizes`) that run on both cores, each on a
    /// replica of the model (same values, own gradients); the gradients are then added in part
    /// order. The cut depends on the batch size only, never on the machine: same seed, same bits.
    let splits: Bool
    var replicas: [TrajectoryCVAE]
    let workspaces: [TrajectoryCVAE.Workspace]
    var angles: [Float]
    var mirrors: [Float]
    var cutCache: (count: Int, sizes: [Int], offsets: [Int]) = (0, [], [])

    /// Checks the inputs (before any step) and builds a freshly initialised model.
    public init(settings: TrainingSettings, train: WindowSet, validation: WindowSet) throws(TrainingError) {
        guard settings.epochs >= 1 else { throw .invalidSetting("--epochs must be at least 1") }
        guard settings.batch >= 1 else { throw .invalidSetting("--batch must be at least 1") }
        guard settings.learningRate > 0, settings.learningRate.isFinite else {
            throw .invalidSetting("--lr must be a positive number")
        }
        guard settings.beta >= 0, settings.beta.isFinite else { throw .invalidSetting("--beta must be 0 or more") }
        guard settings.model.hidden >= 1, settings.model.latent >= 1 else {
            throw .invalidSetting("hidden and latent sizes must be at least 1")
        }
        guard train.observed == settings.model.observed, train.predicted == settings.model.predicted else {
            throw .invalidSetting("the windows do not have the model's observed/predicted lengths")
        }
        guard train.count >= 2 else { throw .notEnoughWindows(split: "training", found: train.count, needed: 2) }
        guard validation.count >= 1 else { throw .notEnoughWindows(split: "validation", found: validation.count, needed: 1) }
        self.settings = settings
        self.train = train
        self.validation = validation
        var initialisation = Xoshiro256(seed: settings.seed)
        model = TrajectoryCVAE(settings.model, using: &initialisation)
        adam = Adam(learningRate: settings.learningRate)
        rng = Xoshiro256(seed: settings.seed &+ 0x5EED)
        epochStart = rng
        let capacity = min(settings.batch, train.count)
        splits = capacity >= 64
        // As many replicas as the largest batch has parts, each as large as the largest part of
        // any batch up to that size (a last, smaller batch may have larger halves).
        let splitting = capacity >= 64
        let partCount = Trainer.partSizes(count: capacity, splits: splitting).count
        let partCapacity = (1...capacity).map { Trainer.partSizes(count: $0, splits: splitting).max()! }.max()!
        let initial = model
        replicas = Array(repeating: initial, count: partCount)
        workspaces = (0..<partCount).map { _ in TrajectoryCVAE.Workspace(initial, capacity: partCapacity) }
        angles = [Float](repeating: 0, count: capacity)
        mirrors = [Float](repeating: 1, count: capacity)
        counters.generator = rng.stateWords
        counters.epochGenerator = epochStart.stateWords
    }

    /// Continues from `state` (taken by `state()` of a trainer with the same settings and data).
    public convenience init(settings: TrainingSettings, train: WindowSet, validation: WindowSet,
                            resuming state: TrainerState) throws(TrainingError) {
        try self.init(settings: settings, train: train, validation: validation)
        for array in state.tensors {
            let (name, target) = Self.split(array.name)
            guard let entry = model.parameters.entry(name), entry.shape == array.shape else {
                throw .incompatibleState("tensor \(array.name) \(array.shape) does not fit the model")
            }
            switch target {
            case .parameter: model.parameters.values.replaceSubrange(entry.range.range, with: array.values)
            case .firstMoment:
                if adam.m.isEmpty { adam.m = [Float](repeating: 0, count: model.parameters.count) }
                adam.m.replaceSubrange(entry.range.range, with: array.values)
            case .secondMoment:
                if adam.v.isEmpty { adam.v = [Float](repeating: 0, count: model.parameters.count) }
                adam.v.replaceSubrange(entry.range.range, with: array.values)
            }
        }
        guard let generator = Xoshiro256(state: state.counters.generator),
              let epochGenerator = Xoshiro256(state: state.counters.epochGenerator)
        else { throw .incompatibleState("the saved generator state is not valid") }
        counters = state.counters
        adam.stepCount = state.counters.adamSteps
        rng = generator
        epochStart = epochGenerator
        if counters.step > 0 {
            // Re-deal the interrupted epoch's permutation from the generator as it was then.
            var replay = epochStart
            permutation = Array(0..<train.count)
            replay.shuffle(&permutation)
        }
    }

    enum Target { case parameter, firstMoment, secondMoment }

    static func split(_ name: String) -> (String, Target) {
        if name.hasPrefix("adam.m/") { return (String(name.dropFirst(7)), .firstMoment) }
        if name.hasPrefix("adam.v/") { return (String(name.dropFirst(7)), .secondMoment) }
        return (name, .parameter)
    }

    public var stepsPerEpoch: Int { (train.count + settings.batch - 1) / settings.batch }

    /// The state to save: counters, parameters, and Adam's moments (`adam.m/NAME`, `adam.v/NAME`).
    public func state() -> TrainerState {
        var counters = counters
        counters.generator = rng.stateWords
        counters.epochGenerator = epochStart.stateWords
        counters.adamSteps = adam.stepCount
        var tensors: [NamedArray] = []
        for entry in model.parameters.entries {
            let range = entry.range.range
            tensors.append(NamedArray(name: entry.name, shape: entry.shape, values: Array(model.parameters.values[range])))
            if !adam.m.isEmpty {
                tensors.append(NamedArray(name: "adam.m/" + entry.name, shape: entry.shape, values: Array(adam.m[range])))
                tensors.append(NamedArray(name: "adam.v/" + entry.name, shape: entry.shape, values: Array(adam.v[range])))
            }
        }
        return TrainerState(counters: counters, tensors: tensors)
    }

    /// What `run` reports as it goes.
    public enum Event {
        /// After every step: epoch (0-based), steps done in it, steps per epoch, running mean loss.
        case step(epoch: Int, step: Int, of: Int, loss: Double)
        /// After every epoch, with the state to checkpoint (the best one too, when `report.isBest`).
        case epoch(EpochReport, TrainerState)
    }

    /// How `run` ended.
    public enum Outcome: Equatable {
        case completed
        /// `shouldStop` said so; the state after the last finished step is in `state()`.
        case stopped
    }

    /// Trains until all epochs are done or `shouldStop()` returns true (checked after every step).
    /// A non-finite loss throws before the step that produced it is applied.
    public func run(shouldStop: () -> Bool = { false }, progress: (Event) -> Void = { _ in }) throws(TrainingError)
        -> Outcome
    {
        try run(shouldStop: shouldStop, progress: progress, validating: true, epochs: settings.epochs)
    }

    func run(shouldStop: () -> Bool, progress: (Event) -> Void, validating: Bool, epochs: Int) throws(TrainingError)
        -> Outcome
    {
        let clock = ContinuousClock()
        let b = settings.batch
        while counters.epoch < epochs {
            let epochBegan = clock.now
            let beta = settings.beta(epoch: counters.epoch)
            if counters.step == 0 {
                epochStart = rng
                permutation = Array(0..<train.count)
                rng.shuffle(&permutation)
                counters.lossSum = 0
                counters.reconstructionSum = 0
                counters.klSum = 0
                counters.secondsInEpoch = 0
            }
            while counters.step < stepsPerEpoch {
                let batch = permutation[(counters.step * b)..<min(train.count, (counters.step + 1) * b)]
                let count = batch.count
                if settings.rotate {
                    for i in 0..<count { angles[i] = rng.uniform(0, 2 * .pi) }
                }
                if settings.mirror {
                    for i in 0..<count { mirrors[i] = rng.next() & 1 == 0 ? 1 : -1 }
                }
                let loss = step(batch, beta: beta)
                guard loss.total.isFinite else {
                    throw .nonFiniteLoss(epoch: counters.epoch, step: counters.step, loss: loss.total)
                }
                applyGradients(parts: cut(count).sizes.count)
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
            let (ade, fde) = validate(epoch: counters.epoch)
            let steps = Double(stepsPerEpoch)
            let isBest = counters.bestMinADE.map { ade < $0 } ?? true
            if isBest {
                counters.bestMinADE = ade
                counters.bestEpoch = counters.epoch + 1
            }
            let report = EpochReport(
                epoch: counters.epoch + 1, loss: counters.lossSum / steps, reconstruction: counters.reconstructionSum / steps,
                kl: counters.klSum / steps, beta: beta, learningRate: adam.learningRate, validationMinADE: ade,
                validationMinFDE: fde, seconds: counters.secondsInEpoch + (clock.now - epochBegan) / .seconds(1),
                isBest: isBest)
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
    func step(_ batch: ArraySlice<Int>, beta: Float) -> TrajectoryCVAE.Loss {
        let count = batch.count
        let z = settings.model.latent
        let (sizes, offsets) = cut(count)
        let partCount = sizes.count
        let values = model.parameters.values
        // Small per-step lists live on the stack; what a step allocates is two small closure contexts
        // (CoreTeam's withoutActuallyEscaping), about 2 mallocs per step (measured).
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: partCount) { seeds in
            withUnsafeTemporaryAllocation(of: TrajectoryCVAE.Loss.self, capacity: partCount) { losses in
                // Each part draws its noise from a generator seeded by the p-th draw of the trainer's
                // (made here, in order, so nothing depends on timing), and computes its features, on
                // its own core.
                for p in 0..<partCount { seeds[p] = rng.next() }
                replicas.withUnsafeMutableBufferPointer { buffer in
                    let replicas = buffer
                    // Parts alternate between the two cores: lane 0 takes parts 0, 2, …, lane 1 parts 1, 3, ….
                    func runPart(_ p: Int) {
                        let w = workspaces[p]
                        let part = batch[(batch.startIndex + offsets[p])..<(batch.startIndex + offsets[p] + sizes[p])]
                        angles.withUnsafeBufferPointer { angles in
                            mirrors.withUnsafeBufferPointer { mirrors in
                                let rotation = settings.rotate ? angles.baseAddress! + offsets[p] : nil
                                let mirroring = settings.mirror ? mirrors.baseAddress! + offsets[p] : nil
                                Features.past(train, part, encoder: settings.model.encoder, angles: rotation,
                                              mirror: mirroring, into: &w.x)
                                Features.future(train, part, angles: rotation, mirror: mirroring, into: &w.y)
                            }
                        }
                        var generator = Xoshiro256(seed: seeds[p])
                        w.epsilon.withUnsafeMutableBufferPointer {
                            generator.fillNormal(UnsafeMutableBufferPointer(rebasing: $0[0..<(z * sizes[p])]))
                        }
                        replicas[p].parameters.values = values
                        (losses.baseAddress! + p).initialize(to: replicas[p].lossAndGradients(
                            batch: sizes[p], beta: beta, workspace: w, share: Float(sizes[p]) / Float(count)))
                    }
                    if partCount == 1 {
                        runPart(0)
                    } else {
                        CoreTeam.shared.run { lane in
                            for p in stride(from: lane, to: partCount, by: 2) { runPart(p) }
                        }
                    }
                    // Let go of the replicas' references to the values, so Adam updates them in place
                    // rather than copying the whole buffer first.
                    for p in 0..<partCount { replicas[p].parameters.values = [] }
                }
                var loss = TrajectoryCVAE.Loss(total: 0, reconstruction: 0, kl: 0)
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
                    adam.step(&model.parameters, summing: UnsafeBufferPointer(pointers))
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

    /// One epoch of training steps without validation or reports, for benchmarks: the same work
    /// per step as `run`. Returns the mean loss.
    public func benchmarkEpoch() throws(TrainingError) -> Double {
        counters.step = 0
        var total = 0.0
        let outcome = try run(shouldStop: { false }, progress: { event in
            if case let .step(_, _, _, loss) = event { total = loss }
        }, validating: false, epochs: counters.epoch + 1)
        precondition(outcome == .completed)
        return total
    }

    /// Validation minADE/minFDE@k; its samples come from a generator of their own (seed, epoch),
    /// so validating never changes what training draws.
    public func validate(epoch: Int) -> (ade: Double, fde: Double) {
        var generator = Xoshiro256(seed: settings.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(epoch) &+ 0xA11CE)
        return Self.evaluate(model, validation, k: settings.validationSamples, using: &generator)
    }

    /// Average (minADE, minFDE)@k of `model` on every window of `windows`.
    public static func evaluate(_ model: TrajectoryCVAE, _ windows: WindowSet, k: Int, using rng: inout Xoshiro256)
        -> (ade: Double, fde: Double)
    {
        let chunk = 256
        let workspace = TrajectoryCVAE.SamplingWorkspace(model, windows: min(chunk, windows.count), k: k)
        var all: [(ade: Double, fde: Double)] = []
        var start = 0
        while start < windows.count {
            let indices = Array(start..<min(windows.count, start + chunk))[...]
            let samples = model.sample(windows, indices, k: k, using: &rng, workspace: workspace)
            all += Metrics.minDisplacements(samples: samples, k: k, windows: windows, indices: indices)
            start += chunk
        }
        return Metrics.average(all)
    }
}

/// A value handed to concurrent workers that touch disjoint parts of it.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
