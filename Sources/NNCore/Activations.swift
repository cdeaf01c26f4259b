// Element-wise activations as forward/backward pairs over flat buffers. Backward accumulates.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// ReLU: y = max(x, 0) (see `reluInPlace` to overwrite x).
public func reluForward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { y[i] = max(x[i], 0) }
}

/// dx += dy where y > 0 (PyTorch's convention: the gradient at 0 is 0). Uses the output y.
public func reluBackward(_ dy: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                         _ dx: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count where y[i] > 0 { dx[i] += dy[i] }
}

/// The logistic function 1 / (1 + e^−x).
@inline(__always)
public func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

/// ReLU in place: x = max(x, 0).
public func reluInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { x[i] = max(x[i], 0) }
}
