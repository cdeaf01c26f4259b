// Model inputs from windows, built from observed steps only: relative positions, or per step
// (relative x, y, dx, dy) with backward differences, dx = dy = 0 at the first step. The target is
// the future relative to the last observed position. Optional rotation about the last observed
// position, and mirroring, for augmentation. All buffers are feature-major: (F, B), or (T, 4, B)
// per step. Models choose which input they use (the CVAE's encoder picks one of the two).
// Legend: B batch, T observed steps.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TrajectoryData

public enum Features {
    /// The observed positions of windows `indices`, (2T, B): x and y of step t in rows 2t and 2t+1.
    /// `angles`, when given, rotates window b by angles[b]; `mirror`, when given, first multiplies
    /// its y by mirror[b] (±1).
    public static func positions(_ windows: WindowSet, _ indices: ArraySlice<Int>,
                                 angles: UnsafePointer<Float>? = nil, mirror: UnsafePointer<Float>? = nil,
                                 into x: UnsafeMutablePointer<Float>) {
        observed(windows, indices, angles: angles, mirror: mirror) { b, t, p, _ in
            let batch = indices.count
            x[(2 * t) * batch + b] = p.x
            x[(2 * t + 1) * batch + b] = p.y
        }
    }

    /// Per observed step (x, y, dx, dy), (T, 4, B), with backward differences (0 at the first
    /// step); rotated and mirrored like `positions`.
    public static func positionsAndDifferences(_ windows: WindowSet, _ indices: ArraySlice<Int>,
                                               angles: UnsafePointer<Float>? = nil,
                                               mirror: UnsafePointer<Float>? = nil,
                                               into x: UnsafeMutablePointer<Float>) {
        observed(windows, indices, angles: angles, mirror: mirror) { b, t, p, d in
            let batch = indices.count
            let step = x + t * 4 * batch
            step[b] = p.x
            step[batch + b] = p.y
            step[2 * batch + b] = d.x
            step[3 * batch + b] = d.y
        }
    }

    /// Calls `write(b, t, position, backward difference)` for every observed step of every window,
    /// after the augmentation; reads nothing of the future.
    @inline(__always)
    static func observed(_ windows: WindowSet, _ indices: ArraySlice<Int>, angles: UnsafePointer<Float>?,
                         mirror: UnsafePointer<Float>?, write: (Int, Int, SIMD2<Float>, SIMD2<Float>) -> Void) {
        let observed = windows.observed
        for (b, n) in indices.enumerated() {
            windows.withRelativePositions(n) { relative in
                let (c, s) = angles.map { (cosf($0[b]), sinf($0[b])) } ?? (1, 0)
                let m = mirror?[b] ?? 1
                var previous = SIMD2<Float>(0, 0)
                for t in 0..<observed {
                    let px = relative[2 * t], py = m * relative[2 * t + 1]
                    let p = SIMD2(c * px - s * py, s * px + c * py)
                    write(b, t, p, t == 0 ? SIMD2<Float>(0, 0) : p - previous)
                    previous = p
                }
            }
        }
    }

    /// Writes the futures of windows `indices` into `y`, (2P, B), rotated like `positions`.
    public static func future(_ windows: WindowSet, _ indices: ArraySlice<Int>, angles: UnsafePointer<Float>? = nil,
                              mirror: UnsafePointer<Float>? = nil, into y: UnsafeMutablePointer<Float>) {
        let batch = indices.count
        for (b, n) in indices.enumerated() {
            windows.withRelativePositions(n) { relative in
                let base = windows.observed * 2
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
}
