// The baselines reported beside every model: constant velocity (the last observed velocity,
// one future) and sampled constant velocity (k futures, the heading turned by N(0, σ) noise).
// Legend: N windows, K samples, P predicted steps.
#if canImport(Glibc)
import Glibc
#endif
import NNCore
import TrajectoryData

public enum ConstantVelocity {
    /// One future per window (N, 1, P, 2): position_t = t · (p_T − p_{T−1}), relative to p_T.
    public static func predict(_ windows: WindowSet, _ indices: ArraySlice<Int>) -> Samples {
        sample(windows, indices, k: 1, headingNoiseDegrees: 0, rng: nil)
    }

    /// k futures per window (N, K, P, 2): the last velocity turned by an angle ~ N(0, σ°) per sample.
    public static func sample(_ windows: WindowSet, _ indices: ArraySlice<Int>, k: Int, headingNoiseDegrees: Float,
                              using rng: inout Xoshiro256) -> Samples {
        withUnsafeMutablePointer(to: &rng) { sample(windows, indices, k: k, headingNoiseDegrees: headingNoiseDegrees, rng: $0) }
    }

    static func sample(_ windows: WindowSet, _ indices: ArraySlice<Int>, k: Int, headingNoiseDegrees: Float,
                       rng: UnsafeMutablePointer<Xoshiro256>?) -> Samples {
        let steps = windows.predicted
        var result = Samples(windows: indices.count, k: k, predicted: steps)
        for (offset, n) in indices.enumerated() {
            let observed = Array(windows.observedPositions(n))
            let o = windows.observed
            let vx = observed[2 * (o - 1)] - observed[2 * (o - 2)], vy = observed[2 * (o - 1) + 1] - observed[2 * (o - 2) + 1]
            for s in 0..<k {
                var (cx, sx) = (Float(1), Float(0))
                if let rng, headingNoiseDegrees > 0 {
                    let angle = rng.pointee.normal() * headingNoiseDegrees * .pi / 180
                    (cx, sx) = (cosf(angle), sinf(angle))
                }
                let ux = cx * vx - sx * vy, uy = sx * vx + cx * vy
                let base = result.offset(window: offset, sample: s)
                for t in 0..<steps {
                    result.values[base + 2 * t] = ux * Float(t + 1)
                    result.values[base + 2 * t + 1] = uy * Float(t + 1)
                }
            }
        }
        return result
    }
}
