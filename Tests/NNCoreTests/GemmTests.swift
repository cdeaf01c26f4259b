// The fast matrix products against the naive reference, over shapes that hit every block edge.
import Testing
@testable import NNCore

@Suite struct GemmTests {
    static let sizes = [1, 2, 3, 4, 5, 15, 16, 17, 31, 32, 33, 47, 64, 65]

    func random(_ count: Int, _ rng: inout Xoshiro256) -> [Float] { (0..<count).map { _ in rng.uniform(-1, 1) } }

    @Test func nnMatchesReference() {
        var rng = Xoshiro256(seed: 11)
        for m in Self.sizes.prefix(10) { for n in Self.sizes { for k in [1, 3, 16, 37] {
            for transA in [false, true] { for accumulate in [false, true] {
                let a = random(m * k, &rng), b = random(k * n + 3 * k, &rng), start = random(m * (n + 2), &rng)
                let lda = transA ? m : k, ldb = n + 3, ldc = n + 2
                var fast = start, slow = start
                gemmNN(transA: transA, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: &fast, ldc: ldc,
                       accumulate: accumulate)
                gemmReference(transA: transA, transB: false, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb,
                              c: &slow, ldc: ldc, accumulate: accumulate)
                let worst = zip(fast, slow).map { abs($0 - $1) }.max()!
                #expect(worst <= 1e-5 * Float(k), "m \(m) n \(n) k \(k) transA \(transA) acc \(accumulate)")
            }}
        }}}
    }

    @Test func ntMatchesReference() {
        var rng = Xoshiro256(seed: 12)
        for m in Self.sizes.prefix(9) { for n in Self.sizes.prefix(9) { for k in Self.sizes + [100, 257] {
            for accumulate in [false, true] {
                let a = random(m * (k + 1), &rng), b = random(n * (k + 2), &rng), start = random(m * n, &rng)
                var fast = start, slow = start
                gemmNT(m: m, n: n, k: k, a: a, lda: k + 1, b: b, ldb: k + 2, c: &fast, ldc: n, accumulate: accumulate)
                gemmReference(transA: false, transB: true, m: m, n: n, k: k, a: a, lda: k + 1, b: b, ldb: k + 2,
                              c: &slow, ldc: n, accumulate: accumulate)
                let worst = zip(fast, slow).map { abs($0 - $1) }.max()!
                #expect(worst <= 1e-5 * Float(k), "m \(m) n \(n) k \(k) acc \(accumulate)")
            }
        }}}
    }

    @Test func referenceIsTheDefinition() {
        // [[1, 2], [3, 4]] · [[5, 6], [7, 8]] = [[19, 22], [43, 50]]
        var c: [Float] = [0, 0, 0, 0]
        gemmReference(transA: false, transB: false, m: 2, n: 2, k: 2, a: [1, 2, 3, 4], lda: 2, b: [5, 6, 7, 8], ldb: 2,
                      c: &c, ldc: 2, accumulate: false)
        #expect(c == [19, 22, 43, 50])
        gemmReference(transA: true, transB: true, m: 2, n: 2, k: 2, a: [1, 2, 3, 4], lda: 2, b: [5, 6, 7, 8], ldb: 2,
                      c: &c, ldc: 2, accumulate: true)
        // Aᵀ·Bᵀ = [[1,3],[2,4]]·[[5,7],[6,8]] = [[23, 31], [34, 46]], added to the previous C.
        #expect(c == [42, 53, 77, 96])
    }
}
