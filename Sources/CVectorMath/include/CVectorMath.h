// What Swift's SIMD types cannot say, in clang's generic vector extensions (any target):
// - a square root of sixteen lanes in one instruction. `SIMD16<Float>.squareRoot()` is compiled
//   lane by lane, each lane a libm `sqrtf` call site kept for errno; clang's element-wise builtin
//   is IEEE sqrt on the whole vector (vsqrtps, fsqrt), correctly rounded like the scalar one, so
//   results are the same bits;
// - lane shuffles between two vectors, for a 16 × 16 transpose in registers;
// - the spin-wait hint (PAUSE, YIELD) for a thread polling a flag.
// Swift imports the ext_vector_type as SIMD16<Float> and inlines these functions.
#ifndef CVECTORMATH_H
#define CVECTORMATH_H

typedef float cvm_float16 __attribute__((ext_vector_type(16)));

static inline __attribute__((always_inline)) cvm_float16 cvm_sqrt16(cvm_float16 x) {
#if __has_builtin(__builtin_elementwise_sqrt)
    return __builtin_elementwise_sqrt(x);
#else
    for (int i = 0; i < 16; i++) x[i] = __builtin_sqrtf(x[i]);
    return x;
#endif
}

/// One stage of the 16 x 16 transpose: rows i and i + D (i & D == 0) swap their off-diagonal
/// D x D blocks, lane l of the pair taking a[l] or b[l - D], and a[l + D] or b[l].
#define CVM_LOW(D) \
    ((0 & D) ? 16 + 0 - D : 0), ((1 & D) ? 16 + 1 - D : 1), ((2 & D) ? 16 + 2 - D : 2), ((3 & D) ? 16 + 3 - D : 3), \
    ((4 & D) ? 16 + 4 - D : 4), ((5 & D) ? 16 + 5 - D : 5), ((6 & D) ? 16 + 6 - D : 6), ((7 & D) ? 16 + 7 - D : 7), \
    ((8 & D) ? 16 + 8 - D : 8), ((9 & D) ? 16 + 9 - D : 9), ((10 & D) ? 16 + 10 - D : 10), ((11 & D) ? 16 + 11 - D : 11), \
    ((12 & D) ? 16 + 12 - D : 12), ((13 & D) ? 16 + 13 - D : 13), ((14 & D) ? 16 + 14 - D : 14), ((15 & D) ? 16 + 15 - D : 15)
#define CVM_HIGH(D) \
    ((0 & D) ? 16 + 0 : 0 + D), ((1 & D) ? 16 + 1 : 1 + D), ((2 & D) ? 16 + 2 : 2 + D), ((3 & D) ? 16 + 3 : 3 + D), \
    ((4 & D) ? 16 + 4 : 4 + D), ((5 & D) ? 16 + 5 : 5 + D), ((6 & D) ? 16 + 6 : 6 + D), ((7 & D) ? 16 + 7 : 7 + D), \
    ((8 & D) ? 16 + 8 : 8 + D), ((9 & D) ? 16 + 9 : 9 + D), ((10 & D) ? 16 + 10 : 10 + D), ((11 & D) ? 16 + 11 : 11 + D), \
    ((12 & D) ? 16 + 12 : 12 + D), ((13 & D) ? 16 + 13 : 13 + D), ((14 & D) ? 16 + 14 : 14 + D), ((15 & D) ? 16 + 15 : 15 + D)
#define CVM_STAGE(D) \
    for (int i = 0; i < 16; i++) { \
        if (i & D) continue; \
        cvm_float16 a = r[i], b = r[i + D]; \
        r[i] = __builtin_shufflevector(a, b, CVM_LOW(D)); \
        r[i + D] = __builtin_shufflevector(a, b, CVM_HIGH(D)); \
    }

/// dst[c * ld_dst + r] = src[r * ld_src + c] for a 16 x 16 tile: sixteen row loads, four stages of
/// two-vector shuffles, sixteen row stores (no alignment needed).
static inline __attribute__((always_inline)) void cvm_transpose16x16(const float *src, long ld_src, float *dst,
                                                                     long ld_dst) {
    cvm_float16 r[16];
    for (int i = 0; i < 16; i++) __builtin_memcpy(&r[i], src + i * ld_src, sizeof(cvm_float16));
    CVM_STAGE(8)
    CVM_STAGE(4)
    CVM_STAGE(2)
    CVM_STAGE(1)
    for (int i = 0; i < 16; i++) __builtin_memcpy(dst + i * ld_dst, &r[i], sizeof(cvm_float16));
}

/// Tells the core this thread is spinning on a flag (x86 PAUSE, arm YIELD; nothing elsewhere).
static inline __attribute__((always_inline)) void cvm_spin_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
    __asm__ __volatile__("yield");
#endif
}

#endif
