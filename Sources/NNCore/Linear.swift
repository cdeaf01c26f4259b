// A fully connected layer, y = W·x + b, as a forward/backward pair over flat buffers (llm.c style).
// Activations are feature-major: x is (in, B), y is (out, B); W is (out, in) as in PyTorch.
// Backward accumulates into dx, dW and db; zeroing them is the caller's job.
// Legend: B batch.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A linear layer whose weight (out, in) and bias (out) live in a `ParameterSet`.
public struct Linear: Sendable {
    public let inputSize: Int
    public let outputSize: Int
    public let weight: ParameterRange
    public let bias: ParameterRange

    /// Adds `name.weight` (outputSize, inputSize) and `name.bias` (outputSize) to `parameters`.
    public init(inputSize: Int, outputSize: Int, name: String, in parameters: inout ParameterSet) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        weight = parameters.add(name + ".weight", shape: [outputSize, inputSize])
        bias = parameters.add(name + ".bias", shape: [outputSize])
    }

    /// PyTorch's default initialisation (`nn.Linear.reset_parameters`): kaiming_uniform with a = √5
    /// gives W ~ U(−1/√in, 1/√in), and b ~ U(−1/√in, 1/√in). Draws W row by row, then b.
    public func initialize(_ values: inout [Float], using rng: inout Xoshiro256) {
        let bound = 1 / Float(inputSize).squareRoot()
        for i in weight.range { values[i] = rng.uniform(-bound, bound) }
        for i in bias.range { values[i] = rng.uniform(-bound, bound) }
    }

    /// y (out, B) = W · x (in, B) + b.
    public func forward(_ x: UnsafePointer<Float>, batch: Int, parameters: UnsafePointer<Float>,
                        output y: UnsafeMutablePointer<Float>) {
        let w = parameters + weight.offset, b = parameters + bias.offset
        for o in 0..<outputSize {
            (y + o * batch).update(repeating: b[o], count: batch)
        }
        gemmNN(transA: false, m: outputSize, n: batch, k: inputSize, a: w, lda: inputSize, b: x, ldb: batch,
               c: y, ldc: batch, accumulate: true)
    }

    /// Given dy (out, B): dW += dy · xᵀ, db += Σ_B dy, and dx (in, B) += Wᵀ · dy when dx is given.
    public func backward(_ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, batch: Int,
                         parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
                         inputGradient dx: UnsafeMutablePointer<Float>?) {
        let dWeight = gradients + weight.offset, dBias = gradients + bias.offset
        gemmNT(m: outputSize, n: inputSize, k: batch, a: dy, lda: batch, b: x, ldb: batch,
               c: dWeight, ldc: inputSize, accumulate: true)
        for o in 0..<outputSize { dBias[o] += rowSum(dy + o * batch, batch) }
        if let dx {
            gemmNN(transA: true, m: inputSize, n: batch, k: outputSize, a: parameters + weight.offset,
                   lda: inputSize, b: dy, ldb: batch, c: dx, ldc: batch, accumulate: true)
        }
    }

    /// Multiply-adds of one forward pass per sample.
    public var multiplyAdds: Int { inputSize * outputSize }
}

/// Σ x[0..<count], eight partial sums (vectorisable, and a fixed order: the same bits every run).
@inline(__always)
func rowSum(_ x: UnsafePointer<Float>, _ count: Int) -> Float {
    var s = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        s += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        i += 8
    }
    var total = s.sum()
    while i < count {
        total += x[i]
        i += 1
    }
    return total
}
