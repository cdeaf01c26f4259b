// Matrix products, the place where training time goes. Two forms cover every layer:
//   gemmNN: C (M×N) [+]= op(A) (M×K) · B (K×N), vectorised along N (rows of B and C contiguous);
//   gemmNT: C (M×N) [+]= A (M×K) · Bᵀ, B given as N×K: dot products along the contiguous K.
// Activations are stored feature-major (features × batch), so N is the batch in forward passes
// and input gradients, and K is the batch in weight gradients: long contiguous runs either way,
// however small the layer. `gemmReference` is the naive triple loop the fast forms are tested against.

import CVectorMath

/// The naive product, kept forever as the definition: C[i,j] = (accumulate ? C[i,j] : 0) + Σ_k a(i,k)·b(k,j)
/// with a(i,k) = transA ? A[k·lda + i] : A[i·lda + k] and b(k,j) = transB ? B[j·ldb + k] : B[k·ldb + j].
public func gemmReference(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                          a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                          c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: Float = accumulate ? c[i * ldc + j] : 0
            for p in 0..<k {
                let av = transA ? a[p * lda + i] : a[i * lda + p]
                let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
                sum += av * bv
            }
            c[i * ldc + j] = sum
        }
    }
}

/// Sixteen floats from `p` (no alignment needed); the vector loops share these two (NNCore's, and the
/// models' own, such as `wta`'s head errors).
@inlinable @inline(__always)
public func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inlinable @inline(__always)
public func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}


/// How a kernel stores its results. Each epilogue is its own type, so `gemmNN`'s kernel is
/// specialised per epilogue and the stores inline into the register block (an enum switched
/// per store was compiled as a call that split each vector into four xmm registers).
private protocol ResultWriter {
    func store16(_ v: SIMD16<Float>, _ target: UnsafeMutablePointer<Float>, _ offset: Int)
    func store8(_ v: SIMD8<Float>, _ target: UnsafeMutablePointer<Float>, _ offset: Int)
    func store1(_ v: Float, _ target: UnsafeMutablePointer<Float>, _ offset: Int)
}

/// C as computed.
private struct PlainWriter: ResultWriter {
    @inline(__always) func store16(_ v: SIMD16<Float>, _ target: UnsafeMutablePointer<Float>, _ offset: Int) {
        UnsafeMutableRawPointer(target + offset).storeBytes(of: v, as: SIMD16<Float>.self)
    }
    @inline(__always) func store8(_ v: SIMD8<Float>, _ target: UnsafeMutablePointer<Float>, _ offset: Int) {
        UnsafeMutableRawPointer(target + offset).storeBytes(of: v, as: SIMD8<Float>.self)
    }
    @inline(__always) func store1(_ v: Float, _ target: UnsafeMutablePointer<Float>, _ offset: Int) {
        target[offset] = v
    }
}

/// max(C, 0).
private struct ReluWriter: ResultWriter {
    @inline(__always) func store16(_ v: SIMD16<Float>, _ target: UnsafeMutablePointer<Float>, _ offset: Int) {
        UnsafeMutableRawPointer(target + offset).storeBytes(of: v.replacing(with: 0, where: v .< 0), as: SIMD16<Float>.self)
    }
    @inline(__always) func store8(_ v: SIMD8<Float>, _ target: UnsafeMutablePointer<Float>, _ offset: Int) {
        UnsafeMutableRawPointer(target + offset).storeBytes(of: v.replacing(with: 0, where: v .< 0), as: SIMD8<Float>.self)
    }
    @inline(__always) func store1(_ v: Float, _ target: UnsafeMutablePointer<Float>, _ offset: Int) {
        target[offset] = max(v, 0)
    }
}

