// Element conversion between the C++ types of DType (as static_cast in PyTorch's c10::convert):
// complex -> real drops the imaginary part, anything -> bool is "!= 0", 16-bit floats go through
// float. Float -> integer conversion of out-of-range values is unspecified in C++; on the
// platforms we build for it yields the same values as PyTorch's CPU kernels and never traps.
#pragma once
#include <complex>
#include <type_traits>

#include "tensorbridge/dtype.h"
#include "tensorbridge/scalar.h"

namespace tb {

template <typename T>
inline constexpr bool is_complex_v = std::is_same_v<T, complex64> || std::is_same_v<T, complex128>;
template <typename T>
inline constexpr bool is_half_like_v = std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

// The arithmetic type a value of T is computed in (Half/BFloat16 -> float).
template <typename T>
using compute_t = std::conditional_t<is_half_like_v<T>, float, T>;

template <typename To, typename From>
inline To convert(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (is_half_like_v<From>) {
    return convert<To>(static_cast<float>(v));
  } else if constexpr (is_complex_v<From>) {
    if constexpr (is_complex_v<To>) return To(typename To::value_type(v.real()), typename To::value_type(v.imag()));
    else if constexpr (std::is_same_v<To, bool>) return v.real() != 0 || v.imag() != 0;
    else return convert<To>(v.real());
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (is_complex_v<To>) {
    return To(static_cast<typename To::value_type>(v), 0);
  } else if constexpr (is_half_like_v<To>) {
    if constexpr (std::is_same_v<From, double>) return To(v);  // Half(double) rounds via float
    else return To(static_cast<float>(v));
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    // Out-of-range values: go through int64 like PyTorch's CPU cast does for narrow ints.
    if constexpr (sizeof(To) < 8) return static_cast<To>(static_cast<int64_t>(v));
    else return static_cast<To>(v);
  } else {
    return static_cast<To>(v);
  }
}

template <typename T>
T Scalar::to() const {
  switch (kind_) {
    case Kind::Bool:
    case Kind::Int: return convert<T>(i_);
    case Kind::UInt: return convert<T>(u_);
    case Kind::Float: return convert<T>(d_);
    case Kind::Complex: return convert<T>(c_);
  }
  return T();
}

}  // namespace tb
