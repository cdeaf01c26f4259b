// Matrix products, the place where training time goes. Two forms cover every layer:
//   gemmNN: C (M×N) [+]= op(A) (M×K) · B (K×N), vectorised along N (rows of B and C contiguous);
//   gemmNT: C (M×N) [+]= A (M×K) · Bᵀ, B given as N×K: dot products along the contiguous K.
// Activations are stored feature-major (features × batch), so N is the batch in forward passes
// and input gradients, and K is the batch in weight gradients: long contiguous runs either way,
// however small the layer. `gemmReference` is the naive triple loop the fast forms are tested against.

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

@inline(__always)
private func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
private func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// C (M×N) [+]= op(A) · B with B row-major K×N (row stride ldb) and C row stride ldc.
/// op(A)(i,k) = transA ? A[k·lda + i] : A[i·lda + k]. Register-blocked: 4 rows × 32 columns of C
/// stay in eight SIMD16 accumulators while k runs, so each B load feeds four fused multiply-adds.
public func gemmNN(transA: Bool, m: Int, n: Int, k: Int,
                   a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                   c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    let aRow = transA ? 1 : lda   // step between rows i of op(A)
    let aCol = transA ? lda : 1   // step between columns k of op(A)
    var j0 = 0
    while j0 + 32 <= n {
        var i0 = 0
        while i0 + 4 <= m {
            var c00 = SIMD16<Float>(), c01 = SIMD16<Float>(), c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
            var c20 = SIMD16<Float>(), c21 = SIMD16<Float>(), c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
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
            store16(c00, c0); store16(c01, c0 + 16); store16(c10, c1); store16(c11, c1 + 16)
            store16(c20, c2); store16(c21, c2 + 16); store16(c30, c3); store16(c31, c3 + 16)
            i0 += 4
        }
        while i0 < m {
            let ci = c + i0 * ldc + j0
            var s0 = accumulate ? load16(ci) : SIMD16<Float>(), s1 = accumulate ? load16(ci + 16) : SIMD16<Float>()
            let ai = a + i0 * aRow
            var bp = b + j0
            for p in 0..<k {
                let v = SIMD16<Float>(repeating: ai[p * aCol])
                s0.addProduct(v, load16(bp))
                s1.addProduct(v, load16(bp + 16))
                bp += ldb
            }
            store16(s0, ci)
            store16(s1, ci + 16)
            i0 += 1
        }
        j0 += 32
    }
    if j0 + 16 <= n {
        for i in 0..<m {
            let ci = c + i * ldc + j0
            var s = accumulate ? load16(ci) : SIMD16<Float>()
            let ai = a + i * aRow
            var bp = b + j0
            for p in 0..<k {
                s.addProduct(SIMD16<Float>(repeating: ai[p * aCol]), load16(bp))
                bp += ldb
            }
            store16(s, ci)
        }
        j0 += 16
    }
    if j0 < n {
        for i in 0..<m {
            let ai = a + i * aRow
            for j in j0..<n {
                var sum: Float = accumulate ? c[i * ldc + j] : 0
                for p in 0..<k { sum += ai[p * aCol] * b[p * ldb + j] }
                c[i * ldc + j] = sum
            }
        }
    }
}

/// C (M×N) [+]= A · Bᵀ with A row-major M×K and B row-major N×K: C[i,j] = Σ_k A[i,k]·B[j,k].
/// Blocks of 2×4 dot products run together over k in SIMD16 steps, so each load is used twice or four times.
public func gemmNT(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                   c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
    let kVector = k & ~15
    @inline(__always) func tail(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        var sum: Float = 0
        for p in kVector..<k { sum += x[p] * y[p] }
        return sum
    }
    var i0 = 0
    while i0 < m {
        let rows = min(2, m - i0)
        var j0 = 0
        while j0 < n {
            let columns = min(4, n - j0)
            if rows == 2 && columns == 4 {
                let x0 = a + i0 * lda, x1 = x0 + lda
                let y0 = b + j0 * ldb, y1 = y0 + ldb, y2 = y1 + ldb, y3 = y2 + ldb
                var s00 = SIMD16<Float>(), s01 = SIMD16<Float>(), s02 = SIMD16<Float>(), s03 = SIMD16<Float>()
                var s10 = SIMD16<Float>(), s11 = SIMD16<Float>(), s12 = SIMD16<Float>(), s13 = SIMD16<Float>()
                var p = 0
                while p < kVector {
                    let u0 = load16(x0 + p), u1 = load16(x1 + p)
                    let w0 = load16(y0 + p), w1 = load16(y1 + p), w2 = load16(y2 + p), w3 = load16(y3 + p)
                    s00.addProduct(u0, w0); s01.addProduct(u0, w1); s02.addProduct(u0, w2); s03.addProduct(u0, w3)
                    s10.addProduct(u1, w0); s11.addProduct(u1, w1); s12.addProduct(u1, w2); s13.addProduct(u1, w3)
                    p += 16
                }
                @inline(__always) func finish(_ s: SIMD16<Float>, _ r: Int, _ q: Int) {
                    let value = s.sum() + tail(r == 0 ? x0 : x1, b + (j0 + q) * ldb)
                    let target = c + (i0 + r) * ldc + j0 + q
                    target.pointee = accumulate ? target.pointee + value : value
                }
                finish(s00, 0, 0); finish(s01, 0, 1); finish(s02, 0, 2); finish(s03, 0, 3)
                finish(s10, 1, 0); finish(s11, 1, 1); finish(s12, 1, 2); finish(s13, 1, 3)
            } else {
                for r in 0..<rows {
                    let x = a + (i0 + r) * lda
                    for q in 0..<columns {
                        let y = b + (j0 + q) * ldb
                        var s = SIMD16<Float>()
                        var p = 0
                        while p < kVector {
                            s.addProduct(load16(x + p), load16(y + p))
                            p += 16
                        }
                        let value = s.sum() + tail(x, y)
                        let target = c + (i0 + r) * ldc + j0 + q
                        target.pointee = accumulate ? target.pointee + value : value
                    }
                }
            }
            j0 += columns
        }
        i0 += rows
    }
}
