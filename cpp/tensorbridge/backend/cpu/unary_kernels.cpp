// Unary element-wise kernels: one loop template, instantiated per (op, dtype) the op supports.
#include <algorithm>
#include <string>

#include "tensorbridge/backend/cpu/arith_f32.h"
#include "tensorbridge/backend/cpu/elementwise_functors.h"
#include "tensorbridge/backend/cpu/elementwise_kernels.h"
#include "tensorbridge/backend/cpu/loops.h"
#include "tensorbridge/error.h"

namespace tb::cpu {

namespace {

// Result element type: bool stays bool, a complex abs gives the real type, else T itself.
template <class F, class T>
inline auto apply1(T a) {
  using C = compute_t<T>;
  auto r = F::f(C(a));
  using R = decltype(r);
  if constexpr (std::is_same_v<R, bool> || std::is_same_v<R, C>) {
    if constexpr (std::is_same_v<R, bool>) return r;
    else return T(r);
  } else {
    return r;  // complex -> real (abs)
  }
}

// Contiguous float32 loops with SIMD variants (vec_math.cpp), for the ops that have one.
using FloatArrayFn = void (*)(const float*, float*, int64_t);
template <class F>
constexpr FloatArrayFn float_array_fn() {
  if constexpr (std::is_same_v<F, fn::exp>) return &exp_f32_array;
  else if constexpr (std::is_same_v<F, fn::sigmoid>) return &sigmoid_f32_array;
  else if constexpr (std::is_same_v<F, fn::tanh>) return &tanh_f32_array;
  else if constexpr (std::is_same_v<F, fn::relu>) return &relu_f32_array;
  else return nullptr;
}

template <class F, class T>
void run_unary(const Shape& shape, StridedPtr out, StridedPtr x) {
  using Out = decltype(apply1<F, T>(T()));
  Out* o = static_cast<Out*>(out.data);
  const T* p = static_cast<const T*>(x.data);
  parallel_loop<2>(shape, {out.strides, x.strides},
                   [&](const std::array<int64_t, 2>& off, int64_t n, const std::array<int64_t, 2>& s) {
                     Out* op = o + off[0];
                     const T* xp = p + off[1];
                     if constexpr (std::is_same_v<T, float> && float_array_fn<F>() != nullptr) {
                       // strided rows go through a buffer: same code, same results as contiguous
                       if (s[0] == 1 && s[1] == 1) return float_array_fn<F>()(xp, op, n);
                       float buf[256];
                       for (int64_t j0 = 0; j0 < n; j0 += 256) {
                         const int64_t m = std::min<int64_t>(256, n - j0);
                         for (int64_t j = 0; j < m; ++j) buf[j] = xp[(j0 + j) * s[1]];
                         float_array_fn<F>()(buf, buf, m);
                         for (int64_t j = 0; j < m; ++j) op[(j0 + j) * s[0]] = buf[j];
                       }
                       return;
                     }
                     if (s[0] == 1 && s[1] == 1) {
                       for (int64_t j = 0; j < n; ++j) op[j] = apply1<F, T>(xp[j]);
                     } else {
                       for (int64_t j = 0; j < n; ++j) op[j * s[0]] = apply1<F, T>(xp[j * s[1]]);
                     }
                   },
                   // transcendental functions cost more per element: split earlier
                   kParallelGrain / 8);
}

template <class F>
void dispatch_unary(std::string_view name, DType dt, const Shape& shape, StridedPtr out, StridedPtr x) {
  dispatch_dtype(dt, [&]<typename T>() {
    if constexpr (F::template ok<compute_t<T>>) {
      run_unary<F, T>(shape, out, x);
    } else {
      throw NotImplementedError("\"" + std::string(name) + "_cpu\" not implemented for '" +
                                std::string(dtype_legacy_name(dt)) + "'");
    }
  });
}

}  // namespace

void unary_kernel(UnaryOp op, DType dt, const Shape& shape, StridedPtr out, StridedPtr x) {
  switch (op) {
#define TB_CASE(name, rule) \
  case UnaryOp::name:       \
    return dispatch_unary<fn::name>(#name, dt, shape, out, x);
    TB_FORALL_UNARY_OPS(TB_CASE)
#undef TB_CASE
  }
}

void round_decimals_kernel(DType dt, int64_t decimals, const Shape& shape, StridedPtr out, StridedPtr x) {
  dispatch_dtype(dt, [&]<typename T>() {
    using C = compute_t<T>;
    if constexpr (std::is_floating_point_v<C>) {
      const bool neg = decimals < 0;
      const C scale = C(std::pow(10.0, double(neg ? -decimals : decimals)));
      T* o = static_cast<T*>(out.data);
      const T* p = static_cast<const T*>(x.data);
      parallel_loop<2>(shape, {out.strides, x.strides},
                       [&](const std::array<int64_t, 2>& off, int64_t n, const std::array<int64_t, 2>& s) {
                         for (int64_t j = 0; j < n; ++j) {
                           const C v = C(p[off[1] + j * s[1]]);
                           o[off[0] + j * s[0]] =
                               T(neg ? std::nearbyint(v / scale) * scale : std::nearbyint(v * scale) / scale);
                         }
                       });
    } else {
      throw NotImplementedError("\"round_cpu\" not implemented for '" + std::string(dtype_legacy_name(dt)) + "'");
    }
  });
}

}  // namespace tb::cpu
