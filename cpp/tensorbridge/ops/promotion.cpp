#include "tensorbridge/ops/promotion.h"

#include <string>

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
