#include "tensorbridge/autograd/rules.h"
#include "tensorbridge/ops/creation.h"

#include <cmath>
#include <cstring>

#include "tensorbridge/backend/cpu/strided_loop.h"
#include "tensorbridge/convert.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops/promotion.h"

namespace tb {

DType default_dtype_for(const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::Bool: return DType::Bool;
    case Scalar::Kind::Int:
    case Scalar::Kind::UInt: return DType::Int64;
    case Scalar::Kind::Float: return kDefaultFloat;
    case Scalar::Kind::Complex: return to_complex(kDefaultFloat);
  }
  return kDefaultFloat;
}

void check_fill_value(const Scalar& v, DType dt, int64_t numel) {
  if (numel == 1 && (dt == DType::Float16 || dt == DType::BFloat16)) {
    if (v.is_complex() && v.to_complex().imag() != 0)
      throw RuntimeError("value cannot be converted to type double without overflow");
    return;
  }
  check_number_fits(v, dt);
}

namespace {
void fill_unchecked(const Tensor& t, const Scalar& v) {
  dispatch_dtype(t.dtype(), [&]<typename T>() {
    const T value = v.to<T>();
    T* p = t.data<T>();
    cpu::strided_loop<1>(t.shape(), {&t.strides()},
                         [&](const std::array<int64_t, 1>& b, int64_t n, const std::array<int64_t, 1>& s) {
                           for (int64_t j = 0; j < n; ++j) p[b[0] + j * s[0]] = value;
                         });
  });
}
}  // namespace

void fill_(const Tensor& t, const Scalar& v) {
  if (autograd::needs_grad(t)) return autograd::fill_(t, v);
  check_fill_value(v, t.dtype(), t.numel());
  t.check_writable("fill_");
  t.bump_version();
  fill_unchecked(t, v);
}

void zero_(const Tensor& t) {
  if (autograd::needs_grad(t)) return autograd::zero_(t);
  fill_(t, Scalar(int64_t(0)));
}

Tensor zeros(const Shape& shape, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  std::memset(t.data_ptr(), 0, size_t(t.numel()) * t.itemsize());
  return t;
}

Tensor ones(const Shape& shape, DType dtype, Device device) {
  return full(shape, Scalar(int64_t(1)), dtype, device);
}

Tensor full(const Shape& shape, const Scalar& value, std::optional<DType> dtype, Device device) {
  Tensor t = empty(shape, dtype.value_or(default_dtype_for(value)), device);
  fill_unchecked(t, value);
  return fresh(t);
}

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step,
              std::optional<DType> dtype, Device device) {
  if (start.is_complex() || end.is_complex() || step.is_complex())
    throw RuntimeError("arange: complex arguments are not supported");
  bool integral = !start.is_floating_point() && !end.is_floating_point() && !step.is_floating_point();
  DType dt = dtype.value_or(integral ? DType::Int64 : kDefaultFloat);
  double xs = start.to_double(), xe = end.to_double(), xstep = step.to_double();
  if (xstep == 0) throw RuntimeError("step must be nonzero");
  if (!std::isfinite(xs) || !std::isfinite(xe))
    throw RuntimeError("unsupported range: " + std::to_string(xs) + " -> " + std::to_string(xe));
  if ((xstep > 0 && xe < xs) || (xstep < 0 && xe > xs))
    throw RuntimeError("upper bound and larger bound inconsistent with step sign");
  double size_d;
  if (integral && is_integral(dt, true)) {
    int64_t s = start.to_int64(), e = end.to_int64(), st = step.to_int64();
    size_d = double((e - s + st - (st > 0 ? 1 : -1)) / st);
  } else {
    size_d = std::ceil((xe - xs) / xstep);
  }
  if (!(size_d >= 0 && size_d < 9.2e18))
    throw RuntimeError("invalid size, possible overflow?");
  int64_t n = int64_t(size_d);
  Tensor t = empty({n}, dt, device);
  dispatch_dtype(dt, [&]<typename T>() {
    T* p = t.data<T>();
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      int64_t s = start.to_int64(), st = step.to_int64();
      if (integral)
        for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(s + i * st);
      else
        for (int64_t i = 0; i < n; ++i) p[i] = convert<T>(xs + double(i) * xstep);
    } else {
      for (int64_t i = 0; i < n; ++i) p[i] = convert<T>(xs + double(i) * xstep);
    }
  });
  return t;
}

Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, std::optional<DType> dtype,
                Device device) {
  if (steps < 0) throw RuntimeError("linspace(): number of steps must be non-negative");
  bool cplx = start.is_complex() || end.is_complex();
  DType dt = dtype.value_or(cplx ? to_complex(kDefaultFloat) : kDefaultFloat);
  Tensor t = empty({steps}, dt, device);
  if (steps == 0) return t;
  dispatch_dtype(dt, [&]<typename T>() {
    T* p = t.data<T>();
    if constexpr (std::is_same_v<T, bool>) {
      throw RuntimeError("linspace: bool is not supported");
    } else {
      // Step type: double for integral outputs, the element type otherwise (PyTorch's kernel);
      // the first half counts up from start, the second half down from end.
      using S = std::conditional_t<std::is_integral_v<T>, double, compute_t<T>>;
      S a = start.to<S>(), b = end.to<S>();
      if (steps == 1) {
        p[0] = convert<T>(a);
        return;
      }
      S step = (b - a) / S(double(steps - 1));
      int64_t half = steps / 2;
      for (int64_t i = 0; i < steps; ++i)
        p[i] = i < half ? convert<T>(a + step * S(double(i)))
                        : convert<T>(b - step * S(double(steps - i - 1)));
    }
  });
  return t;
}

Tensor eye(int64_t n, int64_t m, DType dtype, Device device) {
  if (m < 0) m = n;
  if (n < 0) throw RuntimeError("n must be greater or equal to 0, got " + std::to_string(n));
  Tensor t = zeros({n, m}, dtype, device);
  dispatch_dtype(dtype, [&]<typename T>() {
    T* p = t.data<T>();
    T one = convert<T>(int64_t(1));
    for (int64_t i = 0; i < std::min(n, m); ++i) p[i * m + i] = one;
  });
  return t;
}

}  // namespace tb
