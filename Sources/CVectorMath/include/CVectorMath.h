// What Swift's SIMD types cannot say: a square root of sixteen lanes in one instruction.
// `SIMD16<Float>.squareRoot()` is compiled lane by lane, each lane a libm `sqrtf` call site kept
// for errno; clang's element-wise builtin is IEEE sqrt on the whole vector (vsqrtps, fsqrt),
// correctly rounded like the scalar one, so results are the same bits.
// Swift imports the ext_vector_type as SIMD16<Float> and inlines the function.
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

#endif
