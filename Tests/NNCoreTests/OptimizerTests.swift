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

    /// AdamW: the weight matrices (entries `….weight`) shrink by 1 − lr·λ before each step and
    /// nothing else does: with no gradient (so no Adam update) exactly keep^t; one step from rest
    /// is p·keep − lr·g / (|g| + ε); the vector loop equals the scalar definition with decay too.
    @Test func weightDecayShrinksTheWeightMatricesAloneBeforeTheStep() {
        var set = ParameterSet()
        let weight = set.add("layer.weight", shape: [3, 7]), bias = set.add("layer.bias", shape: [3])
        let anchors = set.add("anchors.moving", shape: [5])
        #expect(set.weightRanges == [weight.range])
        var rng = Xoshiro256(seed: 23)
        for i in 0..<set.count { set.values[i] = rng.uniform(-1, 1) }
        let start = set.values
        var adam = Adam(learningRate: 0.01)
        (adam.weightDecay, adam.decayed) = (0.5, set.weightRanges)
        let keep: Float = 1 - 0.01 * 0.5
        for _ in 0..<4 { adam.step(&set) }
        for i in weight.range { #expect(set.values[i] == start[i] * keep * keep * keep * keep) }
        for i in Array(bias.range) + Array(anchors.range) { #expect(set.values[i] == start[i]) }

        var one = ParameterSet()
        _ = one.add("w.weight", shape: [2])
        one.values = [0.8, -0.3]
        one.gradients = [0.25, -2]
        var step = Adam(learningRate: 0.01)
        (step.weightDecay, step.decayed) = (0.5, one.weightRanges)
        step.step(&one)
        for (i, (p, g)) in [(0.8, 0.25), (-0.3, -2.0)].enumerated() {
            let expected = p * Double(keep) - 0.01 * g / (abs(g) + 1e-8)
            #expect(abs(Double(one.values[i]) - expected) < 1e-6)
        }

        var fast = parameters(1_000, &rng), slow = fast
        var fastAdam = Adam(learningRate: 0.003), slowAdam = Adam(learningRate: 0.003)
        (fastAdam.weightDecay, fastAdam.decayed) = (0.1, [0..<600])
        (slowAdam.weightDecay, slowAdam.decayed) = (0.1, [0..<600])
        for _ in 0..<5 {
            let g = randomGradients(1_000, &rng)
            (fast.gradients, slow.gradients) = (g, g)
            fastAdam.step(&fast)
            slowAdam.referenceStep(&slow)
        }
        #expect(fast.values == slow.values)
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
