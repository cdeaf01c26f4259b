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

extension Linear {
    /// Whether `backwardSparse` gives the bits of `backward` for this batch: both products then run
    /// the kernels' fused multiply-add paths (a batch that is a multiple of 8 from 16 on, an input
    /// of at least 32 and a multiple of 8), whose sums take each element's products in order.
    public func sparseBackwardIsExact(batch: Int) -> Bool {
        batch >= 16 && batch % 8 == 0 && inputSize >= 32 && inputSize % 8 == 0
    }

    /// `backward` with both gradients overwritten, for an output gradient dy (out, B) whose column j is
    /// zero outside rows `rows[starts[j]..<starts[j + 1]]` (increasing): a winner-takes-all loss, whose
    /// gradient reaches one or two of K heads per window. dW and dx take the listed products only, each
    /// element's in the order `backward` adds them (dW along the batch, dx along the rows), by the same
    /// fused multiply-adds; a product left out is one of 0, which leaves a sum as it was. So where
    /// `sparseBackwardIsExact(batch:)`, the bits are `backward`'s (a test compares them); the work is
    /// the listed rows' instead of every row's.
    public func backwardSparse(_ dy: UnsafePointer<Float>, rows: UnsafePointer<Int32>, starts: UnsafePointer<Int32>,
                               input x: UnsafePointer<Float>, batch: Int, parameters: UnsafePointer<Float>,
                               gradients: UnsafeMutablePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>,
                               inputMask: UnsafePointer<Float>?) {
        let n = inputSize, w = parameters + weight.offset
        let dWeight = gradients + weight.offset, dBias = gradients + bias.offset
        dBias.update(repeating: 0, count: outputSize)
        addRowSums(dy, rows: outputSize, columns: batch, ld: batch, into: dBias)
        dWeight.update(repeating: 0, count: outputSize * n)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: batch * n) { buffer in
            let columns = buffer.baseAddress!
            // dW[p, :] += dy[p, j] · x[:, j] for j in order: x's columns made contiguous first.
            transpose(x, rows: n, columns: batch, ld: batch, into: columns)
            for j in 0..<batch {
                for e in Int(starts[j])..<Int(starts[j + 1]) {
                    let p = Int(rows[e])
                    addScaled(dy[p * batch + j], columns + j * n, to: dWeight + p * n, count: n)
                }
            }
            // dx[:, j] = Σ_p W[p, :] · dy[p, j] over the listed rows in order, built as row j of a
            // (B, in) buffer, then turned back and masked.
            let dxColumns = columns
            dxColumns.update(repeating: 0, count: batch * n)
            for j in 0..<batch {
                for e in Int(starts[j])..<Int(starts[j + 1]) {
                    let p = Int(rows[e])
                    addScaled(dy[p * batch + j], w + p * n, to: dxColumns + j * n, count: n)
                }
            }
            transpose(dxColumns, rows: batch, columns: n, ld: n, into: dx)
            if let inputMask {
                for i in 0..<(n * batch) where inputMask[i] <= 0 { dx[i] = 0 }
            }
        }
    }
}

/// y[i] += a · x[i] by fused multiply-adds, in vectors of 16 and 8 (`count` a multiple of 8, as the
/// product kernels' fused paths require), else one by one fused as well.
@inline(__always)
private func addScaled(_ a: Float, _ x: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, count: Int) {
    let v = SIMD16<Float>(repeating: a)
    var i = 0
    while i + 16 <= count {
        store16(load16(y + i).addingProduct(v, load16(x + i)), y + i)
        i += 16
    }
    if i + 8 <= count {
        let y8 = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
        let x8 = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(y + i).storeBytes(of: y8.addingProduct(v.lowHalf, x8), as: SIMD8<Float>.self)
        i += 8
    }
    while i < count {
        y[i] = y[i].addingProduct(a, x[i])
        i += 1
    }
}
