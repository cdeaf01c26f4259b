// The vectorised Adam against its scalar definition, bit for bit, and the fused sum of gradient parts.
import Testing
@testable import NNCore

@Suite struct OptimizerTests {
    /// A parameter set of `count` values (split over entries so the vector loop has a tail).
    func parameters(_ count: Int, _ rng: inout Xoshiro256) -> ParameterSet {
        var set = ParameterSet()
        _ = set.add("a", shape: [count - 7])
        _ = set.add("b", shape: [7])
        for i in 0..<count { set.values[i] = rng.uniform(-1, 1) }
        return set
    }

    func randomGradients(_ count: Int, _ rng: inout Xoshiro256) -> [Float] {
        // Some tiny and some large, so every branch of rounding gets exercised.
        (0..<count).map { i in rng.uniform(-1, 1) * (i % 5 == 0 ? 1e-6 : i % 7 == 0 ? 1e3 : 1) }
    }

    @Test(arguments: [37, 1_000, 70_001])
    func simdStepEqualsScalarDefinition(count: Int) {
        var rng = Xoshiro256(seed: 21)
        var fast = parameters(count, &rng), slow = fast
        var fastAdam = Adam(learningRate: 0.003), slowAdam = Adam(learningRate: 0.003)
        for _ in 0..<12 {
            let g = randomGradients(count, &rng)
            fast.gradients = g
            slow.gradients = g
            fastAdam.step(&fast)
            slowAdam.referenceStep(&slow)
        }
        #expect(fast.values == slow.values)
        #expect(fastAdam.m == slowAdam.m && fastAdam.v == slowAdam.v)
        #expect(fast.values != parameters(count, &rng).values)
    }

    @Test func summingPartsEqualsAddingThemFirst() {
        var rng = Xoshiro256(seed: 22)
        let count = 40_003
        var fused = parameters(count, &rng), plain = fused
        var fusedAdam = Adam(), plainAdam = Adam()
        for _ in 0..<5 {
            let parts = (0..<3).map { _ in randomGradients(count, &rng) }
            parts[0].withUnsafeBufferPointer { p0 in
                parts[1].withUnsafeBufferPointer { p1 in
                    parts[2].withUnsafeBufferPointer { p2 in
                        [p0.baseAddress!, p1.baseAddress!, p2.baseAddress!].withUnsafeBufferPointer {
                            fusedAdam.step(&fused, summing: $0)
                        }
                    }
                }
            }
            plain.gradients = (0..<count).map { parts[0][$0] + parts[1][$0] + parts[2][$0] }
            plainAdam.referenceStep(&plain)
        }
        #expect(fused.values == plain.values)
    }
}
