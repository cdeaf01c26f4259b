// The order in which K weighted futures are returned: closed-form cases of the expected-error
// choice, the nested prefixes, and the probabilities of the futures returned.
import Testing
@testable import TrajectoryModel

@Suite struct FutureSelectionTests {
    /// Futures that keep a constant sideways offset from a straight walk, one per offset.
    func parallel(_ offsets: [Float], steps: Int = 4) -> [SIMD2<Float>] {
        offsets.flatMap { y in (0..<steps).map { SIMD2(Float($0 + 1), y) } }
    }

    @Test func theFirstIsTheFutureOfLeastExpectedErrorNotTheLikeliest() {
        // Offsets −1, 0, +1 weighted 0.45, 0.1, 0.45: d(i, j) = 2|Δ|, so the middle one costs
        // 0.45·2 + 0.45·2 = 1.8 and either side 0.1·2 + 0.45·4 = 2.0: the middle comes first although
        // it is the least likely; then the sides (the lower index on a tie).
        let futures = parallel([-1, 0, 1])
        #expect(FutureSelection.order(futures, steps: 4, weights: [0.45, 0.1, 0.45]) == [1, 0, 2])
        // Weighted 0.7, 0.1, 0.2 the left one costs 0.1·2 + 0.2·4 = 1.0 < the middle's 1.8: it comes first;
        // then the one that lowers the expected best most: the right (0.2·4 → 0) before the middle (0.1·2 → 0).
        #expect(FutureSelection.order(futures, steps: 4, weights: [0.7, 0.1, 0.2]) == [0, 2, 1])
    }

    @Test func probabilitiesAreTheWeightOfTheFuturesEachStandsFor() {
        let futures = parallel([-1, 0, 1])
        // The middle and the left returned: the right is nearer the middle (2 against 4).
        #expect(FutureSelection.probabilities(of: [1, 0], futures, steps: 4, weights: [0.45, 0.1, 0.45]) == [0.55, 0.45])
        // All returned: each its own weight; weights that do not sum to 1 are normalised.
        #expect(FutureSelection.probabilities(of: [2, 0, 1], futures, steps: 4, weights: [2, 1, 1]) == [0.25, 0.5, 0.25])
        // No weight at all: equal weights.
        #expect(FutureSelection.probabilities(of: [0, 1, 2], futures, steps: 4, weights: [0, 0, 0])
                    .allSatisfy { abs($0 - 1.0 / 3) < 1e-6 })
    }

    @Test func samplesWithoutProbabilitiesAreChosenUnderEqualWeights() {
        // Offsets −1, 0, 5 weighed equally: 0 costs (2 + 10) / 3, −1 (2 + 12) / 3, 5 (12 + 10) / 3, so 0
        // first; then 5 (its 10 / 3 removed) before −1 (2 / 3); returned two, −1 goes with 0.
        let futures = parallel([-1, 0, 5])
        let samples = Samples(windows: 1, k: 3, predicted: 4, values: futures.flatMap { [$0.x, $0.y] })
        let chosen = FutureSelection.choose(2, of: samples)
        #expect(chosen.values == [futures[4...7], futures[8...11]].joined().flatMap { [$0.x, $0.y] })
        #expect(chosen.probabilities == [2.0 / 3, 1.0 / 3])
    }

    /// The distances computed once for both the order and the probabilities are, to the bit, the
    /// pairwise `distance` (symmetric, 0 on the diagonal), so sharing them changes no answer.
    @Test func theSharedDistancesAreThePairwiseOnesToTheBit() {
        var state: UInt64 = 0x9E37_79B9
        func next() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) * 8 - 4
        }
        let (count, steps) = (20, 12)
        let futures = (0..<(count * steps)).map { _ in SIMD2(next(), next()) }
        let d = FutureSelection.distances(futures, count: count, steps: steps)
        for i in 0..<count {
            for j in 0..<count {
                #expect(d[i * count + j].bitPattern == FutureSelection.distance(futures, i, j, steps: steps).bitPattern)
            }
        }
    }

    @Test func everyPrefixIsTheGreedyChoiceOfItsSize() {
        // Random futures and weights: the order is a permutation, and for every k the expected best-of-k
        // error of its first k is no worse than that of any other single swap (greedy optimality per step).
        var state: UInt64 = 7
        func uniform() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        let count = 8, steps = 3
        let futures = (0..<(count * steps)).map { _ in SIMD2(4 * uniform(), 4 * uniform()) }
        let weights = (0..<count).map { _ in uniform() }
        let order = FutureSelection.order(futures, steps: steps, weights: weights)
        #expect(order.sorted() == Array(0..<count))
        let w = FutureSelection.normalised(weights)
        func expectedBest(_ chosen: [Int]) -> Float {
            (0..<count).reduce(0) { sum, i in
                sum + w[i] * chosen.map { FutureSelection.distance(futures, i, $0, steps: steps) }.min()!
            }
        }
        for k in 1..<count {
            let prefix = Array(order.prefix(k - 1))
            let cost = expectedBest(prefix + [order[k - 1]])
            for other in order.suffix(from: k) {
                #expect(cost <= expectedBest(prefix + [other]) + 1e-6, "k \(k): \(order[k - 1]) before \(other)")
            }
        }
    }
}
