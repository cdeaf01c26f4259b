// Model inputs from windows, built from observed steps only: relative positions (mlp) or per step
// (relative x, y, dx, dy) with backward differences, dx = dy = 0 at the first step (gru). The
// target is the future relative to the last observed position. Optional rotation about the last
// observed position, and mirroring, for augmentation. All buffers are feature-major: (F, B), or (T, 4, B) for the GRU.
// Legend: B batch, T observed steps.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TrajectoryData

public enum Features {
    /// Writes the encoder input of windows `indices` into `x`: (2T, B) for mlp, (T, 4, B) for gru,
    /// reading only the observed part of each window. `angles`, when given, rotates window b by
    /// angles[b]; `mirror`, when given, first multiplies its y by mirror[b] (±1).
    public static func past(_ windows: WindowSet, _ indices: ArraySlice<Int>, encoder: PastEncoder,
                            angles: UnsafePointer<Float>? = nil, mirror: UnsafePointer<Float>? = nil,
                            into x: UnsafeMutablePointer<Float>) {
        let batch = indices.count, observed = windows.observed
        windows.relative.withUnsafeBufferPointer { relative in
            for (b, n) in indices.enumerated() {
                let base = n * windows.steps * 2
                let (c, s) = angles.map { (cosf($0[b]), sinf($0[b])) } ?? (1, 0)
                let m = mirror?[b] ?? 1
                var previous = SIMD2<Float>(0, 0)
                for t in 0..<observed {
                    let px = relative[base + 2 * t], py = m * relative[base + 2 * t + 1]
                    let p = SIMD2(c * px - s * py, s * px + c * py)
                    switch encoder {
                    case .mlp:
                        x[(2 * t) * batch + b] = p.x
                        x[(2 * t + 1) * batch + b] = p.y
                    case .gru:
                        let d = t == 0 ? SIMD2<Float>(0, 0) : p - previous
                        let step = x + t * CVAEConfiguration.gruStepSize * batch
                        step[b] = p.x
                        step[batch + b] = p.y
                        step[2 * batch + b] = d.x
                        step[3 * batch + b] = d.y
                    }
                    previous = p
                }
            }
        }
    }

    /// Writes the futures of windows `indices` into `y`, (2P, B), rotated like `past`.
    public static func future(_ windows: WindowSet, _ indices: ArraySlice<Int>, angles: UnsafePointer<Float>? = nil,
                              mirror: UnsafePointer<Float>? = nil, into y: UnsafeMutablePointer<Float>) {
        let batch = indices.count
        windows.relative.withUnsafeBufferPointer { relative in
            for (b, n) in indices.enumerated() {
                let base = (n * windows.steps + windows.observed) * 2
                let (c, s) = angles.map { (cosf($0[b]), sinf($0[b])) } ?? (1, 0)
                let m = mirror?[b] ?? 1
                for t in 0..<windows.predicted {
                    let px = relative[base + 2 * t], py = m * relative[base + 2 * t + 1]
                    y[(2 * t) * batch + b] = c * px - s * py
                    y[(2 * t + 1) * batch + b] = s * px + c * py
                }
            }
        }
    }

    /// Values of the encoder input per window.
    public static func pastSize(_ configuration: CVAEConfiguration) -> Int {
        configuration.encoder == .mlp ? configuration.mlpInputSize
            : configuration.observed * CVAEConfiguration.gruStepSize
    }
}
