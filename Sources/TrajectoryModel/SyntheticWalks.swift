// Synthetic pedestrian windows for benchmarks and tests, the distribution of the PyTorch
// reference's make_windows: speed ~ U(0.5, 1.8) m/s, heading a random walk (σ 0.15 rad per
// step), velocity noise σ 0.02 m, start ~ U(−10, 10)², 0.4 s per step.
#if canImport(Glibc)
import Glibc
#endif
import NNCore
import TrajectoryData

public enum SyntheticWalks {
    public static func windows(count: Int, observed: Int = 8, predicted: Int = 12, seed: UInt64) -> WindowSet {
        var rng = Xoshiro256(seed: seed)
        var set = WindowSet(observed: observed, predicted: predicted)
        let steps = observed + predicted, dt = 0.4
        var positions = [Float](repeating: 0, count: steps * 2)
        for n in 0..<count {
            let speed = Double(rng.uniform(0.5, 1.8)) * dt
            var heading = Double(rng.uniform(0, 2 * .pi))
            var x = Double(rng.uniform(-10, 10)), y = Double(rng.uniform(-10, 10))
            var absolute: [SIMD2<Double>] = []
            for _ in 0..<steps {
                heading += 0.15 * rng.normalDouble()
                x += speed * cos(heading) + 0.02 * rng.normalDouble()
                y += speed * sin(heading) + 0.02 * rng.normalDouble()
                absolute.append(SIMD2(x, y))
            }
            let origin = absolute[observed - 1]
            for t in 0..<steps {
                positions[2 * t] = Float(absolute[t].x - origin.x)
                positions[2 * t + 1] = Float(absolute[t].y - origin.y)
            }
            set.append(relative: positions, origin: origin,
                       source: WindowSource(scene: 0, pedestrian: String(n), lastObservedStep: observed - 1))
        }
        return set
    }
}