/// C where the mask (same layout as C, so the same offset) is > 0, else 0.
private struct MaskWriter: ResultWriter {
    let mask: UnsafePointer<Float>
    @inline(__always) func store16(_ v: SIMD16<Float>, _ target: UnsafeMutablePointer<Float>, _ offset: Int) {
        let keep = UnsafeRawPointer(mask + offset).loadUnaligned(as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(target + offset).storeBytes(of: v.replacing(with: 0, where: keep .<= 0), as: SIMD16<Float>.self)
    }
    @inline(__always) func store8(_ v: SIMD8<Float>, _ target: UnsafeMutablePointer<Float>, _ offset: Int) {
        let keep = UnsafeRawPointer(mask + offset).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(target + offset).storeBytes(of: v.replacing(with: 0, where: keep .<= 0), as: SIMD8<Float>.self)
    }
    @inline(__always) func store1(_ v: Float, _ target: UnsafeMutablePointer<Float>, _ offset: Int) {
        target[offset] = mask[offset] > 0 ? v : 0
    }
}

/// What `gemmNN` does to each result as it stores it, fusing the next element-wise step.
public enum GemmEpilogue {
    /// ResultWriter C as computed.
    case none
    /// ResultWriter max(C, 0): a layer's ReLU.
    case relu
    /// ResultWriter C where M[i·ldc + j] > 0 and 0 elsewhere (M laid out like C): the ReLU backward of
    /// the layer whose output M is.
    case mask(UnsafePointer<Float>)
}

/// C (M×N) [+]= op(A) · B with B row-major K×N (row stride ldb) and C row stride ldc, then the
/// epilogue; without `accumulate`, row i starts from rowBias[i] (or 0). op(A)(i,k) = transA ? A[k·lda + i] : A[i·lda + k]. Register-blocked: 4 rows × 32
/// columns of C stay in eight SIMD16 accumulators while k runs, so each B load feeds four fused
/// multiply-adds. The epilogue is applied while the block is still in registers.
public func gemmNN(transA: Bool, m: Int, n: Int, k: Int,
                   a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                   c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, rowBias: UnsafePointer<Float>? = nil,
                   epilogue: GemmEpilogue = .none) {
    // op(A) = Aᵀ read in place walks A's rows a stride of lda apart for every k: at lda = 128 those
    // rows share a few L1 sets and evict each other (the input gradient Wᵀ·dY of a 128-wide layer ran
    // at 71 GFLOP/s against 131 for W·X). Transposed once into a buffer, A is read as the plain
    // product reads it; the products and their order are the same, so are the bits. From 128
    // columns on (a training part's full batch), where the transpose is under 1 % of the work.
    if transA, n >= 128, m >= 8, k >= 8 {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: m * k) { at in
            transpose(a, rows: k, columns: m, ld: lda, into: at.baseAddress!)
            gemmNN(transA: false, m: m, n: n, k: k, a: at.baseAddress!, lda: k, b: b, ldb: ldb, c: c, ldc: ldc,
                   accumulate: accumulate, rowBias: rowBias, epilogue: epilogue)
        }
        return
    }
    switch epilogue {
    case .none:
        gemmNNKernel(transA: transA, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
                     accumulate: accumulate, rowBias: rowBias, store: PlainWriter())
    case .relu:
        gemmNNKernel(transA: transA, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
                     accumulate: accumulate, rowBias: rowBias, store: ReluWriter())
    case let .mask(mask):
        gemmNNKernel(transA: transA, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
                     accumulate: accumulate, rowBias: rowBias, store: MaskWriter(mask: mask))
    }
}

