// The interface every trajectory model family implements, so that the trainer, the sampler,
// evaluation, checkpoint storage and the benchmarks are written once. A model owns its
// configuration, its parameters (one flat `ParameterSet`), the features it builds from a window
// (and, if it wants, the window's scene context), a training step (forward and backward of a
// batch, writing its gradients), and sampling k futures per window.
// Legend: B batch, K samples, P predicted steps.
import NNCore
import TrajectoryData

/// What a model family's configuration offers besides being stored with a run as JSON.
public protocol ModelConfiguration: Codable, Sendable, Equatable {
    /// The configuration the command-line options describe; options a family does not have are
    /// refused (`ModelError.unsupportedOption`), absent ones take the family's defaults.
    init(options: ModelOptions) throws(ModelError)
    /// Observed and predicted steps of a window.
    var observed: Int { get }
    var predicted: Int { get }
    /// Checks ranges before any work (sizes ≥ 1, …).
    func validate() throws(ModelError)
    /// One line for people: "mlp encoder, H 128, Z 16, β 0.01".
    var summary: String { get }
    /// A short name for tables: "CVAE (mlp, β 0.01)".
    var label: String { get }
    /// How the family trains unless told otherwise (epochs, augmentation, …).
    static var defaultTraining: TrainingSettings { get }
    /// Adam's learning rate in epoch `epoch` (0-based) of `epochs`, from the base rate (a schedule).
    func learningRate(base: Float, epoch: Int, epochs: Int) -> Float
    /// Checks the configuration against how it will be trained (a model of phases needs epochs for each).
    func validate(training: TrainingSettings) throws(ModelError)
}

extension ModelConfiguration {
    public static var defaultTraining: TrainingSettings { TrainingSettings() }
    public func validate(training: TrainingSettings) throws(ModelError) {}
    public func learningRate(base: Float, epoch: Int, epochs: Int) -> Float { base }
}

/// A batch of training windows with its augmentation: window `indices[b]` of `windows` is rotated
/// by `angles[b]` and mirrored (y → −y, before the rotation) where `mirror[b]` = −1; nil pointers
/// mean no rotation, no mirroring. `epochs` is how many epochs the run trains, for a loss whose
/// form changes along the run.
public struct TrainingBatch {
    public let windows: WindowSet
    public let indices: ArraySlice<Int>
    public let angles: UnsafePointer<Float>?
    public let mirror: UnsafePointer<Float>?
    public let epochs: Int

    public init(windows: WindowSet, indices: ArraySlice<Int>, angles: UnsafePointer<Float>? = nil,
                mirror: UnsafePointer<Float>? = nil, epochs: Int = 1) {
        self.windows = windows
        self.indices = indices
        self.angles = angles
        self.mirror = mirror
        self.epochs = epochs
    }

    public var count: Int { indices.count }
}

/// A training loss and the parts reported per epoch (a model without a KL term reports 0 there).
public struct Loss: Sendable, Equatable {
    public var total: Double
    public var reconstruction: Double
    public var kl: Double

    public init(total: Double, reconstruction: Double, kl: Double) {
        (self.total, self.reconstruction, self.kl) = (total, reconstruction, kl)
    }
}

/// A trajectory model family.
public protocol ForecastModel: Sendable {
    associatedtype Configuration: ModelConfiguration
    /// Activations and gradients for training batches of up to a capacity (allocated once).
    associatedtype TrainingWorkspace: AnyObject
    /// Buffers for sampling.
    associatedtype SamplingWorkspace: AnyObject

    /// The name runs store and `--model` takes: "cvae".
    static var family: String { get }

    var configuration: Configuration { get }
    /// Every trainable value, named as checkpoints store them.
    var parameters: ParameterSet { get set }

    /// A freshly initialised model; all randomness from `rng`.
    init(_ configuration: Configuration, using rng: inout Xoshiro256)

    /// Fits what a model takes from the whole training set before its first step (anchors, say);
    /// called once on a fresh start, never on resume (the checkpoint holds it). `mirror`: the
    /// training also sees the windows mirrored (y → −y).
    mutating func prepare(_ windows: WindowSet, mirror: Bool, using rng: inout Xoshiro256)

    /// Called on the trained model before the first step of every epoch (0-based); a model of
    /// phases switches here. Returns true to restart the optimiser (moments and step count); a model
    /// changes only when it returns true (with averaging, the trainer calls it on the average and
    /// goes on from the switched average).
    mutating func beginEpoch(_ epoch: Int) -> Bool

    func makeTrainingWorkspace(capacity: Int) -> TrainingWorkspace

    /// Builds the batch's inputs and targets (observed steps only for inputs), runs forward and
    /// backward, and **writes** ∂loss/∂parameters × `share` into `parameters.gradients` (every
    /// gradient is overwritten, none accumulated). `share` is the batch's part in a larger batch cut
    /// over cores (n / N), so the parts' gradients add up to the whole batch's. Noise, if the model
    /// needs any, comes from `rng`. `epoch` (0-based) is for schedules such as a β warm-up.
    mutating func trainingStep(_ batch: TrainingBatch, epoch: Int, workspace: TrainingWorkspace,
                               using rng: inout Xoshiro256, share: Float) -> Loss

