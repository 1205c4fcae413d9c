#include "tensorbridge/ops/promotion.h"

#include <cmath>
#include <complex>
#include <limits>
#include <string>

#include "tensorbridge/convert.h"
#include "tensorbridge/error.h"

namespace tb {

namespace {
constexpr uint8_t kNone = 255;

DType promote(DType a, DType b) { return promote_types(a, b); }

uint8_t promote_opt(uint8_t a, DType b) {
  return a == kNone ? uint8_t(b) : uint8_t(promote(DType(a), b));
}

// The complex dtype holding a real floating dtype (torch: toComplexType). tensorbridge has no
// complex32, so float16 maps to complex64.
DType complex_of(DType dt) {
  switch (dt) {
    case DType::Float64: return DType::Complex128;
    default: return DType::Complex64;
  }
}

// torch's combine_categories: `lower` only wins when it is of a higher category (Note [Operand
// priority]).
uint8_t combine(uint8_t higher, uint8_t lower) {
  if (higher == kNone) return lower;
  if (lower == kNone) return higher;
  const DType h = DType(higher), l = DType(lower);
  if (is_complex(h)) return higher;
  if (is_complex(l)) return is_floating_point(h) ? uint8_t(complex_of(h)) : lower;
  if (is_floating_point(h)) return higher;
  if (h == DType::Bool || is_floating_point(l)) return uint8_t(promote(h, l));
  return higher;
}
}  // namespace

DType scalar_dtype(const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::Bool: return DType::Bool;
    case Scalar::Kind::Int: return DType::Int64;
    case Scalar::Kind::UInt: return DType::UInt64;
    case Scalar::Kind::Float: return DType::Float64;
    case Scalar::Kind::Complex: return DType::Complex128;
  }
  return DType::Float64;
}

ResultType& ResultType::add(const Tensor& t, bool wrapped) {
  DType dt = t.dtype();
  if (wrapped) {
    if (is_complex(dt)) dt = to_complex(kDefaultFloat);
    else if (is_floating_point(dt)) dt = kDefaultFloat;
    wrapped_ = promote_opt(wrapped_, dt);
  } else if (t.dim() == 0) {
    zero_ = promote_opt(zero_, dt);
  } else {
    dim_ = promote_opt(dim_, dt);
  }
  return *this;
}

ResultType& ResultType::add(const Scalar& s) {
  DType dt = scalar_dtype(s);
  if (dt == DType::UInt64) dt = DType::Int64;  // a Python int beyond int64 is still "an int"
  if (is_complex(dt)) dt = to_complex(kDefaultFloat);
  else if (is_floating_point(dt)) dt = kDefaultFloat;
  wrapped_ = promote_opt(wrapped_, dt);
  return *this;
}


DType ResultType::result() const {
  uint8_t r = combine(dim_, combine(zero_, wrapped_));
  if (r == kNone) throw TypeError("result_type: no operands");
  return DType(r);
}

DType result_type(const Tensor& a, const Tensor& b) { return ResultType().add(a).add(b).result(); }
DType result_type(const Tensor& a, const Scalar& b) { return ResultType().add(a).add(b).result(); }
DType result_type(const Scalar& a, const Scalar& b) { return ResultType().add(a).add(b).result(); }

bool can_cast(DType from, DType to) {
  if (is_complex(from) && !is_complex(to)) return false;
  if (is_floating_point(from) && is_integral(to, true)) return false;
  if (from != DType::Bool && to == DType::Bool) return false;
  return true;
}

void check_can_cast_to_output(DType result, DType out) {
  if (!can_cast(result, out))
    throw RuntimeError("result type " + std::string(dtype_legacy_name(result)) +
                       " can't be cast to the desired output type " +
                       std::string(dtype_legacy_name(out)));
}