private func gemmNNKernel<S: ResultWriter>(transA: Bool, m: Int, n: Int, k: Int,
                                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool,
                                    rowBias: UnsafePointer<Float>?, store: S) {
    /// The starting value of row i when not accumulating: its bias, or 0.
    @inline(__always) func start(_ i: Int) -> Float { rowBias?[i] ?? 0 }
    if n == 1 {
        gemvKernel(transA: transA, m: m, k: k, a: a, lda: lda, x: b, incX: ldb, c: c, ldc: ldc, accumulate: accumulate,
                   rowBias: rowBias, store: store)
        return
    }
    let aRow = transA ? 1 : lda   // step between rows i of op(A)
    let aCol = transA ? lda : 1   // step between columns k of op(A)
    var j0 = 0
    while j0 + 32 <= n {
        var i0 = 0
        // Eight rows by 32 columns: 16 accumulators, so the multiply-adds of both ports never wait
        // on each other's latency, and each row of B read serves eight rows of A. Every element
        // still gets its products in the order of p, as in the smaller blocks: the same bits.
        while i0 + 8 <= m {
            var acc = (SIMD16<Float>(repeating: start(i0)), SIMD16<Float>(repeating: start(i0)),
                       SIMD16<Float>(repeating: start(i0 + 1)), SIMD16<Float>(repeating: start(i0 + 1)),
                       SIMD16<Float>(repeating: start(i0 + 2)), SIMD16<Float>(repeating: start(i0 + 2)),
                       SIMD16<Float>(repeating: start(i0 + 3)), SIMD16<Float>(repeating: start(i0 + 3)))
            var acc2 = (SIMD16<Float>(repeating: start(i0 + 4)), SIMD16<Float>(repeating: start(i0 + 4)),
                        SIMD16<Float>(repeating: start(i0 + 5)), SIMD16<Float>(repeating: start(i0 + 5)),
                        SIMD16<Float>(repeating: start(i0 + 6)), SIMD16<Float>(repeating: start(i0 + 6)),
                        SIMD16<Float>(repeating: start(i0 + 7)), SIMD16<Float>(repeating: start(i0 + 7)))
            let c0 = c + i0 * ldc + j0
            if accumulate {
                acc = (load16(c0), load16(c0 + 16), load16(c0 + ldc), load16(c0 + ldc + 16),
                       load16(c0 + 2 * ldc), load16(c0 + 2 * ldc + 16), load16(c0 + 3 * ldc), load16(c0 + 3 * ldc + 16))
                let c4 = c0 + 4 * ldc
                acc2 = (load16(c4), load16(c4 + 16), load16(c4 + ldc), load16(c4 + ldc + 16),
                        load16(c4 + 2 * ldc), load16(c4 + 2 * ldc + 16), load16(c4 + 3 * ldc), load16(c4 + 3 * ldc + 16))
            }
            let a0 = a + i0 * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow
            let a4 = a3 + aRow, a5 = a4 + aRow, a6 = a5 + aRow, a7 = a6 + aRow
            var bp = b + j0
            for p in 0..<k {
                let b0 = load16(bp), b1 = load16(bp + 16)
                let offset = p * aCol
                var v = SIMD16<Float>(repeating: a0[offset])
                acc.0.addProduct(v, b0); acc.1.addProduct(v, b1)
                v = SIMD16<Float>(repeating: a1[offset])
                acc.2.addProduct(v, b0); acc.3.addProduct(v, b1)
                v = SIMD16<Float>(repeating: a2[offset])
                acc.4.addProduct(v, b0); acc.5.addProduct(v, b1)
                v = SIMD16<Float>(repeating: a3[offset])
                acc.6.addProduct(v, b0); acc.7.addProduct(v, b1)
                v = SIMD16<Float>(repeating: a4[offset])
                acc2.0.addProduct(v, b0); acc2.1.addProduct(v, b1)
                v = SIMD16<Float>(repeating: a5[offset])
                acc2.2.addProduct(v, b0); acc2.3.addProduct(v, b1)
                v = SIMD16<Float>(repeating: a6[offset])
                acc2.4.addProduct(v, b0); acc2.5.addProduct(v, b1)
                v = SIMD16<Float>(repeating: a7[offset])
                acc2.6.addProduct(v, b0); acc2.7.addProduct(v, b1)
                bp += ldb
            }
            let o = i0 * ldc + j0
            store.store16(acc.0, c, o); store.store16(acc.1, c, o + 16)
            store.store16(acc.2, c, o + ldc); store.store16(acc.3, c, o + ldc + 16)
            store.store16(acc.4, c, o + 2 * ldc); store.store16(acc.5, c, o + 2 * ldc + 16)
            store.store16(acc.6, c, o + 3 * ldc); store.store16(acc.7, c, o + 3 * ldc + 16)
            store.store16(acc2.0, c, o + 4 * ldc); store.store16(acc2.1, c, o + 4 * ldc + 16)
            store.store16(acc2.2, c, o + 5 * ldc); store.store16(acc2.3, c, o + 5 * ldc + 16)
            store.store16(acc2.4, c, o + 6 * ldc); store.store16(acc2.5, c, o + 6 * ldc + 16)
            store.store16(acc2.6, c, o + 7 * ldc); store.store16(acc2.7, c, o + 7 * ldc + 16)
            i0 += 8
        }
        while i0 + 4 <= m {
            var c00 = SIMD16<Float>(repeating: start(i0)), c01 = c00
            var c10 = SIMD16<Float>(repeating: start(i0 + 1)), c11 = c10
            var c20 = SIMD16<Float>(repeating: start(i0 + 2)), c21 = c20
            var c30 = SIMD16<Float>(repeating: start(i0 + 3)), c31 = c30
            let c0 = c + i0 * ldc + j0, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc
            if accumulate {
                c00 = load16(c0); c01 = load16(c0 + 16); c10 = load16(c1); c11 = load16(c1 + 16)
                c20 = load16(c2); c21 = load16(c2 + 16); c30 = load16(c3); c31 = load16(c3 + 16)
            }
            let a0 = a + i0 * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow
            var bp = b + j0
            for p in 0..<k {
                let b0 = load16(bp), b1 = load16(bp + 16)
                let offset = p * aCol
                let v0 = SIMD16<Float>(repeating: a0[offset]), v1 = SIMD16<Float>(repeating: a1[offset])
                let v2 = SIMD16<Float>(repeating: a2[offset]), v3 = SIMD16<Float>(repeating: a3[offset])
                c00.addProduct(v0, b0); c01.addProduct(v0, b1)
                c10.addProduct(v1, b0); c11.addProduct(v1, b1)
                c20.addProduct(v2, b0); c21.addProduct(v2, b1)
                c30.addProduct(v3, b0); c31.addProduct(v3, b1)
                bp += ldb
            }
            store.store16(c00, c, i0 * ldc + j0)
            store.store16(c01, c, i0 * ldc + j0 + 16)
            store.store16(c10, c, (i0 + 1) * ldc + j0)
            store.store16(c11, c, (i0 + 1) * ldc + j0 + 16)
            store.store16(c20, c, (i0 + 2) * ldc + j0)
            store.store16(c21, c, (i0 + 2) * ldc + j0 + 16)
            store.store16(c30, c, (i0 + 3) * ldc + j0)
            store.store16(c31, c, (i0 + 3) * ldc + j0 + 16)
            i0 += 4
        }
        while i0 < m {
            let ci = c + i0 * ldc + j0
            var s0 = accumulate ? load16(ci) : SIMD16<Float>(repeating: start(i0))
            var s1 = accumulate ? load16(ci + 16) : SIMD16<Float>(repeating: start(i0))
            let ai = a + i0 * aRow
            var bp = b + j0
            for p in 0..<k {
                let v = SIMD16<Float>(repeating: ai[p * aCol])
                s0.addProduct(v, load16(bp))
                s1.addProduct(v, load16(bp + 16))
                bp += ldb
            }
            store.store16(s0, c, i0 * ldc + j0)
            store.store16(s1, c, i0 * ldc + j0 + 16)
            i0 += 1
        }
        j0 += 32
    }
    if j0 + 16 <= n {
        // Sixteen columns: four rows at a time, so four chains of multiply-adds overlap.
        var i0 = 0
        while i0 + 4 <= m {
            let c0 = c + i0 * ldc + j0
            var s0 = accumulate ? load16(c0) : SIMD16<Float>(repeating: start(i0))
            var s1 = accumulate ? load16(c0 + ldc) : SIMD16<Float>(repeating: start(i0 + 1))
            var s2 = accumulate ? load16(c0 + 2 * ldc) : SIMD16<Float>(repeating: start(i0 + 2))
            var s3 = accumulate ? load16(c0 + 3 * ldc) : SIMD16<Float>(repeating: start(i0 + 3))
            let a0 = a + i0 * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow
            var bp = b + j0
            for p in 0..<k {
                let bv = load16(bp), offset = p * aCol
                s0.addProduct(SIMD16<Float>(repeating: a0[offset]), bv)
                s1.addProduct(SIMD16<Float>(repeating: a1[offset]), bv)
                s2.addProduct(SIMD16<Float>(repeating: a2[offset]), bv)
                s3.addProduct(SIMD16<Float>(repeating: a3[offset]), bv)
                bp += ldb
            }
            store.store16(s0, c, i0 * ldc + j0)
            store.store16(s1, c, (i0 + 1) * ldc + j0)
            store.store16(s2, c, (i0 + 2) * ldc + j0)
            store.store16(s3, c, (i0 + 3) * ldc + j0)
            i0 += 4
        }
        for i in i0..<m {
            let ci = c + i * ldc + j0
            var s = accumulate ? load16(ci) : SIMD16<Float>(repeating: start(i))
            let ai = a + i * aRow
            var bp = b + j0
            for p in 0..<k {
                s.addProduct(SIMD16<Float>(repeating: ai[p * aCol]), load16(bp))
                bp += ldb
            }
            store.store16(s, c, i * ldc + j0)
        }
        j0 += 16
    }
    if j0 + 8 <= n {
        for i in 0..<m {
            let ci = c + i * ldc + j0
            var s = accumulate ? UnsafeRawPointer(ci).loadUnaligned(as: SIMD8<Float>.self) : SIMD8<Float>(repeating: start(i))
            let ai = a + i * aRow
            var bp = b + j0
            for p in 0..<k {
                s.addProduct(SIMD8<Float>(repeating: ai[p * aCol]), UnsafeRawPointer(bp).loadUnaligned(as: SIMD8<Float>.self))
                bp += ldb
            }
            store.store8(s, c, i * ldc + j0)
        }
        j0 += 8
    }
    if j0 < n {
        for i in 0..<m {
            let ai = a + i * aRow
            for j in j0..<n {
                var sum: Float = accumulate ? c[i * ldc + j] : start(i)
                for p in 0..<k { sum += ai[p * aCol] * b[p * ldb + j] }
                store.store1(sum, c, i * ldc + j)
            }
        }
    }
}

