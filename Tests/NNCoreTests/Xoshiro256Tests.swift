// The seeded generator: reference outputs, reproducibility, state round trip, distributions.
import Foundation
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

@Suite struct NormalDistributionTests {
    /// Φ(x), the standard normal CDF.
    func phi(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    @Test func kolmogorovSmirnovAndTails() {
        var g = Xoshiro256(seed: 21)
        let n = 400_000
        var draws = (0..<n).map { _ in g.normalDouble() }
        draws.sort()
        var d = 0.0
        for (i, x) in draws.enumerated() {
            let cdf = phi(x)
            d = max(d, abs(cdf - Double(i) / Double(n)), abs(cdf - Double(i + 1) / Double(n)))
        }
        // The 1 % critical value of the KS statistic is 1.63 / √n.
        #expect(d < 1.63 / Double(n).squareRoot(), "KS distance \(d)")
        // The tail beyond the ziggurat's R = 3.44 and beyond 4: expected counts 2 n (1 − Φ(x)).
        for cut in [3.0, 3.442619855899, 4.0] {
            let observed = Double(draws.filter { abs($0) > cut }.count)
            let expected = 2 * Double(n) * (1 - phi(cut))
            #expect(abs(observed - expected) < 4 * expected.squareRoot() + 2, "beyond \(cut): \(observed) vs \(expected)")
        }
    }

    @Test func fillNormalEqualsSingleDraws() {
        var a = Xoshiro256(seed: 4), b = Xoshiro256(seed: 4)
        var buffer = [Float](repeating: 0, count: 1000)
        buffer.withUnsafeMutableBufferPointer { a.fillNormal($0) }
        #expect(buffer == (0..<1000).map { _ in b.normal() })
        #expect(a == b)
    }

    @Test func zigguratTablesCoverTheDensity() {
        let table = Ziggurat()
        // Each layer has area v: x[i] (f(x[i+1]) − f(x[i])) = v for the inner layers.
        for i in 1..<(Ziggurat.layers - 1) {
            let area = table.x[i] * (exp(-0.5 * table.x[i + 1] * table.x[i + 1]) - exp(-0.5 * table.x[i] * table.x[i]))
            #expect(abs(area - Ziggurat.v) < 1e-9, "layer \(i)")
        }
        #expect(table.x[127] > 0 && table.x[127] < 0.3)
    }
}
