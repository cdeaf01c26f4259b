// The field's metrics over k sampled futures per window (definitions in the README):
//   minADE@k, minFDE@k  per-window minimum over samples, averaged over windows;
//   KDE-NLL             per future step a Gaussian KDE (Scott's bandwidth, full covariance, as
//                       scipy.stats.gaussian_kde) over the k samples, log-density of the truth
//                       clipped at −20, averaged over steps and windows, negated;
//   collision rate      share of sampled futures passing within 0.1 m of a ground-truth
//                       neighbour at the same step (from the windows' scene contexts).
// Legend: N windows, K samples, P predicted steps.
#if canImport(Glibc)
import Glibc
#endif
import TrajectoryData

/// minADE and minFDE at one k.
public struct Displacement: Sendable, Equatable {
    public var ade: Double
    public var fde: Double

    public init(ade: Double, fde: Double) { (self.ade, self.fde) = (ade, fde) }
}

/// The metrics of one method on a set of windows.
public struct Evaluation: Sendable, Equatable {
    public var windows: Int
    public var k: Int
    public var minADE: Double
    public var minFDE: Double
    /// minADE/minFDE over the first k' futures of each window for each k' of `Evaluator.smallerK`
    /// below k (a ranked model's first k', or a sampler's first k' samples).
    public var atSmallerK: [Int: Displacement] = [:]
    /// nil when no step had a usable KDE (k = 1, or all samples identical).
    public var kdeNLL: Double?
    /// nil when the windows carry no scene context.
    public var collisionRate: Double?
}

public enum Evaluator {
    /// The smaller k reported beside the headline k: the first future (a ranked model's best single
    /// guess), and the best of the first 5.
    public static let smallerK = [1, 5]
    public static let collisionDistance = 0.1
    public static let logDensityFloor = -20.0

    /// Metrics of `samples` (window i of the samples is window indices[i]), relative to each
    /// window's origin. Collisions are counted against the windows' scene contexts, when they have them.
    public static func evaluate(samples: Samples, windows: WindowSet, indices: ArraySlice<Int>) -> Evaluation {
        let steps = windows.predicted, k = samples.k
        let displacement = Metrics.average(Metrics.minDisplacements(samples: samples, windows: windows, indices: indices))
        let withContext = !indices.isEmpty && indices.allSatisfy { windows.contexts[windows.sources[$0].scene] != nil }
        var logDensitySum = 0.0, logDensityCount = 0
        var collided = 0
        var points = [SIMD2<Double>](repeating: .zero, count: k)
        var others: [SIMD2<Double>] = [], hits = [Bool](repeating: false, count: k)
        for (offset, n) in indices.enumerated() {
            let future = Array(windows.futurePositions(n))
            if k > 1 {
                for t in 0..<steps {
                    for s in 0..<k {
                        let p = samples[window: offset, sample: s, step: t]
                        points[s] = SIMD2(Double(p.x), Double(p.y))
                    }
                    let truth = SIMD2(Double(future[2 * t]), Double(future[2 * t + 1]))
                    if let logDensity = kdeLogDensity(points, at: truth) {
                        logDensitySum += max(logDensity, logDensityFloor)
                        logDensityCount += 1
                    }
                }
            }
            if withContext, let context = windows.contexts[windows.sources[n].scene] {
                // A future collides when at some step it comes within `collisionDistance` of anyone
                // else there: the others of each step gathered once for all k futures.
                let source = windows.sources[n]
                let origin = windows.origins[n]
                for s in 0..<k { hits[s] = false }
                for t in 0..<steps {
                    others.removeAll(keepingCapacity: true)
                    context.forEachPresent(at: source.lastObservedStep + t + 1) { agent, other in
                        if agent != source.agent { others.append(other) }
                    }
                    guard !others.isEmpty else { continue }
                    for s in 0..<k where !hits[s] {
                        let p = samples[window: offset, sample: s, step: t]
                        let position = origin + SIMD2(Double(p.x), Double(p.y))
                        hits[s] = others.contains { other in
                            let d = position - other
                            return (d * d).sum() < collisionDistance * collisionDistance
                        }
                    }
                }
                collided += hits.filter { $0 }.count
            }
        }
        var atSmallerK: [Int: Displacement] = [:]
        for smaller in smallerK where smaller < k {
            let first = Metrics.average(Metrics.minDisplacements(samples: samples.prefix(smaller), windows: windows,
                                                                 indices: indices))
            atSmallerK[smaller] = Displacement(ade: first.ade, fde: first.fde)
        }
        return Evaluation(windows: indices.count, k: k, minADE: displacement.ade, minFDE: displacement.fde,
                          atSmallerK: atSmallerK,
                          kdeNLL: logDensityCount > 0 ? -logDensitySum / Double(logDensityCount) : nil,
                          collisionRate: !withContext ? nil
                              : Double(collided) / Double(indices.count * k))
    }

    /// log of the Gaussian KDE of `points` at `x`, with scipy's defaults: covariance = the points'
    /// unbiased covariance × n^(−1/3) (Scott's factor n^(−1/(d+4)) squared, d = 2); nil when that
    /// covariance is singular.
    public static func kdeLogDensity(_ points: [SIMD2<Double>], at x: SIMD2<Double>) -> Double? {
        let n = Double(points.count)
        guard points.count >= 2 else { return nil }
        let mean = points.reduce(SIMD2<Double>.zero, +) / n
        var sxx = 0.0, sxy = 0.0, syy = 0.0
        for p in points {
            let d = p - mean
            sxx += d.x * d.x
            sxy += d.x * d.y
            syy += d.y * d.y
        }
        let factor = pow(n, -1.0 / 3.0) / (n - 1)
        let (a, b, c) = (sxx * factor, sxy * factor, syy * factor)   // kernel covariance [[a, b], [b, c]]
        let determinant = a * c - b * b
        guard determinant > 0, determinant.isFinite, a > 0 else { return nil }
        // Relative tolerance: a covariance this close to singular is numerically singular (scipy raises).
        guard determinant > 1e-12 * a * c else { return nil }
        let (ia, ib, ic) = (c / determinant, -b / determinant, a / determinant)
        var exponents = [Double](repeating: 0, count: points.count)
        for (i, p) in points.enumerated() {
            let d = x - p
            exponents[i] = -0.5 * (ia * d.x * d.x + 2 * ib * d.x * d.y + ic * d.y * d.y)
        }
        let top = exponents.max()!
        let sum = exponents.reduce(0) { $0 + exp($1 - top) }
        return top + log(sum / n) - log(2 * Double.pi) - 0.5 * log(determinant)
    }
}