/// One column (N = 1, a single pedestrian): y = op(A) · x. Without transA each y[i] is a dot product
/// along the contiguous row i of A; with transA, y accumulates x[k] times row k of A. Either way the
/// vectors run along contiguous memory, which the N-blocked kernel cannot when N = 1.
private func gemvKernel<S: ResultWriter>(transA: Bool, m: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                  x: UnsafePointer<Float>, incX: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                                  accumulate: Bool, rowBias: UnsafePointer<Float>?, store: S) {
    // The column x may be strided (ldb); gather it when it is.
    withUnsafeTemporaryAllocation(of: Float.self, capacity: k) { gathered in
        let xs: UnsafePointer<Float>
        if incX == 1 {
            xs = x
        } else {
            for p in 0..<k { gathered[p] = x[p * incX] }
            xs = UnsafePointer(gathered.baseAddress!)
        }
        if !transA, k < 16 {
            // A few inputs per row (a GRU's input weights): plain dot products, no vector to reduce.
            for i in 0..<m {
                let row = a + i * lda
                var value: Float = 0
                for p in 0..<k { value += row[p] * xs[p] }
                let start: Float = accumulate ? c[i * ldc] : (rowBias?[i] ?? 0)
                store.store1(start + value, c, i * ldc)
            }
        } else if !transA {
            // Four rows at a time, each with two accumulators: eight independent chains of fused
            // multiply-adds, where one row's single chain would wait on each addition in turn.
            // k runs in steps of 32, then one of 16, then one by one.
            let k32 = k & ~31, k16 = k & ~15
            @inline(__always) func finish(_ s: SIMD16<Float>, _ i: Int) {
                let row = a + i * lda
                var value = horizontalSum(s)
                for p in k16..<k { value += row[p] * xs[p] }
                let start: Float = accumulate ? c[i * ldc] : (rowBias?[i] ?? 0)
                store.store1(start + value, c, i * ldc)
            }
            var i = 0
            while i + 4 <= m {
                let r0 = a + i * lda, r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda
                var s00 = SIMD16<Float>(), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00, s30 = s00, s31 = s00
                var p = 0
                while p < k32 {
                    let x0 = load16(xs + p), x1 = load16(xs + p + 16)
                    s00.addProduct(load16(r0 + p), x0); s01.addProduct(load16(r0 + p + 16), x1)
                    s10.addProduct(load16(r1 + p), x0); s11.addProduct(load16(r1 + p + 16), x1)
                    s20.addProduct(load16(r2 + p), x0); s21.addProduct(load16(r2 + p + 16), x1)
                    s30.addProduct(load16(r3 + p), x0); s31.addProduct(load16(r3 + p + 16), x1)
                    p += 32
                }
                if p < k16 {
                    let x0 = load16(xs + p)
                    s00.addProduct(load16(r0 + p), x0); s10.addProduct(load16(r1 + p), x0)
                    s20.addProduct(load16(r2 + p), x0); s30.addProduct(load16(r3 + p), x0)
                }
                finish(s00 + s01, i); finish(s10 + s11, i + 1); finish(s20 + s21, i + 2); finish(s30 + s31, i + 3)
                i += 4
            }
            while i < m {
                let row = a + i * lda
                var s0 = SIMD16<Float>(), s1 = s0
                var p = 0
                while p < k32 {
                    s0.addProduct(load16(row + p), load16(xs + p))
                    s1.addProduct(load16(row + p + 16), load16(xs + p + 16))
                    p += 32
                }
                if p < k16 { s0.addProduct(load16(row + p), load16(xs + p)) }
                finish(s0 + s1, i)
                i += 1
            }
        } else {
            withUnsafeTemporaryAllocation(of: Float.self, capacity: m) { y in
                for i in 0..<m { y[i] = accumulate ? c[i * ldc] : (rowBias?[i] ?? 0) }
                // Blocks of 64 outputs stay in four registers while k runs: no reductions, and y
                // is read and written once per block rather than once per k.
                let out = y.baseAddress!
                var i = 0
                while i + 64 <= m {
                    var s0 = load16(out + i), s1 = load16(out + i + 16), s2 = load16(out + i + 32), s3 = load16(out + i + 48)
                    var row = a + i
                    for p in 0..<k {
                        let v = SIMD16<Float>(repeating: xs[p])
                        s0.addProduct(v, load16(row)); s1.addProduct(v, load16(row + 16))
                        s2.addProduct(v, load16(row + 32)); s3.addProduct(v, load16(row + 48))
                        row += lda
                    }
                    store16(s0, out + i); store16(s1, out + i + 16); store16(s2, out + i + 32); store16(s3, out + i + 48)
                    i += 64
                }
                while i + 16 <= m {
                    var s = load16(out + i)
                    for p in 0..<k { s.addProduct(SIMD16<Float>(repeating: xs[p]), load16(a + p * lda + i)) }
                    store16(s, out + i)
                    i += 16
                }
                while i < m {
                    for p in 0..<k { out[i] += xs[p] * a[p * lda + i] }
                    i += 1
                }
                for i in 0..<m { store.store1(y[i], c, i * ldc) }
            }
        }
    }
}

