// The contiguous float32 loops of vec_math.h, compiled for the baseline and for AVX2 (TB_CLONES).
#include "tensorbridge/backend/cpu/vec_math.h"

namespace tb::cpu {

TB_CLONES void exp_f32_array(const float* in, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = exp_f32(in[i]);
}

TB_CLONES void sigmoid_f32_array(const float* in, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = sigmoid_f32(in[i]);
}

TB_CLONES void tanh_f32_array(const float* in, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = tanh_f32(in[i]);
}

}  // namespace tb::cpu
