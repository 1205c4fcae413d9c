// Scalar: one number of any dtype category (the C++ side of a Python bool/int/float/complex).
#pragma once
#include <complex>
#include <cstdint>

#include "tensorbridge/dtype.h"

namespace tb {

class Scalar {
 public:
  enum class Kind : uint8_t { Bool, Int, UInt, Float, Complex };

  Scalar() : Scalar(int64_t(0)) {}
  Scalar(bool v) : kind_(Kind::Bool) { i_ = v; }                  // NOLINT(implicit)
  Scalar(int v) : Scalar(int64_t(v)) {}                          // NOLINT(implicit)
  Scalar(int64_t v) : kind_(Kind::Int) { i_ = v; }               // NOLINT(implicit)
  Scalar(uint64_t v) : kind_(v > uint64_t(INT64_MAX) ? Kind::UInt : Kind::Int) { u_ = v; }  // NOLINT
  Scalar(double v) : kind_(Kind::Float) { d_ = v; }              // NOLINT(implicit)
  Scalar(std::complex<double> v) : kind_(Kind::Complex), c_(v) {}  // NOLINT(implicit)

  Kind kind() const { return kind_; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  bool is_integral() const { return kind_ == Kind::Int || kind_ == Kind::UInt; }
  bool is_floating_point() const { return kind_ == Kind::Float; }
  bool is_complex() const { return kind_ == Kind::Complex; }

  bool to_bool() const { return is_complex() ? c_ != std::complex<double>(0) : (kind_ == Kind::Float ? d_ != 0 : i_ != 0); }
  int64_t to_int64() const {
    return kind_ == Kind::Float ? int64_t(d_) : kind_ == Kind::Complex ? int64_t(c_.real()) : i_;
  }
  uint64_t to_uint64() const {
    return kind_ == Kind::Float ? uint64_t(int64_t(d_)) : kind_ == Kind::Complex ? uint64_t(int64_t(c_.real())) : u_;
  }
  double to_double() const {
    switch (kind_) {
      case Kind::Float: return d_;
      case Kind::Complex: return c_.real();
      case Kind::UInt: return double(u_);
      default: return double(i_);
    }
  }
  std::complex<double> to_complex() const {
    return kind_ == Kind::Complex ? c_ : std::complex<double>(to_double(), 0.0);
  }

  // The value converted to element type T with tensorbridge's cast rules (convert.h).
  template <typename T>
  T to() const;

 private:
  Kind kind_;
  union {
    int64_t i_;
    uint64_t u_;
    double d_;
  };
  std::complex<double> c_{};
};

}  // namespace tb

// Scalar::to<T>() is defined with the conversion rules; include them so every user links.
#include "tensorbridge/convert.h"  // NOLINT(build/include_order)