/// out (columns × rows) = transpose of `x` (rows × columns, row stride ld), in 16 × 16 tiles:
/// whole tiles through register shuffles, the edges element by element.
func transpose(_ x: UnsafePointer<Float>, rows: Int, columns: Int, ld: Int, into out: UnsafeMutablePointer<Float>) {
    var r0 = 0
    while r0 < rows {
        let r1 = min(r0 + 16, rows)
        var c0 = 0
        while c0 < columns {
            let c1 = min(c0 + 16, columns)
            if r1 - r0 == 16, c1 - c0 == 16 {
                cvm_transpose16x16(x + r0 * ld + c0, ld, out + c0 * rows + r0, rows)
            } else {
                for r in r0..<r1 {
                    for c in c0..<c1 { out[c * rows + r] = x[r * ld + c] }
                }
            }
            c0 = c1
        }
        r0 = r1
    }
}

/// sums[i] += Σ_j x[i·ld + j] for each of the rows: a layer's bias gradient from its output gradient.
public func addRowSums(_ x: UnsafePointer<Float>, rows: Int, columns: Int, ld: Int, into sums: UnsafeMutablePointer<Float>) {
    for i in 0..<rows {
        let row = x + i * ld
        var s = SIMD16<Float>()
        var p = 0
        while p + 16 <= columns {
            s += load16(row + p)
            p += 16
        }
        var value = horizontalSum(s)
        while p < columns {
            value += row[p]
            p += 1
        }
        sums[i] += value
    }
}