namespace {
// c10's type names in its overflow message
const char* checked_type_name(DType dt) {
  switch (dt) {
    case DType::Bool: return "bool";
    case DType::UInt8: return "uint8_t";
    case DType::Int8: return "int8_t";
    case DType::Int16: return "int16_t";
    case DType::Int32: return "int";
    case DType::Int64: return "int64_t";
    case DType::UInt16: return "uint16_t";
    case DType::UInt32: return "uint32_t";
    case DType::UInt64: return "uint64_t";
    case DType::Float16: return "c10::Half";
    case DType::BFloat16: return "c10::BFloat16";
    case DType::Float32: return "float";
    case DType::Float64: return "double";
    case DType::Complex64: return "c10::complex<float>";
    case DType::Complex128: return "c10::complex<double>";
  }
  return "";
}

// Does the real value x fit dtype `dt` (real, or the parts of a complex dtype)?
bool real_fits(double x, bool x_is_int, int64_t xi, DType dt) {
  return dispatch_dtype(dt, [&]<typename T>() {
    if constexpr (is_complex_v<T>) {
      return real_fits(x, x_is_int, xi, to_real(dt));
    } else if constexpr (std::is_same_v<T, bool>) {
      return true;
    } else if constexpr (std::is_integral_v<T>) {
      using L = std::numeric_limits<T>;
      if (x_is_int) {
        if constexpr (std::is_signed_v<T>) return xi >= int64_t(L::min()) && xi <= int64_t(L::max());
        else  // negative integers wrap into unsigned types down to -max
          return xi >= 0 ? uint64_t(xi) <= uint64_t(L::max()) : uint64_t(-(xi + 1)) + 1 <= uint64_t(L::max());
      }
      return !std::isnan(x) && x >= double(L::lowest()) && x <= double(L::max());
    } else {
      if (std::isinf(x) || std::isnan(x)) return true;
      const double m = std::is_same_v<T, Half>       ? 65504.0
                       : std::is_same_v<T, BFloat16> ? 0x1.fep127  // largest finite bfloat16
                                                      : double(std::numeric_limits<T>::max());
      return x >= -m && x <= m;
    }
  });
}
}  // namespace

void check_number_fits(const Scalar& v, DType dt) {
  bool fits;
  if (v.is_bool() || dt == DType::Bool) {
    fits = true;
  } else if (v.kind() == Scalar::Kind::UInt) {  // a Python int beyond int64
    fits = dt == DType::UInt64 || is_floating_point(dt) || is_complex(dt);
    if (fits && (dt == DType::Float16 || dt == DType::BFloat16 || dt == DType::Float32 || dt == DType::Complex64))
      fits = real_fits(v.to_double(), false, 0, dt);
  } else if (v.is_complex()) {
    const std::complex<double> c = v.to_complex();
    fits = (is_complex(dt) || c.imag() == 0) && real_fits(c.real(), false, 0, dt) && real_fits(c.imag(), false, 0, dt);
  } else {
    fits = real_fits(v.to_double(), v.is_integral(), v.is_integral() ? v.to_int64() : 0, dt);
  }
  if (!fits)
    throw RuntimeError(std::string("value cannot be converted to type ") + checked_type_name(dt) + " without overflow");
}

// Note [NumPy promotion]
// Source: NumPy 2.x np.result_type for two arrays (NEP 50, no value-based casting).
// Same kind: the wider type; signed with unsigned: the signed type if wider, else the signed type
// of twice the unsigned width (uint64 with a signed type -> float64). Integer with floating: the
// floating type able to hold the integer (8 bit -> float16, 16 bit -> float32, wider -> float64),
// widened to the other operand's float; complex likewise with complex64/complex128.
DType numpy_promote_types(DType a, DType b) {
  if (a == DType::BFloat16 || b == DType::BFloat16)
    throw TypeError("Got unsupported ScalarType BFloat16");
  if (a == b) return a;
  if (a == DType::Bool) return b;
  if (b == DType::Bool) return a;
  auto rank_float = [](DType d) -> int {  // 0 f16, 1 f32, 2 f64 (the float needed to hold d)
    switch (d) {
      case DType::Int8: case DType::UInt8: case DType::Float16: return 0;
      case DType::Int16: case DType::UInt16: case DType::Float32: case DType::Complex64: return 1;
      default: return 2;
    }
  };
  const bool ca = is_complex(a), cb = is_complex(b);
  if (ca || cb) {
    int r = std::max(rank_float(a), rank_float(b));
    return r <= 1 ? DType::Complex64 : DType::Complex128;
  }
  const bool fa = is_floating_point(a), fb = is_floating_point(b);
  if (fa || fb) {
    int r = std::max(rank_float(a), rank_float(b));
    return r == 0 ? DType::Float16 : r == 1 ? DType::Float32 : DType::Float64;
  }
  // both integers
  const bool sa = is_signed(a), sb = is_signed(b);
  const size_t wa = itemsize(a), wb = itemsize(b);
  if (sa == sb) return wa >= wb ? a : b;
  const DType s = sa ? a : b, u = sa ? b : a;
  if (itemsize(s) > itemsize(u)) return s;
  switch (itemsize(u)) {
    case 1: return DType::Int16;
    case 2: return DType::Int32;
    case 4: return DType::Int64;
    default: return DType::Float64;
  }
}

}  // namespace tb
