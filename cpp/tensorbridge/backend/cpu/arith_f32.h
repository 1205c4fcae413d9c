// Contiguous float32 arithmetic with an AVX-512 and an AVX2 variant (TB_CLONES, simd.h), used by the
// binary and unary kernels for their most common rows. Each is one IEEE operation per element, so
// every variant gives the same bits as the generic loop; only the vector width differs (the
// baseline build has 4-wide SSE loops, which made cache-resident float32 ops about 2x slower
// than torch's AVX2 kernels).
#pragma once
#include <cstdint>

namespace tb::cpu {

enum class ArithOp { add, sub, mul, div };

// o[j] = a[j * sa] op b[j * sb], j < n; sa and sb are 0 (a scalar operand) or 1. o may be a or b.
void arith_f32(ArithOp op, const float* a, int64_t sa, const float* b, int64_t sb, float* o, int64_t n);

// o[j] = max(x[j], 0) with NaN kept (torch's relu); o may be x.
void relu_f32_array(const float* x, float* o, int64_t n);

}  // namespace tb::cpu