/// The sum of the 16 lanes by halving (a fixed order of additions, so the same bits every run).
@inline(__always)
func horizontalSum(_ v: SIMD16<Float>) -> Float {
    let eight = v.lowHalf + v.highHalf
    let four = eight.lowHalf + eight.highHalf
    let two = four.lowHalf + four.highHalf
    return two.x + two.y
}

/// C (M×N) [+]= A · Bᵀ with A row-major M×K and B row-major N×K: C[i,j] = Σ_k A[i,k]·B[j,k].
/// With `rowSums`, also rowSums[i] += Σ_k A[i,k] (a layer's bias gradient, from the same loads).
/// From 32 columns on, Bᵀ is formed once and the NN kernel runs; below that, dot products run in
/// blocks of up to 4 rows × 4 columns over k in SIMD16 steps, the k % 16 remainder in scalar.
public func gemmNT(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                   c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool,
                   rowSums: UnsafeMutablePointer<Float>? = nil) {
    // With 32 columns or more, transposing B once and running the register-blocked NN kernel is
    // about twice as fast as dot products (which end each block with horizontal sums). Below 32
    // the NN kernel has no full block, and dot products along a long k win (the notebook's
    // 20-wide layers on batches of 1,000: 4.3 s → 2.0 s per seed).
    if n >= 32, k >= 16 {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: k * n) { bt in
            transpose(b, rows: n, columns: k, ld: ldb, into: bt.baseAddress!)
            gemmNN(transA: false, m: m, n: n, k: k, a: a, lda: lda, b: bt.baseAddress!, ldb: n, c: c, ldc: ldc,
                   accumulate: accumulate)
        }
        if let rowSums { addRowSums(a, rows: m, columns: k, ld: lda, into: rowSums) }
        return
    }
    let kVector = k & ~15
    @inline(__always) func tail(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        var sum: Float = 0
        for p in kVector..<k { sum += x[p] * y[p] }
        return sum
    }
    @inline(__always) func finish(_ s: SIMD16<Float>, _ i: Int, _ j: Int) {
        let value = horizontalSum(s) + tail(a + i * lda, b + j * ldb)
        let target = c + i * ldc + j
        target.pointee = accumulate ? target.pointee + value : value
    }
    @inline(__always) func finishRow(_ s: SIMD16<Float>, _ i: Int) {
        guard let rowSums else { return }
        var value = horizontalSum(s)
        let x = a + i * lda
        for p in kVector..<k { value += x[p] }
        rowSums[i] += value
    }
    let wantSums = rowSums != nil
    /// Results of up to four rows for column j (rows past the block's end are dropped).
    @inline(__always) func finish4(_ s0: SIMD16<Float>, _ s1: SIMD16<Float>, _ s2: SIMD16<Float>, _ s3: SIMD16<Float>,
                                   _ i0: Int, _ rows: Int, _ j: Int) {
        finish(s0, i0, j)
        if rows > 1 { finish(s1, i0 + 1, j) }
        if rows > 2 { finish(s2, i0 + 2, j) }
        if rows > 3 { finish(s3, i0 + 3, j) }
    }
    var i0 = 0
    while i0 < m {
        // Four rows (fewer at the end: the missing ones repeat the last row, their results dropped).
        let rows = min(4, m - i0)
        let x0 = a + i0 * lda, x1 = a + (i0 + min(1, rows - 1)) * lda
        let x2 = a + (i0 + min(2, rows - 1)) * lda, x3 = a + (i0 + min(3, rows - 1)) * lda
        var j0 = 0
        while j0 < n {
            let sums = wantSums && j0 == 0
            var r0 = SIMD16<Float>(), r1 = r0, r2 = r0, r3 = r0
            if n - j0 >= 4 {
                // 4 rows × 4 columns: sixteen accumulators fed by eight loads.
                let y0 = b + j0 * ldb, y1 = y0 + ldb, y2 = y1 + ldb, y3 = y2 + ldb
                var s00 = SIMD16<Float>(), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00
                var s20 = s00, s21 = s00, s22 = s00, s23 = s00, s30 = s00, s31 = s00, s32 = s00, s33 = s00
                var p = 0
                while p < kVector {
                    let u0 = load16(x0 + p), u1 = load16(x1 + p), u2 = load16(x2 + p), u3 = load16(x3 + p)
                    let w0 = load16(y0 + p), w1 = load16(y1 + p), w2 = load16(y2 + p), w3 = load16(y3 + p)
                    s00.addProduct(u0, w0); s01.addProduct(u0, w1); s02.addProduct(u0, w2); s03.addProduct(u0, w3)
                    s10.addProduct(u1, w0); s11.addProduct(u1, w1); s12.addProduct(u1, w2); s13.addProduct(u1, w3)
                    s20.addProduct(u2, w0); s21.addProduct(u2, w1); s22.addProduct(u2, w2); s23.addProduct(u2, w3)
                    s30.addProduct(u3, w0); s31.addProduct(u3, w1); s32.addProduct(u3, w2); s33.addProduct(u3, w3)
                    if sums { r0 += u0; r1 += u1; r2 += u2; r3 += u3 }
                    p += 16
                }
                finish4(s00, s10, s20, s30, i0, rows, j0)
                finish4(s01, s11, s21, s31, i0, rows, j0 + 1)
                finish4(s02, s12, s22, s32, i0, rows, j0 + 2)
                finish4(s03, s13, s23, s33, i0, rows, j0 + 3)
                j0 += 4
            } else {
                // 4 rows × 1 column.
                let y = b + j0 * ldb
                var s0 = SIMD16<Float>(), s1 = s0, s2 = s0, s3 = s0
                var p = 0
                while p < kVector {
                    let w = load16(y + p)
                    let u0 = load16(x0 + p), u1 = load16(x1 + p), u2 = load16(x2 + p), u3 = load16(x3 + p)
                    s0.addProduct(u0, w); s1.addProduct(u1, w); s2.addProduct(u2, w); s3.addProduct(u3, w)
                    if sums { r0 += u0; r1 += u1; r2 += u2; r3 += u3 }
                    p += 16
                }
                finish4(s0, s1, s2, s3, i0, rows, j0)
                j0 += 1
            }
            if sums {
                finishRow(r0, i0)
                if rows > 1 { finishRow(r1, i0 + 1) }
                if rows > 2 { finishRow(r2, i0 + 2) }
                if rows > 3 { finishRow(r3, i0 + 3) }
            }
        }
        if n == 0, wantSums {
            for r in 0..<rows { finishRow(SIMD16<Float>(), i0 + r) }
        }
        i0 += rows
    }
}
