// The order in which a model of K weighted futures returns k of them. Every prefix is chosen for the
// metric it will be read with: the first future is the one of least expected ADE + FDE against the
// model's own distribution (the K futures, weighted by their probabilities), so k = 1 is the best
// single guess rather than the most likely mode; each next one is the future that lowers the
// expected ADE + FDE of the best of those chosen the most (greedy facility location), so the first
// k spread over the modes in proportion to their weight. A returned future's probability is the
// weight of the K futures nearer to it than to any other returned one.
//   d(i, j) = mean over steps of |f_i − f_j| + |f_i(last) − f_j(last)|
//   first = argmin_j Σ_i w_i d(i, j); next = argmin_j Σ_i w_i min(best_i, d(i, j))

public enum FutureSelection {
    /// The K futures' indices in the order of choice; `futures` holds future i at step t at
    /// `i * steps + t`, `weights` sum to 1 (or are all 0: equal weights). Ties go to the lower index.
    public static func order(_ futures: [SIMD2<Float>], steps: Int, weights: [Float]) -> [Int] {
        precondition(futures.count == weights.count * steps && steps > 0)
        return order(distances: distances(futures, count: weights.count, steps: steps), weights: normalised(weights))
    }

    /// `order` from the futures' distances (`distances`) and normalised weights.
    static func order(distances d: [Float], weights w: [Float]) -> [Int] {
        let count = w.count
        var best = [Float](repeating: 1e30, count: count)
        var chosen = [Bool](repeating: false, count: count), order: [Int] = []
        order.reserveCapacity(count)
        for _ in 0..<count {
            var pick = -1, pickCost = Float.infinity
            for j in 0..<count where !chosen[j] {
                var cost: Float = 0
                for i in 0..<count where w[i] > 0 { cost += w[i] * min(best[i], d[i * count + j]) }
                if cost < pickCost { (pick, pickCost) = (j, cost) }
            }
            if pick < 0 { pick = chosen.firstIndex(of: false)! }   // only non-finite costs remain
            chosen[pick] = true
            order.append(pick)
            for i in 0..<count { best[i] = min(best[i], d[i * count + pick]) }
        }
        return order
    }

    /// The probability of each of `chosen` (indices into the K futures): the weight of the futures
    /// nearest to it among `chosen` (ties to the earlier one); they sum to 1.
    public static func probabilities(of chosen: ArraySlice<Int>, _ futures: [SIMD2<Float>], steps: Int,
                                     weights: [Float]) -> [Float] {
        probabilities(of: chosen, distances: distances(futures, count: weights.count, steps: steps), weights: normalised(weights))
    }

    /// `probabilities` from the futures' distances (the same numbers `distance` gives: d is symmetric
    /// to the bit, and 0 on its diagonal) and normalised weights.
    static func probabilities(of chosen: ArraySlice<Int>, distances d: [Float], weights w: [Float]) -> [Float] {
        let count = w.count
        var mass = [Float](repeating: 0, count: chosen.count)
        for i in w.indices {
            var nearest = 0, nearestDistance = Float.infinity
            for (slot, j) in chosen.enumerated() {
                let distance = d[i * count + j]
                if distance < nearestDistance { (nearest, nearestDistance) = (slot, distance) }
            }
            mass[nearest] += w[i]
        }
        return mass
    }

    /// The weights over their sum, or equal weights when they sum to 0 or are not finite.
    static func normalised(_ weights: [Float]) -> [Float] {
        let total = weights.reduce(0, +)
        guard total > 0, total.isFinite else { return [Float](repeating: 1 / Float(weights.count), count: weights.count) }
        return weights.map { $0 / total }
    }

    static func distance(_ futures: [SIMD2<Float>], _ i: Int, _ j: Int, steps: Int) -> Float {
        var sum: Float = 0, last: Float = 0
        for t in 0..<steps {
            let e = futures[i * steps + t] - futures[j * steps + t]
            last = (e * e).sum().squareRoot()
            sum += last
        }
        return sum / Float(steps) + last
    }

    static func distances(_ futures: [SIMD2<Float>], count: Int, steps: Int) -> [Float] {
        var d = [Float](repeating: 0, count: count * count)
        for i in 0..<count {
            for j in (i + 1)..<max(i + 1, count) {
                let value = distance(futures, i, j, steps: steps)
                (d[i * count + j], d[j * count + i]) = (value, value)
            }
        }
        return d
    }
}

extension FutureSelection {
    /// k of each window's K futures in `samples` in the order of choice, with their probabilities,
    /// under `samples.probabilities` (equal weights when it has none).
    public static func choose(_ k: Int, of samples: Samples) -> Samples {
        precondition(k >= 1 && k <= samples.k, "k within 1…\(samples.k)")
        let steps = samples.predicted
        var chosen = Samples(windows: samples.count, k: k, predicted: steps,
                             probabilities: [Float](repeating: 0, count: samples.count * k))
        var futures = [SIMD2<Float>](repeating: .zero, count: samples.k * steps)
        for n in 0..<samples.count {
            for f in 0..<samples.k {
                for t in 0..<steps { futures[f * steps + t] = samples[window: n, sample: f, step: t] }
            }
            let weights = samples.probabilities.map { Array($0[(n * samples.k)..<((n + 1) * samples.k)]) }
                ?? [Float](repeating: 1, count: samples.k)
            // The distances once, for the order and the probabilities.
            let d = distances(futures, count: samples.k, steps: steps), w = normalised(weights)
            let order = Self.order(distances: d, weights: w).prefix(k)
            let probabilities = Self.probabilities(of: order, distances: d, weights: w)
            for (s, f) in order.enumerated() {
                let from = samples.offset(window: n, sample: f), to = chosen.offset(window: n, sample: s)
                chosen.values[to..<(to + 2 * steps)] = samples.values[from..<(from + 2 * steps)]
                chosen.probabilities![n * k + s] = probabilities[s]
            }
        }
        return chosen
    }
}
