// Optimisers over the flat parameter buffer, each one loop (llm.c's gpt2_update), with PyTorch's
// exact update rules so golden tests can compare parameters after N steps. State is flat too,
// so a checkpoint saves it as named blobs.
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `torch.optim.SGD` with momentum μ, no dampening, no Nesterov, no weight decay:
/// b ← g on the first step, then b ← μ·b + g; p ← p − lr·b. (μ = 0: p ← p − lr·g.)
public struct SGD: Sendable {
    public var learningRate: Float
    public var momentum: Float
    /// The momentum buffer b, empty until the first step.
    public var buffer: [Float] = []

    public init(learningRate: Float, momentum: Float = 0) {
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public mutating func step(_ parameters: inout ParameterSet) {
        let lr = learningRate, mu = momentum
        let first = buffer.isEmpty
        if first { buffer = [Float](repeating: 0, count: parameters.count) }
        buffer.withUnsafeMutableBufferPointer { b in
            parameters.gradients.withUnsafeBufferPointer { g in
                parameters.values.withUnsafeMutableBufferPointer { p in
                    for i in 0..<p.count {
                        if mu == 0 {
                            p[i] -= lr * g[i]
                        } else {
                            b[i] = first ? g[i] : mu * b[i] + g[i]
                            p[i] -= lr * b[i]
                        }
                    }
                }
            }
        }
    }
}

/// `torch.optim.Adam` (β1, β2, ε; no weight decay, no amsgrad), in PyTorch's order of operations:
/// t ← t + 1; m ← m + (1 − β1)(g − m); v ← β2·v + (1 − β2)·g²;
/// p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε).
public struct Adam: Sendable {
    public var learningRate: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    /// Steps taken so far (t).
    public var stepCount: Int = 0
    /// First and second moment estimates, empty until the first step.
    public var m: [Float] = []
    public var v: [Float] = []

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public mutating func step(_ parameters: inout ParameterSet) {
        if m.isEmpty {
            m = [Float](repeating: 0, count: parameters.count)
            v = [Float](repeating: 0, count: parameters.count)
        }
        stepCount += 1
        let b1 = beta1, b2 = beta2, eps = epsilon
        // Bias corrections in Double as PyTorch computes them on Python floats, then used as Float.
        let correction1 = 1 - pow(Double(b1), Double(stepCount))
        let correction2 = 1 - pow(Double(b2), Double(stepCount))
        let stepSize = Float(Double(learningRate) / correction1)
        let correction2Root = Float(correction2.squareRoot())
        let count = parameters.count
        m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
                parameters.gradients.withUnsafeBufferPointer { g in
                    parameters.values.withUnsafeMutableBufferPointer { p in
                        let (m, v, g, p) = (SendablePointer(m.baseAddress!), SendablePointer(v.baseAddress!),
                                            SendablePointer(UnsafeMutablePointer(mutating: g.baseAddress!)),
                                            SendablePointer(p.baseAddress!))
                        // Element-wise, so the two halves on two cores give the same bits as one loop.
                        let parts = count >= 65_536 ? 2 : 1
                        DispatchQueue.concurrentPerform(iterations: parts) { part in
                            let range = (count * part / parts)..<(count * (part + 1) / parts)
                            let (m, v, g, p) = (m.pointer, v.pointer, g.pointer, p.pointer)
                            for i in range {
                                m[i] += (1 - b1) * (g[i] - m[i])
                                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                                let denominator = v[i].squareRoot() / correction2Root + eps
                                p[i] -= stepSize * m[i] / denominator
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A raw pointer handed to concurrent workers that write disjoint ranges.
struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>
    init(_ pointer: UnsafeMutablePointer<Float>) { self.pointer = pointer }
}
