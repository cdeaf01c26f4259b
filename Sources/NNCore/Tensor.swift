// A plain n-dimensional array of Float: row-major storage plus a shape, with value semantics.
// Used at the edges (parameters by name, tests, checkpoints); hot loops work on raw pointers.

/// Row-major Float values with a shape.
public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    public var shape: [Int]
    public var data: [Float]

    /// A tensor of `shape` holding `data` (whose count must be the product of the shape).
    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "shape \(shape) does not hold \(data.count) values")
        self.shape = shape
        self.data = data
    }

    /// A tensor of `shape` filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    public var count: Int { data.count }

    /// The matrix transposed; only for 2-D tensors.
    public var transposed: Tensor {
        precondition(shape.count == 2, "transposed needs a matrix")
        let (rows, columns) = (shape[0], shape[1])
        var out = [Float](repeating: 0, count: count)
        for i in 0..<rows { for j in 0..<columns { out[j * rows + i] = data[i * columns + j] } }
        return Tensor(shape: [columns, rows], data: out)
    }

    public var description: String { "Tensor(\(shape), \(data.prefix(8))\(count > 8 ? "…" : ""))" }
}
