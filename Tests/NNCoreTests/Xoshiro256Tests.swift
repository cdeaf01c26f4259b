// The seeded generator: reference outputs, reproducibility, state round trip, distributions.
import Testing
@testable import NNCore

@Suite struct Xoshiro256Tests {
    @Test func matchesTheReferenceImplementation() {
        // xoshiro256** from state (1, 2, 3, 4): first outputs of the authors' C code.
        var g = Xoshiro256(state: [1, 2, 3, 4])!
        #expect((0..<4).map { _ in g.next() } == [11520, 0, 1509978240, 1215971899390074240])
    }

    @Test func sameSeedSameSequenceAndStateRoundTrip() {
        var a = Xoshiro256(seed: 7), b = Xoshiro256(seed: 7), c = Xoshiro256(seed: 8)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
        var restored = Xoshiro256(state: a.stateWords)!
        #expect(restored.next() == a.next())
        #expect(Xoshiro256(state: [0, 0, 0, 0]) == nil)
    }

    @Test func uniformAndNormalMoments() {
        var g = Xoshiro256(seed: 1)
        let n = 200_000
        var sum = 0.0, sumSquares = 0.0, below = 0
        for _ in 0..<n {
            let u = g.uniform()
            #expect(u >= 0 && u < 1)
            if u < 0.25 { below += 1 }
        }
        #expect(abs(Double(below) / Double(n) - 0.25) < 0.005)
        for _ in 0..<n {
            let z = Double(g.normal())
            sum += z
            sumSquares += z * z
        }
        let mean = sum / Double(n)
        #expect(abs(mean) < 0.01)
        #expect(abs(sumSquares / Double(n) - mean * mean - 1) < 0.015)
    }

    @Test func belowIsInRangeAndShuffleIsAPermutation() {
        var g = Xoshiro256(seed: 3)
        var hits = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { hits[g.below(7)] += 1 }
        #expect(hits.allSatisfy { abs($0 - 10_000) < 500 })
        var values = Array(0..<100)
        g.shuffle(&values)
        #expect(values.sorted() == Array(0..<100))
        #expect(values != Array(0..<100))
    }
}