    /// The weight of the KL term at `epoch`, as epoch records report it (0 for models without one).
    func klWeight(epoch: Int) -> Float

    func makeSamplingWorkspace(windows: Int, k: Int) -> SamplingWorkspace

    /// k futures for each window of `indices`, relative to the window's last observed position;
    /// a model that weighs its futures returns them with their probabilities, in an order whose every
    /// prefix is the model's chosen k (`wta`: `FutureSelection`; `anchors`: by share).
    /// Deterministic given `rng`, whatever the timing and the workspace.
    func sample(_ windows: WindowSet, _ indices: ArraySlice<Int>, k: Int, using rng: inout Xoshiro256,
                workspace: SamplingWorkspace) -> Samples

    /// The futures of `sample` in any order, for a minimum over them (validation's minADE@k): a
    /// model that ranks its K futures need not when all K are asked for. By default `sample`.
    func sampleInAnyOrder(_ windows: WindowSet, _ indices: ArraySlice<Int>, k: Int, using rng: inout Xoshiro256,
                          workspace: SamplingWorkspace) -> Samples

    /// Multiply-adds per window of one training step (forward and backward, as performed) and per
    /// sampled future, for the benchmarks' GFLOP/s; nil when not counted.
    var trainingMultiplyAddsPerWindow: Int? { get }
    func samplingMultiplyAddsPerFuture(k: Int) -> Double?

    /// The most futures a window can have (a model of K fixed futures), and the option that sets
    /// it; nil when any k can be sampled.
    var maximumFutures: (k: Int, option: String)? { get }
}

extension ForecastModel {
    public func klWeight(epoch: Int) -> Float { 0 }
    public var trainingMultiplyAddsPerWindow: Int? { nil }
    public func samplingMultiplyAddsPerFuture(k: Int) -> Double? { nil }
    public var maximumFutures: (k: Int, option: String)? { nil }
    public mutating func prepare(_ windows: WindowSet, mirror: Bool, using rng: inout Xoshiro256) {}
    public mutating func beginEpoch(_ epoch: Int) -> Bool { false }

    public func sampleInAnyOrder(_ windows: WindowSet, _ indices: ArraySlice<Int>, k: Int, using rng: inout Xoshiro256,
                                 workspace: SamplingWorkspace) -> Samples {
        sample(windows, indices, k: k, using: &rng, workspace: workspace)
    }

    /// k futures for every window of `indices`, in chunks of 256 windows through one workspace
    /// (`inAnyOrder`: through `sampleInAnyOrder`).
    public func sample(_ windows: WindowSet, _ indices: ArraySlice<Int>, k: Int, using rng: inout Xoshiro256,
                       inAnyOrder: Bool = false) -> Samples {
        let chunk = 256
        let workspace = makeSamplingWorkspace(windows: min(chunk, max(1, indices.count)), k: k)
        var all = Samples(windows: 0, k: k, predicted: windows.predicted)
        var start = indices.startIndex
        while start < indices.endIndex {
            let end = min(indices.endIndex, start + chunk)
            all.append(inAnyOrder ? sampleInAnyOrder(windows, indices[start..<end], k: k, using: &rng, workspace: workspace)
                                  : sample(windows, indices[start..<end], k: k, using: &rng, workspace: workspace))
            start = end
        }
        return all
    }

    /// The parameters as checkpoint tensors.
    public var namedTensors: [NamedTensor] { parameters.namedTensors(parameters.values) }

    /// Sets every parameter from `tensors` (by name). Every parameter must be present with its
    /// shape, and no other tensor.
    public mutating func load(_ tensors: [NamedTensor]) throws(ModelError) {
        let placed = try parameters.place(tensors, into: &parameters.values)
        if let missing = parameters.entries.first(where: { !placed.contains($0.name) }) {
            throw .missingTensor(name: missing.name)
        }
    }
}

extension ParameterSet {
    /// Writes each of `tensors` into `values` (laid out as these parameters) at its entry's range;
    /// a name the set does not have, or another shape, is refused. Returns the names written.
    @discardableResult
    public func place(_ tensors: [NamedTensor], into values: inout [Float]) throws(ModelError) -> Set<String> {
        var placed = Set<String>()
        for tensor in tensors {
            guard let entry = entry(tensor.name) else { throw .unknownTensor(name: tensor.name) }
            guard entry.shape == tensor.shape else {
                throw .shapeMismatch(name: tensor.name, expected: entry.shape, found: tensor.shape)
            }
            values.replaceSubrange(entry.range.range, with: tensor.values)
            placed.insert(tensor.name)
        }
        return placed
    }

    /// `values` (laid out as these parameters) cut into named tensors, entry by entry.
    public func namedTensors(_ values: [Float]) -> [NamedTensor] {
        entries.map { NamedTensor(name: $0.name, shape: $0.shape, values: Array(values[$0.range.range])) }
    }
}
