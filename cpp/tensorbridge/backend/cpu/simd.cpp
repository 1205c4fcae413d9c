#include "tensorbridge/backend/cpu/simd.h"

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define TB_HAVE_F16C_KERNEL 1
#endif

namespace tb::cpu {

namespace {
#ifdef TB_HAVE_F16C_KERNEL
__attribute__((target("avx,f16c"))) void half_to_float_f16c(const Half* in, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i));
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(h));
  }
  for (; i < n; ++i) out[i] = _cvtsh_ss(in[i].bits);
}

bool cpu_has_f16c() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx") && __builtin_cpu_supports("f16c");
}
#endif
}  // namespace

void half_to_float(const Half* in, float* out, int64_t n) {
#ifdef TB_HAVE_F16C_KERNEL
  static const bool f16c = cpu_has_f16c();
  if (f16c) return half_to_float_f16c(in, out, n);
#endif
  for (int64_t i = 0; i < n; ++i) out[i] = float(in[i]);
}

}  // namespace tb::cpu
