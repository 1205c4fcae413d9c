// The float32 Box–Muller transform of torch's x86 AVX2 kernel (spec rng.md §4.4): Cephes-style
// logf/sincosf on 8 lanes with the FMA contractions GCC applies to torch's source. Compiled with
// target attributes so the library still runs on CPUs without AVX2; callers check
// rng::capability() first (normal.cpp).
#include "tensorbridge/random/normal_kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define TB_AVX2 __attribute__((target("avx2,fma")))

namespace tb::rng {
namespace {

TB_AVX2 inline __m256 set1(uint32_t bits) { return _mm256_castsi256_ps(_mm256_set1_epi32(int(bits))); }

// Cephes logf for x in (0, 1].
TB_AVX2 inline __m256 log8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  x = _mm256_max_ps(x, set1(0x00800000u));  // smallest normal
  __m256i e_i = _mm256_srli_epi32(_mm256_castps_si256(x), 23);
  x = _mm256_and_ps(x, set1(~0x7f800000u));
  x = _mm256_or_ps(x, _mm256_set1_ps(0.5f));
  e_i = _mm256_sub_epi32(e_i, _mm256_set1_epi32(0x7f));
  __m256 e = _mm256_add_ps(_mm256_cvtepi32_ps(e_i), one);
  const __m256 mask = _mm256_cmp_ps(x, set1(0x3F3504F3u), _CMP_LT_OS);  // m < SQRTHF
  const __m256 tmp = _mm256_and_ps(x, mask);
  x = _mm256_sub_ps(x, one);
  e = _mm256_sub_ps(e, _mm256_and_ps(one, mask));
  x = _mm256_add_ps(x, tmp);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 y = _mm256_set1_ps(7.0376836292E-2f);
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(-1.1514610310E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.1676998740E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(-1.2420140846E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.4249322787E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(-1.6668057665E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(2.0000714765E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(-2.4999993993E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(3.3333331174E-1f));
  y = _mm256_mul_ps(y, x);
  y = _mm256_fmadd_ps(y, z, _mm256_mul_ps(e, _mm256_set1_ps(-2.12194440e-4f)));
  y = _mm256_fnmadd_ps(_mm256_set1_ps(0.5f), z, y);
  x = _mm256_add_ps(x, y);
  x = _mm256_fmadd_ps(e, _mm256_set1_ps(0.693359375f), x);
  return x;
}

// Cephes sincosf (|x| < 8192).
TB_AVX2 inline void sincos8(__m256 x, __m256* s, __m256* c) {
  const __m256 sign_mask = set1(0x80000000u);
  __m256 sign_sin = _mm256_and_ps(x, sign_mask);
  x = _mm256_and_ps(x, set1(0x7fffffffu));
  __m256 y = _mm256_mul_ps(x, set1(0x3FA2F983u));  // 4/pi
  __m256i j = _mm256_cvttps_epi32(y);
  j = _mm256_add_epi32(j, _mm256_set1_epi32(1));
  j = _mm256_and_si256(j, _mm256_set1_epi32(~1));
  y = _mm256_cvtepi32_ps(j);
  const __m256i four = _mm256_set1_epi32(4);
  const __m256 swap_sin = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_and_si256(j, four), 29));
  const __m256 poly_mask = _mm256_castsi256_ps(
      _mm256_cmpeq_epi32(_mm256_and_si256(j, _mm256_set1_epi32(2)), _mm256_setzero_si256()));
  x = _mm256_fmadd_ps(y, _mm256_set1_ps(-0.78515625f), x);
  x = _mm256_fmadd_ps(y, _mm256_set1_ps(-2.4187564849853515625e-4f), x);
  x = _mm256_fmadd_ps(y, _mm256_set1_ps(-3.77489497744594108e-8f), x);
  const __m256i jm2 = _mm256_sub_epi32(j, _mm256_set1_epi32(2));
  const __m256 sign_cos = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_andnot_si256(jm2, four), 29));
  sign_sin = _mm256_xor_ps(sign_sin, swap_sin);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 yc = _mm256_fmadd_ps(_mm256_set1_ps(2.443315711809948E-5f), z, _mm256_set1_ps(-1.388731625493765E-3f));
  yc = _mm256_fmadd_ps(yc, z, _mm256_set1_ps(4.166664568298827E-2f));
  yc = _mm256_mul_ps(yc, z);
  yc = _mm256_fmsub_ps(yc, z, _mm256_mul_ps(z, _mm256_set1_ps(0.5f)));
  yc = _mm256_add_ps(yc, _mm256_set1_ps(1.0f));
  __m256 ys = _mm256_fmadd_ps(_mm256_set1_ps(-1.9515295891E-4f), z, _mm256_set1_ps(8.3321608736E-3f));
  ys = _mm256_fmadd_ps(ys, z, _mm256_set1_ps(-1.6666654611E-1f));
  ys = _mm256_mul_ps(ys, z);
  ys = _mm256_fmadd_ps(ys, x, x);
  // Select as the original does (masked adds), so signed zeros come out the same.
  const __m256 ys2 = _mm256_and_ps(poly_mask, ys);
  const __m256 yc1 = _mm256_andnot_ps(poly_mask, yc);
  ys = _mm256_sub_ps(ys, ys2);
  yc = _mm256_sub_ps(yc, yc1);
  *s = _mm256_xor_ps(_mm256_add_ps(yc1, ys2), sign_sin);
  *c = _mm256_xor_ps(_mm256_add_ps(yc, ys), sign_cos);
}

TB_AVX2 inline void transform16(float* d, __m256 mean, __m256 std) {
  const __m256 u1 = _mm256_sub_ps(_mm256_set1_ps(1.0f), _mm256_loadu_ps(d));
  const __m256 u2 = _mm256_loadu_ps(d + 8);
  const __m256 radius = _mm256_sqrt_ps(_mm256_mul_ps(_mm256_set1_ps(-2.0f), log8(u1)));
  const __m256 theta = _mm256_mul_ps(set1(0x40C90FDBu), u2);
  __m256 s, c;
  sincos8(theta, &s, &c);
  _mm256_storeu_ps(d, _mm256_fmadd_ps(_mm256_mul_ps(radius, c), std, mean));
  _mm256_storeu_ps(d + 8, _mm256_fmadd_ps(_mm256_mul_ps(radius, s), std, mean));
}

}  // namespace

TB_AVX2 void normal_blocks_avx2(float* d, int64_t nblocks, float mean, float std) {
  const __m256 m = _mm256_set1_ps(mean), s = _mm256_set1_ps(std);
  for (int64_t b = 0; b < nblocks; ++b) transform16(d + 16 * b, m, s);
}

bool have_avx2_kernel() { return true; }

}  // namespace tb::rng

#else  // not x86-64 GCC/Clang: no AVX2 kernel; capability() never reports Avx2 there.
namespace tb::rng {
void normal_blocks_avx2(float*, int64_t, float, float) {}
bool have_avx2_kernel() { return false; }
}  // namespace tb::rng
#endif
