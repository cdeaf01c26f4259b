// All parameters of a model in one flat Float buffer with named ranges, and the gradients in a
// mirror buffer of the same layout (llm.c's single allocation): an optimizer is one loop over
// the buffer, a checkpoint is one blob plus the name table.

/// Where one named parameter lives in the flat buffer.
public struct ParameterRange: Equatable, Sendable {
    public let offset: Int
    public let count: Int

    public var range: Range<Int> { offset..<(offset + count) }
}

/// Named parameters in one buffer, gradients in another of the same length.
public struct ParameterSet: Sendable {
    /// One named entry: its shape and where it is.
    public struct Entry: Equatable, Sendable {
        public let name: String
        public let shape: [Int]
        public let range: ParameterRange
    }

    public private(set) var entries: [Entry] = []
    /// Every parameter value, entry after entry.
    public var values: [Float] = []
    /// ∂loss/∂value for each value. A backward pass writes each gradient with its first
    /// contribution and accumulates the rest (`GradientUpdate`); `zeroGradients` clears for callers
    /// that only accumulate.
    public var gradients: [Float] = []

    public init() {}

    /// Appends a parameter named `name` of `shape`, zero-initialised, and returns its range.
    public mutating func add(_ name: String, shape: [Int]) -> ParameterRange {
        precondition(!entries.contains { $0.name == name }, "parameter \(name) added twice")
        let range = ParameterRange(offset: values.count, count: shape.reduce(1, *))
        entries.append(Entry(name: name, shape: shape, range: range))
        values += [Float](repeating: 0, count: range.count)
        gradients += [Float](repeating: 0, count: range.count)
        return range
    }

    public var count: Int { values.count }

    /// The ranges of the weight matrices (parameters named `….weight`): what weight decay shrinks.
    public var weightRanges: [Range<Int>] { entries.filter { $0.name.hasSuffix(".weight") }.map(\.range.range) }

    /// The entry named `name`, if any.
    public func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }

    /// A copy of the named parameter.
    public func tensor(_ name: String) -> Tensor? {
        entry(name).map { Tensor(shape: $0.shape, data: Array(values[$0.range.range])) }
    }

    /// A copy of the named gradient.
    public func gradient(_ name: String) -> Tensor? {
        entry(name).map { Tensor(shape: $0.shape, data: Array(gradients[$0.range.range])) }
    }

    /// Overwrites the named parameter; its shape must match.
    public mutating func set(_ name: String, _ tensor: Tensor) {
        guard let entry = entry(name) else { preconditionFailure("no parameter \(name)") }
        precondition(entry.shape == tensor.shape, "\(name): shape \(tensor.shape), expected \(entry.shape)")
        values.replaceSubrange(entry.range.range, with: tensor.data)
    }

    /// Sets every gradient to zero (for backward passes that only accumulate).
    public mutating func zeroGradients() {
        gradients.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }
}
