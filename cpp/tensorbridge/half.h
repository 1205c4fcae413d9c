// 16-bit floating types stored as raw bits: IEEE binary16 (Half) and bfloat16 (BFloat16).
// Conversions round to nearest, ties to even, like PyTorch's c10::Half / c10::BFloat16.
#pragma once
#include <bit>
#include <cstdint>
#include <cstring>

namespace tb {

namespace detail {
inline float fp16_bits_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t man = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (man << 13);  // inf / nan (payload kept)
  } else if (exp != 0) {
    bits = sign | ((exp + 112u) << 23) | (man << 13);
  } else if (man == 0) {
    bits = sign;  // +-0
  } else {
    // subnormal: value = man * 2^-24, exactly representable in float
    float v = float(man) * 0x1p-24f;
    return sign ? -v : v;
  }
  return std::bit_cast<float>(bits);
}

inline uint16_t float_to_fp16_bits(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const uint16_t sign = uint16_t((x >> 16) & 0x8000u);
  const uint32_t absx = x & 0x7fffffffu;
  if (absx >= 0x7f800000u) {  // inf or nan
    return uint16_t(sign | 0x7c00u | (absx > 0x7f800000u ? 0x200u | ((absx >> 13) & 0x3ffu) : 0u));
  }
  if (absx >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // rounds to >= 65520 -> inf
  if (absx < 0x38800000u) {
    // result is subnormal or zero: round(|f| * 2^24) with ties-to-even, done in float arithmetic
    // by adding 0.5 (2^-1 in units of 2^-24): the FPU's own rounding performs ties-to-even.
    float a = std::bit_cast<float>(absx);
    float r = a + 0.5f;  // 0.5 == 2^-1: shifts the mantissa so the FPU rounds at 2^-24
    return uint16_t(sign | uint16_t(std::bit_cast<uint32_t>(r) - std::bit_cast<uint32_t>(0.5f)));
  }
  // normal: rebias exponent, round mantissa from 23 to 10 bits (ties to even)
  uint32_t mant_odd = (absx >> 13) & 1u;
  uint32_t v = absx + 0xc8000fffu + mant_odd;  // (-112 << 23) + rounding bias
  return uint16_t(sign | uint16_t(v >> 13));
}

inline float bf16_bits_to_float(uint16_t b) { return std::bit_cast<float>(uint32_t(b) << 16); }

inline uint16_t float_to_bf16_bits(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return uint16_t((x >> 16) | 0x40u);  // quiet nan
  uint32_t lsb = (x >> 16) & 1u;
  x += 0x7fffu + lsb;
  return uint16_t(x >> 16);
}
}  // namespace detail

struct Half {
  uint16_t bits = 0;
  Half() = default;
  Half(float f) : bits(detail::float_to_fp16_bits(f)) {}  // NOLINT(implicit)
  Half(double d) : Half(float(d)) {}  // NOTE: double rounding, as c10::Half does
  static Half from_bits(uint16_t b) { Half h; h.bits = b; return h; }
  operator float() const { return detail::fp16_bits_to_float(bits); }  // NOLINT(implicit)
};

struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  BFloat16(float f) : bits(detail::float_to_bf16_bits(f)) {}  // NOLINT(implicit)
  BFloat16(double d) : BFloat16(float(d)) {}
  static BFloat16 from_bits(uint16_t b) { BFloat16 h; h.bits = b; return h; }
  operator float() const { return detail::bf16_bits_to_float(bits); }  // NOLINT(implicit)
};

static_assert(sizeof(Half) == 2 && sizeof(BFloat16) == 2);

}  // namespace tb
