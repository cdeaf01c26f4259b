// A fully connected layer, y = W·x + b, as a forward/backward pair over flat buffers (llm.c style).
// Activations are feature-major: x is (in, B), y is (out, B); W is (out, in) as in PyTorch.
// Backward either accumulates into dx, dW and db or overwrites them, as the caller says with a
// `GradientUpdate` per output: the first contribution to a buffer overwrites (no zeroing pass),
// later ones accumulate.
// Legend: B batch.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The element-wise function a layer applies to its output.
public enum Activation: Sendable {
    case identity, relu
}

/// How a backward pass writes a gradient buffer: `.overwrite` for the first contribution to it
/// (no zeroing pass needed), `.accumulate` to add to what earlier contributions wrote.
public enum GradientUpdate: Sendable {
    case overwrite, accumulate
}

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

    /// y (out, B) = W · x (in, B) + b, or ReLU of it. The bias starts the accumulators and the
    /// ReLU is applied as results leave the registers: one pass over y.
    public func forward(_ x: UnsafePointer<Float>, batch: Int, parameters: UnsafePointer<Float>,
                        output y: UnsafeMutablePointer<Float>, activation: Activation = .identity) {
        gemmNN(transA: false, m: outputSize, n: batch, k: inputSize, a: parameters + weight.offset, lda: inputSize,
               b: x, ldb: batch, c: y, ldc: batch, accumulate: false, rowBias: parameters + bias.offset,
               epilogue: activation == .relu ? .relu : .none)
    }

    /// Given dy (out, B): dW += dy · xᵀ, db += Σ_B dy (or = with `weightGradients: .overwrite`: the
    /// first contribution needs no zeroed buffer), and, when dx is given, dx (in, B) += Wᵀ · dy
    /// (or = Wᵀ · dy with `inputGradients: .overwrite`). `inputMask`, the output of a ReLU that produced x,
    /// zeroes dx where it was ≤ 0: that ReLU's backward pass, fused (apply it on the last contribution).
    public func backward(_ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, batch: Int,
                         parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
                         weightGradients: GradientUpdate = .accumulate,
                         inputGradient dx: UnsafeMutablePointer<Float>?, inputGradients: GradientUpdate = .accumulate,
                         inputMask: UnsafePointer<Float>? = nil) {
        let dWeight = gradients + weight.offset, dBias = gradients + bias.offset
        if weightGradients == .overwrite { dBias.update(repeating: 0, count: outputSize) }
        gemmNT(m: outputSize, n: inputSize, k: batch, a: dy, lda: batch, b: x, ldb: batch,
               c: dWeight, ldc: inputSize, accumulate: weightGradients == .accumulate, rowSums: dBias)
        if let dx {
            gemmNN(transA: true, m: inputSize, n: batch, k: outputSize, a: parameters + weight.offset,
                   lda: inputSize, b: dy, ldb: batch, c: dx, ldc: batch, accumulate: inputGradients == .accumulate,
                   epilogue: inputMask.map { .mask($0) } ?? .none)
        }
    }
}
