// The scalar function of every element-wise op, one struct per op row of ops/elementwise.h.
// Each functor has `template <class C> static constexpr bool ok` (dtypes it supports, C the
// computation type: float for Half/BFloat16) and `static R f(C a[, C b])`. A binary functor may
// add `template <class T> static C f_rounded(C a, C b)`, used for T = Half/BFloat16 where torch
// computes in that type and rounds every intermediate (c10::Half arithmetic).
#pragma once
#include <cmath>
#include <complex>
#include <limits>
#include <type_traits>

#include "tensorbridge/backend/cpu/vec_math.h"
#include "tensorbridge/convert.h"

namespace tb::cpu::fn {

template <class C> inline constexpr bool is_bool_v = std::is_same_v<C, bool>;
template <class C> inline constexpr bool is_int_v = std::is_integral_v<C> && !is_bool_v<C>;
template <class C> inline constexpr bool is_flt_v = std::is_floating_point_v<C>;  // after compute_t
template <class C> inline constexpr bool is_cpx_v = is_complex_v<C>;
template <class C> inline constexpr bool is_real_v = !is_cpx_v<C>;

// Wrapping integer arithmetic (two's complement, never undefined behaviour).
template <class C>
using wide_unsigned_t = std::conditional_t<(sizeof(C) < 4), uint32_t, std::make_unsigned_t<C>>;
template <class C> inline C wadd(C a, C b) { using U = wide_unsigned_t<C>; return C(U(a) + U(b)); }
template <class C> inline C wsub(C a, C b) { using U = wide_unsigned_t<C>; return C(U(a) - U(b)); }
template <class C> inline C wmul(C a, C b) { using U = wide_unsigned_t<C>; return C(U(a) * U(b)); }

// Note [complex arithmetic]
// torch's complex kernels use the textbook formulas, not C99 Annex G (which std::complex's
// operators follow, recovering infinities from NaN results):
//  * a * b = (ar*br - ai*bi, ar*bi + ai*br): (0+1j) * (inf+infj) is nan+nanj;
//  * a +- b is computed as a + (+-1+0j) * b (add's alpha), so an infinite part of b turns the
//    other part into NaN: (0+0j) + (0+infj) is nan+infj;
//  * a / b is Smith's scaled division, with b == 0 giving (ar/|br|, ai/|bi|): 1/0 is inf+nanj.
// (Matched against torch 2.13 on a grid of signed zeros, finite, infinite and NaN parts.)
template <class C> inline C cmul(C a, C b) {
  return C(a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real());
}
template <class C> inline C cdiv(C a, C b) {
  using R = typename C::value_type;
  const R ar = a.real(), ai = a.imag(), br = b.real(), bi = b.imag();
  const R abr = std::fabs(br), abi = std::fabs(bi);
  if (abr >= abi) {
    if (abr == R(0) && abi == R(0)) return C(ar / abr, ai / abi);
    const R t = bi / br, scale = R(1) / (br + bi * t);  // |t| <= 1
    return C((ar + ai * t) * scale, (ai - ar * t) * scale);
  }
  const R t = br / bi, scale = R(1) / (bi + br * t);
  return C((ar * t + ai) * scale, (ai * t - ar) * scale);
}

// ---- binary ----------------------------------------------------------------------------------
struct add {
  template <class C> static constexpr bool ok = true;
  template <class C> static C f(C a, C b) {
    if constexpr (is_bool_v<C>) return a || b;
    else if constexpr (is_int_v<C>) return wadd(a, b);
    else if constexpr (is_cpx_v<C>) return a + cmul(C(1), b);
    else return a + b;
  }
};
struct sub {
  template <class C> static constexpr bool ok = !is_bool_v<C>;
  template <class C> static C f(C a, C b) {
    if constexpr (is_int_v<C>) return wsub(a, b);
    else if constexpr (is_cpx_v<C>) return a + cmul(C(-1), b);
    else return a - b;
  }
};
struct mul {
  template <class C> static constexpr bool ok = true;
  template <class C> static C f(C a, C b) {
    if constexpr (is_bool_v<C>) return a && b;
    else if constexpr (is_int_v<C>) return wmul(a, b);
    else if constexpr (is_cpx_v<C>) return cmul(a, b);
    else return a * b;
  }
};
struct div {
  template <class C> static constexpr bool ok = is_flt_v<C> || is_cpx_v<C>;
  template <class C> static C f(C a, C b) {
    if constexpr (is_cpx_v<C>) return cdiv(a, b);
    else return a / b;
  }
};
// Integer division helpers; b != 0 is checked by the front end (ZeroDivisionError).
template <class C> inline C int_div_trunc(C a, C b) {
  if constexpr (std::is_signed_v<C>) if (b == C(-1)) return wsub(C(0), a);
  return C(a / b);
}
template <class C> inline C int_mod_trunc(C a, C b) {
  if constexpr (std::is_signed_v<C>) if (b == C(-1)) return C(0);
  return C(a % b);
}
template <class C> inline C int_div_floor(C a, C b) {
  C q = int_div_trunc(a, b);
  if constexpr (std::is_signed_v<C>) {
    C r = int_mod_trunc(a, b);
    if (r != 0 && ((r < 0) != (b < 0))) --q;
  }
  return q;
}
// Python's float floor division: exact quotient of a - fmod(a, b), rounded to the nearest integer.
template <class C> inline C flt_div_floor(C a, C b) {
  if (b == C(0)) return a / b;
  C mod = std::fmod(a, b);
  C d = (a - mod) / b;
  if (mod != C(0) && ((b < C(0)) != (mod < C(0)))) d -= C(1);
  if (d == C(0)) return std::copysign(C(0), a / b);
  C fl = std::floor(d);
  if (d - fl > C(0.5)) fl += C(1);
  return fl;
}
// x rounded to the storage type T (float16/bfloat16) and back.
template <class T, class C> inline C rnd(C x) { return C(T(x)); }
struct div_trunc {
  template <class C> static constexpr bool ok = is_int_v<C> || is_flt_v<C>;
  template <class C> static C f(C a, C b) {
    if constexpr (is_int_v<C>) return int_div_trunc(a, b);
    else return std::trunc(a / b);
  }
  template <class T, class C> static C f_rounded(C a, C b) { return std::trunc(rnd<T>(a / b)); }
};
struct div_floor {
  template <class C> static constexpr bool ok = is_int_v<C> || is_flt_v<C>;
  template <class C> static C f(C a, C b) {
    if constexpr (is_int_v<C>) return int_div_floor(a, b);
    else return flt_div_floor(a, b);
  }
  // flt_div_floor's steps, each rounded to T (checked against torch 2.13 for both types)
  template <class T, class C> static C f_rounded(C a, C b) {
    if (b == C(0)) return a / b;
    const C mod = std::fmod(a, b);  // (exact)
    C d = rnd<T>(rnd<T>(a - mod) / b);
    if (mod != C(0) && ((b < C(0)) != (mod < C(0)))) d = rnd<T>(d - C(1));
    if (d == C(0)) return std::copysign(C(0), rnd<T>(a / b));
    C fl = std::floor(d);
    if (rnd<T>(d - fl) > C(0.5)) fl = rnd<T>(fl + C(1));
    return fl;
  }
};
struct remainder {
  template <class C> static constexpr bool ok = is_int_v<C> || is_flt_v<C>;
  template <class C> static C f(C a, C b) {
    if constexpr (is_int_v<C>) {
      C r = int_mod_trunc(a, b);
      if constexpr (std::is_signed_v<C>) if (r != 0 && ((r < 0) != (b < 0))) r = C(r + b);
      return r;
    } else {
      C r = std::fmod(a, b);
      if (r != C(0) && ((b < C(0)) != (r < C(0)))) r += b;
      return r;
    }
  }
};
struct fmod {
  template <class C> static constexpr bool ok = is_int_v<C> || is_flt_v<C>;
  template <class C> static C f(C a, C b) {
    if constexpr (is_int_v<C>) return int_mod_trunc(a, b);
    else return std::fmod(a, b);
  }
};
struct pow {
  template <class C> static constexpr bool ok = !is_bool_v<C>;
  template <class C> static C f(C a, C b) {
    if constexpr (is_int_v<C>) {
      if constexpr (std::is_signed_v<C>) {
        if (b < 0) return a == 1 ? C(1) : a == -1 ? C((b & 1) ? -1 : 1) : C(0);
      }
      C r = 1;
      while (b) {  // square-and-multiply, wrapping like torch
        if (b & 1) r = wmul(r, a);
        b = C(b >> 1);
        a = wmul(a, a);
      }
      return r;
    } else if constexpr (is_cpx_v<C>) {
      return std::pow(a, b);
    } else {
      return std::pow(a, b);
    }
  }
};
struct atan2 {
  template <class C> static constexpr bool ok = is_flt_v<C>;
  template <class C> static C f(C a, C b) { return std::atan2(a, b); }
};
// minimum/maximum propagate NaN.
struct minimum {
  template <class C> static constexpr bool ok = is_real_v<C>;
  template <class C> static C f(C a, C b) {
    if constexpr (is_flt_v<C>) if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<C>::quiet_NaN();
    return b < a ? b : a;
  }
};
struct maximum {
  template <class C> static constexpr bool ok = is_real_v<C>;
  template <class C> static C f(C a, C b) {
    if constexpr (is_flt_v<C>) if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<C>::quiet_NaN();
    return a < b ? b : a;
  }
};
struct bitwise_and {
  template <class C> static constexpr bool ok = std::is_integral_v<C>;
  template <class C> static C f(C a, C b) { return C(a & b); }
};
struct bitwise_or {
  template <class C> static constexpr bool ok = std::is_integral_v<C>;
  template <class C> static C f(C a, C b) { return C(a | b); }
};
struct bitwise_xor {
  template <class C> static constexpr bool ok = std::is_integral_v<C>;
  template <class C> static C f(C a, C b) { return C(a ^ b); }
};
// Shifts by a negative amount or by >= the bit width: 0 (left), sign fill (right), as torch.
struct bitwise_left_shift {
  template <class C> static constexpr bool ok = is_int_v<C>;
  template <class C> static C f(C a, C b) {
    constexpr C bits = C(sizeof(C) * 8);
    if ((std::is_signed_v<C> && b < 0) || b >= bits) return C(0);
    return C(wide_unsigned_t<C>(std::make_unsigned_t<C>(a)) << b);
  }
};
struct bitwise_right_shift {
  template <class C> static constexpr bool ok = is_int_v<C>;
  template <class C> static C f(C a, C b) {
    constexpr C bits = C(sizeof(C) * 8);
    if ((std::is_signed_v<C> && b < 0) || b >= bits) return std::is_signed_v<C> ? C(a >> (bits - 1)) : C(0);
    return C(a >> b);
  }
};
template <class C> inline bool truth(C a) {
  if constexpr (is_cpx_v<C>) return a.real() != 0 || a.imag() != 0;
  else return a != C(0);
}
struct logical_and {
  template <class C> static constexpr bool ok = true;
  template <class C> static bool f(C a, C b) { return truth(a) && truth(b); }
};
struct logical_or {
  template <class C> static constexpr bool ok = true;
  template <class C> static bool f(C a, C b) { return truth(a) || truth(b); }
};
struct logical_xor {
  template <class C> static constexpr bool ok = true;
  template <class C> static bool f(C a, C b) { return truth(a) != truth(b); }
};
struct eq {
  template <class C> static constexpr bool ok = true;
  template <class C> static bool f(C a, C b) { return a == b; }
};
struct ne {
  template <class C> static constexpr bool ok = true;
  template <class C> static bool f(C a, C b) { return a != b; }
};
struct lt {
  template <class C> static constexpr bool ok = is_real_v<C>;
  template <class C> static bool f(C a, C b) { return a < b; }
};
struct le {
  template <class C> static constexpr bool ok = is_real_v<C>;
  template <class C> static bool f(C a, C b) { return a <= b; }
};
struct gt {
  template <class C> static constexpr bool ok = is_real_v<C>;
  template <class C> static bool f(C a, C b) { return a > b; }
};
struct ge {
  template <class C> static constexpr bool ok = is_real_v<C>;
  template <class C> static bool f(C a, C b) { return a >= b; }
};

// ---- unary -----------------------------------------------------------------------------------
struct neg {
  template <class C> static constexpr bool ok = !is_bool_v<C>;
  template <class C> static C f(C a) {
    if constexpr (is_int_v<C>) return wsub(C(0), a);
    else return -a;
  }
};
struct abs {
  template <class C> static constexpr bool ok = !is_bool_v<C>;
  template <class C> static auto f(C a) {
    if constexpr (is_cpx_v<C>) return std::abs(a);
    else if constexpr (is_int_v<C>) {
      if constexpr (std::is_signed_v<C>) return a < 0 ? wsub(C(0), a) : a;
      else return a;
    } else {
      return std::fabs(a);
    }
  }
};
struct sign {
  template <class C> static constexpr bool ok = is_real_v<C>;
  template <class C> static C f(C a) {
    if constexpr (is_bool_v<C>) return a;
    else return C(int(C(0) < a) - int(a < C(0)));
  }
};
#define TB_ROUNDING(name, expr)                                             \
  struct name {                                                             \
    template <class C> static constexpr bool ok = is_int_v<C> || is_flt_v<C>; \
    template <class C> static C f(C a) {                                    \
      if constexpr (is_flt_v<C>) return expr;                               \
      else return a;                                                        \
    }                                                                       \
  };
TB_ROUNDING(floor, std::floor(a))
TB_ROUNDING(ceil, std::ceil(a))
TB_ROUNDING(round, std::nearbyint(a))
TB_ROUNDING(trunc, std::trunc(a))
#undef TB_ROUNDING
struct relu {
  template <class C> static constexpr bool ok = is_int_v<C> || is_flt_v<C>;
  template <class C> static C f(C a) { return a < C(0) ? C(0) : a; }  // NaN stays NaN
};
struct bitwise_not {
  template <class C> static constexpr bool ok = std::is_integral_v<C>;
  template <class C> static C f(C a) {
    if constexpr (is_bool_v<C>) return !a;
    else return C(~a);
  }
};
struct logical_not {
  template <class C> static constexpr bool ok = true;
  template <class C> static bool f(C a) { return !truth(a); }
};
struct isnan {
  template <class C> static constexpr bool ok = true;
  template <class C> static bool f(C a) {
    if constexpr (is_cpx_v<C>) return std::isnan(a.real()) || std::isnan(a.imag());
    else if constexpr (is_flt_v<C>) return std::isnan(a);
    else return false;
  }
};
struct isinf {
  template <class C> static constexpr bool ok = true;
  template <class C> static bool f(C a) {
    if constexpr (is_cpx_v<C>) return std::isinf(a.real()) || std::isinf(a.imag());
    else if constexpr (is_flt_v<C>) return std::isinf(a);
    else return false;
  }
};
struct isfinite {
  template <class C> static constexpr bool ok = true;
  template <class C> static bool f(C a) {
    if constexpr (is_cpx_v<C>) return std::isfinite(a.real()) && std::isfinite(a.imag());
    else if constexpr (is_flt_v<C>) return std::isfinite(a);
    else return true;
  }
};
// Complex functions whose special values follow torch's kernels rather than C99's (Note [complex
// arithmetic]); the others use libstdc++'s std:: functions, which torch's kernels call too.
// exp(z) - 1 without cancellation: expm1(x) cos(y) - 2 sin^2(y/2) + i e^x sin(y).
template <class C> inline C cexpm1(C z) {
  using R = typename C::value_type;
  const R x = z.real(), y = z.imag(), h = std::sin(y / R(2));
  return C(std::expm1(x) * std::cos(y) - R(2) * h * h, std::exp(x) * std::sin(y));
}
// log(1 + z) with the rounding error of u = 1 + z corrected by z / (u - 1) (Kahan's trick).
template <class C> inline C clog1p(C z) {
  using R = typename C::value_type;
  const C u(R(1) + z.real(), z.imag());  // (the sign of a zero imaginary part survives)
  if (u == C(1)) return z;
  const C um1(u.real() - R(1), u.imag());
  const C lu = std::log(u);
  return um1 == z ? lu : cmul(lu, cdiv(z, um1));
}

// float32 (also the computation type of float16/bfloat16) uses the vectorisable versions of
// vec_math.h for exp, sigmoid and tanh.
template <class C> inline C real_exp(C a) {
  if constexpr (std::is_same_v<C, float>) return exp_f32(a);
  else return std::exp(a);
}
template <class C> inline C real_sigmoid(C a) {
  if constexpr (std::is_same_v<C, float>) return sigmoid_f32(a);
  else return C(1) / (C(1) + std::exp(-a));
}
template <class C> inline C real_tanh(C a) {
  if constexpr (std::is_same_v<C, float>) return tanh_f32(a);
  else return std::tanh(a);
}
// Floating functions: real and complex unless stated (integer inputs were cast by the front end).
#define TB_FLOAT_FN(name, real_expr, cpx_expr, cpx_ok)                         \
  struct name {                                                                \
    template <class C> static constexpr bool ok = is_flt_v<C> || (cpx_ok && is_cpx_v<C>); \
    template <class C> static C f(C a) {                                       \
      if constexpr (is_cpx_v<C>) {                                             \
        if constexpr (cpx_ok) return cpx_expr;                                 \
        else return a;                                                         \
      } else {                                                                 \
        return real_expr;                                                      \
      }                                                                        \
    }                                                                          \
  };
TB_FLOAT_FN(exp, real_exp(a), std::exp(a), true)
TB_FLOAT_FN(exp2, std::exp2(a), std::exp(a * typename C::value_type(0.693147180559945309417232121458176568L)), true)
TB_FLOAT_FN(expm1, std::expm1(a), cexpm1(a), true)
TB_FLOAT_FN(log, std::log(a), std::log(a), true)
TB_FLOAT_FN(log2, std::log2(a), std::log(a) / std::log(typename C::value_type(2)), true)
TB_FLOAT_FN(log10, std::log10(a), std::log10(a), true)
TB_FLOAT_FN(log1p, std::log1p(a), clog1p(a), true)
TB_FLOAT_FN(sqrt, std::sqrt(a), std::sqrt(a), true)
TB_FLOAT_FN(rsqrt, C(1) / std::sqrt(a), cdiv(C(1), std::sqrt(a)), true)
TB_FLOAT_FN(sin, std::sin(a), std::sin(a), true)
TB_FLOAT_FN(cos, std::cos(a), std::cos(a), true)
TB_FLOAT_FN(tan, std::tan(a), std::tan(a), true)
TB_FLOAT_FN(asin, std::asin(a), std::asin(a), true)
TB_FLOAT_FN(acos, std::acos(a), std::acos(a), true)
TB_FLOAT_FN(atan, std::atan(a), std::atan(a), true)
TB_FLOAT_FN(sinh, std::sinh(a), std::sinh(a), true)
TB_FLOAT_FN(cosh, std::cosh(a), std::cosh(a), true)
TB_FLOAT_FN(tanh, real_tanh(a), std::tanh(a), true)
TB_FLOAT_FN(sigmoid, real_sigmoid(a), cdiv(C(1), C(1) + std::exp(-a)), true)
TB_FLOAT_FN(erf, std::erf(a), a, false)
TB_FLOAT_FN(reciprocal, C(1) / a, cdiv(C(1), a), true)
#undef TB_FLOAT_FN

}  // namespace tb::cpu::fn
