#include "tensorbridge/backend/cpu/arith_f32.h"

#include "tensorbridge/backend/cpu/simd.h"

namespace tb::cpu {

namespace {

template <ArithOp Op>
TB_ALWAYS_INLINE float apply(float x, float y) {
  if constexpr (Op == ArithOp::add) return x + y;
  else if constexpr (Op == ArithOp::sub) return x - y;
  else if constexpr (Op == ArithOp::mul) return x * y;
  else return x / y;
}

template <ArithOp Op>
TB_ALWAYS_INLINE void rows(const float* a, int64_t sa, const float* b, int64_t sb, float* o, int64_t n) {
  if (sa == 1 && sb == 1) {
    for (int64_t j = 0; j < n; ++j) o[j] = apply<Op>(a[j], b[j]);
  } else if (sa == 1) {
    const float y = *b;
    for (int64_t j = 0; j < n; ++j) o[j] = apply<Op>(a[j], y);
  } else {
    const float x = *a;
    for (int64_t j = 0; j < n; ++j) o[j] = apply<Op>(x, b[j]);
  }
}

}  // namespace

TB_CLONES void arith_f32(ArithOp op, const float* a, int64_t sa, const float* b, int64_t sb, float* o,
                         int64_t n) {
  switch (op) {
    case ArithOp::add: return rows<ArithOp::add>(a, sa, b, sb, o, n);
    case ArithOp::sub: return rows<ArithOp::sub>(a, sa, b, sb, o, n);
    case ArithOp::mul: return rows<ArithOp::mul>(a, sa, b, sb, o, n);
    case ArithOp::div: return rows<ArithOp::div>(a, sa, b, sb, o, n);
  }
}

TB_CLONES void relu_f32_array(const float* x, float* o, int64_t n) {
  for (int64_t j = 0; j < n; ++j) o[j] = x[j] < 0.0f ? 0.0f : x[j];
}

}  // namespace tb::cpu
