// The one tensor type of a checkpoint: a named float32 array with a shape, how tensors travel
// between the model and the store (which must not know each other), stored as little-endian
// float32 BLOBs. `CheckpointTensors` groups a model's parameters with the optimiser's moments (and,
// when the model is an average of the weights, the weights training goes on from) and is the one
// place that names them in storage (`adam.m/NAME`, `adam.v/NAME`, `training/NAME`).

public struct NamedTensor: Equatable, Sendable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "\(name): shape \(shape) does not hold \(values.count) values")
        self.name = name
        self.shape = shape
        self.values = values
    }

    /// The values as little-endian float32 bytes.
    public var littleEndianBytes: [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for value in values {
            let bits = value.bitPattern.littleEndian
            bytes.append(UInt8(truncatingIfNeeded: bits))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 8))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 16))
            bytes.append(UInt8(truncatingIfNeeded: bits >> 24))
        }
        return bytes
    }

    /// Values from little-endian float32 bytes; nil if the byte count is not 4 per value of `shape`.
    public init?(name: String, shape: [Int], littleEndianBytes bytes: [UInt8]) {
        let count = shape.reduce(1, *)
        guard bytes.count == count * 4 else { return nil }
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            let bits = UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16
                | UInt32(bytes[4 * i + 3]) << 24
            values[i] = Float(bitPattern: bits)
        }
        self.init(name: name, shape: shape, values: values)
    }
}

/// A model's parameters and, for a checkpoint training resumes from, Adam's first and second
/// moments of each (same names and shapes as the parameters; empty before the first step and in
/// a 'best' checkpoint). When the parameters are a moving average of the weights (training with
/// `--ema`), `trainingValues` holds the weights themselves, which training goes on from (empty
/// otherwise, and in a 'best' checkpoint).
public struct CheckpointTensors: Equatable, Sendable {
    public var parameters: [NamedTensor]
    public var firstMoments: [NamedTensor]
    public var secondMoments: [NamedTensor]
    public var trainingValues: [NamedTensor]

    public init(parameters: [NamedTensor], firstMoments: [NamedTensor] = [], secondMoments: [NamedTensor] = [],
                trainingValues: [NamedTensor] = []) {
        self.parameters = parameters
        self.firstMoments = firstMoments
        self.secondMoments = secondMoments
        self.trainingValues = trainingValues
    }

    static let firstMomentPrefix = "adam.m/", secondMomentPrefix = "adam.v/", trainingPrefix = "training/"

    /// Every tensor under the name it is stored with: the parameters' own names, then
    /// `adam.m/NAME` and `adam.v/NAME` for the moments and `training/NAME` for the weights trained,
    /// interleaved per parameter.
    public var stored: [NamedTensor] {
        var all: [NamedTensor] = []
        all.reserveCapacity(parameters.count * 4)
        let hasMoments = firstMoments.count == parameters.count && secondMoments.count == parameters.count
        let hasTraining = trainingValues.count == parameters.count
        for (i, parameter) in parameters.enumerated() {
            all.append(parameter)
            if hasMoments {
                var m = firstMoments[i], v = secondMoments[i]
                m.name = Self.firstMomentPrefix + m.name
                v.name = Self.secondMomentPrefix + v.name
                all += [m, v]
            }
            if hasTraining {
                var w = trainingValues[i]
                w.name = Self.trainingPrefix + w.name
                all.append(w)
            }
        }
        return all
    }

    /// Tensors read back under their stored names, sorted into parameters, moments and weights trained.
    public init(stored: [NamedTensor]) {
        var parameters: [NamedTensor] = [], first: [NamedTensor] = [], second: [NamedTensor] = []
        var training: [NamedTensor] = []
        for var tensor in stored {
            if tensor.name.hasPrefix(Self.firstMomentPrefix) {
                tensor.name.removeFirst(Self.firstMomentPrefix.count)
                first.append(tensor)
            } else if tensor.name.hasPrefix(Self.secondMomentPrefix) {
                tensor.name.removeFirst(Self.secondMomentPrefix.count)
                second.append(tensor)
            } else if tensor.name.hasPrefix(Self.trainingPrefix) {
                tensor.name.removeFirst(Self.trainingPrefix.count)
                training.append(tensor)
            } else {
                parameters.append(tensor)
            }
        }
        self.init(parameters: parameters, firstMoments: first, secondMoments: second, trainingValues: training)
    }

    /// The parameters alone (what a 'best' checkpoint keeps).
    public var withoutMoments: CheckpointTensors { CheckpointTensors(parameters: parameters) }
}
