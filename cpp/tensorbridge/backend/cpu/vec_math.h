// float32 exp, sigmoid and tanh written without branches or library calls, so that loops over
// them vectorise (the contiguous loops are the TB_CLONES functions of vec_math.cpp, with an AVX2
// variant). Accuracy: within 1 ulp for exp, about 2 ulp for sigmoid and tanh, over the whole
// float range (subnormal results, overflow to inf, NaN propagation included).
// The polynomial coefficients are near-minimax fits made for tensorbridge (see the comments).
#pragma once
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "tensorbridge/backend/cpu/simd.h"

namespace tb::cpu {

// e^x = 2^k * e^r with k = round(x / ln2) and r = x - k ln2 in [-ln2/2, ln2/2];
// e^r = 1 + r + r^2 P(r), P a degree-5 fit of (e^r - 1 - r) / r^2 (error below 1e-9).
// r is rounded once; that rounding error c is added back in the last sum. 2^k is applied as two
// factors 2^(k/2) and 2^(k - k/2), each a normal float for every k in [-150, 128], so overflow
// (inf) and gradual underflow come from the last multiplication.
TB_ALWAYS_INLINE float exp_f32(float x) {
  x = std::min(std::max(x, -104.0f), 89.0f);  // e^-104 rounds to 0, e^89 to inf; NaN stays
  const float shifter = 0x1.8p23f;            // adding it rounds to an integer (ties to even)
  const float big = x * 1.44269504f + shifter;
  const float k = big - shifter;
  const int32_t ki = int32_t(std::bit_cast<uint32_t>(big) - std::bit_cast<uint32_t>(shifter));
  // ln2 in two parts: k * 0.693359375 is exact (9 + 8 significant bits), so is rh
  const float rh = x - k * 0.693359375f;
  const float kl = k * -2.12194440e-4f;
  const float r = rh - kl;
  const float c = (rh - r) - kl;
  float p = 1.99088958e-4f;
  p = p * r + 1.39345450e-3f;
  p = p * r + 8.33328441e-3f;
  p = p * r + 4.16664556e-2f;
  p = p * r + 1.66666672e-1f;
  p = p * r + 0.5f;
  const float y = 1.0f + (r + (r * r * p + c));
  const int32_t k1 = ki >> 1, k2 = ki - k1;
  const float s1 = std::bit_cast<float>(uint32_t(k1 + 127) << 23);
  const float s2 = std::bit_cast<float>(uint32_t(k2 + 127) << 23);
  return (y * s1) * s2;
}

// torch's formula, 1 / (1 + e^-x).
TB_ALWAYS_INLINE float sigmoid_f32(float x) { return 1.0f / (1.0f + exp_f32(-x)); }

// |x| < 0.625: x + x^3 P(x^2), P a degree-4 fit of (tanh x - x) / x^3 (relative error < 2e-8);
// else sign(x) * (1 - 2 / (e^2|x| + 1)). Both are computed and one is selected.
TB_ALWAYS_INLINE float tanh_f32(float x) {
  const float a = std::fabs(x);
  const float u = x * x;
  float p = -6.11360976e-3f;
  p = p * u + 2.10104492e-2f;
  p = p * u + -5.38541786e-2f;
  p = p * u + 1.33327961e-1f;
  p = p * u + -3.33333284e-1f;
  const float small = x + x * u * p;
  const float large = std::copysign(1.0f - 2.0f / (exp_f32(2.0f * a) + 1.0f), x);
  return a < 0.625f ? small : large;
}

// Contiguous loops (vec_math.cpp): out[i] = f(in[i]); out may be in.
void exp_f32_array(const float* in, float* out, int64_t n);
void sigmoid_f32_array(const float* in, float* out, int64_t n);
void tanh_f32_array(const float* in, float* out, int64_t n);

}  // namespace tb::cpu
