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

    /// op(A) = Aᵀ (a layer's input gradient Wᵀ·dY) gives the bits of the plain product of A's transpose
    /// written out: the same products in the same order, whether Aᵀ is read in place or through the
    /// buffer the product transposes it into; with a padded lda, a bias and each epilogue.
    @Test func transposedAIsThePlainProductOfItsTransposeToTheBit() {
        var rng = Xoshiro256(seed: 17)
        for (m, n, k, pad) in [(128, 256, 128, 0), (37, 130, 19, 3), (8, 128, 8, 1), (7, 140, 9, 0), (384, 64, 128, 0), (20, 200, 7, 2)] {
            let lda = m + pad
            let a = random(k * lda, &rng), b = random(k * n, &rng), bias = random(m, &rng), mask = random(m * n, &rng)
            var written = [Float](repeating: 0, count: m * k)
            for p in 0..<k { for i in 0..<m { written[i * k + p] = a[p * lda + i] } }
            mask.withUnsafeBufferPointer { maskPointer in
                for epilogue in [GemmEpilogue.none, .relu, .mask(maskPointer.baseAddress!)] {
                    var transposed = [Float](repeating: 0, count: m * n), plain = transposed
                    gemmNN(transA: true, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: n, c: &transposed, ldc: n,
                           accumulate: false, rowBias: bias, epilogue: epilogue)
                    gemmNN(transA: false, m: m, n: n, k: k, a: written, lda: k, b: b, ldb: n, c: &plain, ldc: n,
                           accumulate: false, rowBias: bias, epilogue: epilogue)
                    #expect(transposed == plain, "m \(m) n \(n) k \(k) lda \(lda)")
                }
            }
        }
    }

    @Test func biasAndEpiloguesMatchReferenceThenElementwise() {
        var rng = Xoshiro256(seed: 13)
        for (m, n, k) in [(20, 1000, 20), (5, 37, 3), (4, 8, 1), (7, 64, 9)] {
            let a = random(m * k, &rng), b = random(k * n, &rng), bias = random(m, &rng), mask = random(m * n, &rng)
            var expected = [Float](repeating: 0, count: m * n)
            gemmReference(transA: false, transB: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n,
                          c: &expected, ldc: n, accumulate: false)
            for i in 0..<m { for j in 0..<n { expected[i * n + j] += bias[i] } }
            var relu = [Float](repeating: 9, count: m * n), masked = relu
            gemmNN(transA: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &relu, ldc: n, accumulate: false,
                   rowBias: bias, epilogue: .relu)
            mask.withUnsafeBufferPointer { maskPointer in
                gemmNN(transA: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &masked, ldc: n,
                       accumulate: false, rowBias: bias, epilogue: .mask(maskPointer.baseAddress!))
            }
            for i in 0..<(m * n) {
                #expect(abs(relu[i] - max(expected[i], 0)) <= 1e-5 * Float(k), "relu \(m)x\(n)x\(k) [\(i)]")
                #expect(abs(masked[i] - (mask[i] > 0 ? expected[i] : 0)) <= 1e-5 * Float(k), "mask [\(i)]")
                #expect(relu[i] >= 0)
                if mask[i] <= 0 { #expect(masked[i] == 0) }
            }
        }
    }

    @Test func singleColumnMatchesReference() {
        var rng = Xoshiro256(seed: 14)
        for (m, k) in [(1, 1), (3, 17), (128, 144), (24, 128), (33, 5), (6, 50), (384, 4)] { for transA in [false, true] { for ldb in [1, 3] {
            for accumulate in [false, true] {
                let a = random(m * k, &rng), b = random(k * ldb, &rng), bias = random(m, &rng), start = random(m * 2, &rng)
                let lda = transA ? m : k
                var fast = start, slow = start
                gemmNN(transA: transA, m: m, n: 1, k: k, a: a, lda: lda, b: b, ldb: ldb, c: &fast, ldc: 2,
                       accumulate: accumulate, rowBias: bias, epilogue: .relu)
                gemmReference(transA: transA, transB: false, m: m, n: 1, k: k, a: a, lda: lda, b: b, ldb: ldb, c: &slow,
                              ldc: 2, accumulate: accumulate)
                for i in 0..<m {
                    let expected = max(slow[i * 2] + (accumulate ? 0 : bias[i]), 0)
                    #expect(abs(fast[i * 2] - expected) <= 1e-5 * Float(k), "m \(m) k \(k) transA \(transA) ldb \(ldb)")
                    #expect(fast[i * 2 + 1] == start[i * 2 + 1], "only column 0 is written")
                }
            }
        }}}
    }

    @Test func ntMatchesReference() {
        var rng = Xoshiro256(seed: 12)
        // Below 32 columns, dot products; from 32 on, Bᵀ through the NN kernel.
        let shapes = Self.sizes.prefix(9).flatMap { n in (Self.sizes + [100, 257]).map { (n, $0) } }
            + [32, 33, 47, 64, 65].flatMap { n in [1, 16, 37, 100].map { (n, $0) } }
        for m in Self.sizes.prefix(9) { for (n, k) in shapes {
            for accumulate in [false, true] {
                let a = random(m * (k + 1), &rng), b = random(n * (k + 2), &rng), start = random(m * n, &rng)
                var fast = start, slow = start
                var sums = [Float](repeating: 0.5, count: m)
                gemmNT(m: m, n: n, k: k, a: a, lda: k + 1, b: b, ldb: k + 2, c: &fast, ldc: n, accumulate: accumulate,
                       rowSums: &sums)
                for i in 0..<m {
                    let expected = 0.5 + (0..<k).reduce(Float(0)) { $0 + a[i * (k + 1) + $1] }
                    #expect(abs(sums[i] - expected) <= 1e-5 * Float(k), "row sum \(i)")
                }
                gemmReference(transA: false, transB: true, m: m, n: n, k: k, a: a, lda: k + 1, b: b, ldb: k + 2,
                              c: &slow, ldc: n, accumulate: accumulate)
                let worst = zip(fast, slow).map { abs($0 - $1) }.max()!
                #expect(worst <= 1e-5 * Float(k), "m \(m) n \(n) k \(k) acc \(accumulate)")
            }
        }}
    }

    @Test func transposeInTilesIsExact() {
        var rng = Xoshiro256(seed: 15)
        for (rows, columns, ld) in [(16, 16, 16), (1, 40, 41), (33, 50, 53), (128, 144, 144), (48, 16, 20), (17, 15, 15)] {
            let x = random(rows * ld, &rng)
            var out = [Float](repeating: .nan, count: rows * columns)
            x.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { transpose(x.baseAddress!, rows: rows, columns: columns, ld: ld, into: $0.baseAddress!) }
            }
            let expected = (0..<(rows * columns)).map { i in x[(i % rows) * ld + i / rows] }
            #expect(out == expected, "\(rows) × \(columns), ld \(ld)")
        }
    }

    /// A layer's backward pass over the rows of dy that are not zero (a winner-takes-all loss's one or
    /// two heads per window) gives the dense pass's bits where `sparseBackwardIsExact` says so — the
    /// weights' and bias's gradients and the masked input gradient — and agrees within rounding elsewhere.
    @Test func sparseBackwardIsTheDenseBackward() {
        var rng = Xoshiro256(seed: 19)
        for (inputs, outputs, batch) in [(128, 480, 128), (128, 480, 256), (32, 24, 16), (40, 50, 40), (64, 30, 136),
                                         (128, 480, 37), (8, 12, 16), (36, 20, 24)] {
            var parameters = ParameterSet()
            let layer = Linear(inputSize: inputs, outputSize: outputs, name: "layer", in: &parameters)
            var values = random(parameters.count, &rng)
            values[0] = 0
            let x = random(inputs * batch, &rng).map { max($0, 0) }   // a ReLU's output, its own mask
            // Each column: a few runs of rows, increasing (none for every fifth column).
            var dy = [Float](repeating: 0, count: outputs * batch), rows: [Int32] = [], starts: [Int32] = [0]
            for j in 0..<batch {
                if j % 5 != 4 {
                    var row = Int(rng.next() % UInt64(outputs))
                    while row < outputs, rows.count - Int(starts[j]) < 30 {
                        dy[row * batch + j] = rng.uniform(-1, 1)
                        rows.append(Int32(row))
                        row += 1 + Int(rng.next() % 9)
                    }
                }
                starts.append(Int32(rows.count))
            }
            var dense = [Float](repeating: .nan, count: parameters.count), sparse = dense
            var denseDx = [Float](repeating: .nan, count: inputs * batch), sparseDx = denseDx
            layer.backward(dy, input: x, batch: batch, parameters: values, gradients: &dense, weightGradients: .overwrite,
                           inputGradient: &denseDx, inputGradients: .overwrite, inputMask: x)
            layer.backwardSparse(dy, rows: rows, starts: starts, input: x, batch: batch, parameters: values,
                                 gradients: &sparse, inputGradient: &sparseDx, inputMask: x)
            let shape = "in \(inputs) out \(outputs) batch \(batch)"
            if layer.sparseBackwardIsExact(batch: batch) {
                #expect(zip(sparse, dense).filter { $0.bitPattern != $1.bitPattern }.count == 0, "\(shape)")
                #expect(zip(sparseDx, denseDx).filter { $0.bitPattern != $1.bitPattern }.count == 0, "\(shape)")
            } else {
                #expect(![(128, 480, 128), (128, 480, 256), (40, 50, 40), (64, 30, 136)].contains { $0 == (inputs, outputs, batch) })
                #expect(zip(sparse, dense).allSatisfy { abs($0 - $1) <= 1e-5 * Float(batch) }, "\(shape)")
                #expect(zip(sparseDx, denseDx).allSatisfy { abs($0 - $1) <= 1e-5 * Float(outputs) }, "\(shape)")
            }
            #expect(sparseDx.contains(0) && sparseDx.contains { $0 != 0 }, "\(shape): the mask and the rows both show")
        }
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
