// Binary element-wise kernels: one loop template, instantiated per (op, dtype) the op supports.
#include <cstring>
#include <string>

#include "tensorbridge/backend/cpu/arith_f32.h"
#include "tensorbridge/backend/cpu/elementwise_functors.h"
#include "tensorbridge/backend/cpu/elementwise_kernels.h"
#include "tensorbridge/backend/cpu/loops.h"
#include "tensorbridge/error.h"

namespace tb::cpu {

namespace {

template <class F, class T>
inline auto apply2(T a, T b) {
  using C = compute_t<T>;
  if constexpr (is_half_like_v<T> && requires { F::template f_rounded<T>(C(), C()); }) {
    return T(F::template f_rounded<T>(C(a), C(b)));  // float16/bfloat16 with intermediate rounding
  } else {
    auto r = F::f(C(a), C(b));
    if constexpr (std::is_same_v<decltype(r), bool>) return r;
    else return T(r);
  }
}

// float32 add/sub/mul/div rows with wider SIMD variants (arith_f32.h); `ok` is false for other ops.
template <class F>
struct F32Arith {
  static constexpr bool ok = false;
};
template <> struct F32Arith<fn::add> { static constexpr bool ok = true; static constexpr ArithOp op = ArithOp::add; };
template <> struct F32Arith<fn::sub> { static constexpr bool ok = true; static constexpr ArithOp op = ArithOp::sub; };
template <> struct F32Arith<fn::mul> { static constexpr bool ok = true; static constexpr ArithOp op = ArithOp::mul; };
template <> struct F32Arith<fn::div> { static constexpr bool ok = true; static constexpr ArithOp op = ArithOp::div; };

// The loop: contiguous and scalar-operand rows get their own simple (vectorisable) loops.
template <class F, class T>
void run_binary(const Shape& shape, StridedPtr out, StridedPtr a, StridedPtr b) {
  using Out = decltype(apply2<F, T>(T(), T()));
  Out* o = static_cast<Out*>(out.data);
  const T* x = static_cast<const T*>(a.data);
  const T* y = static_cast<const T*>(b.data);
  parallel_loop<3>(shape, {out.strides, a.strides, b.strides},
                   [&](const std::array<int64_t, 3>& off, int64_t n, const std::array<int64_t, 3>& s) {
                     Out* op = o + off[0];
                     const T* xp = x + off[1];
                     const T* yp = y + off[2];
                     if constexpr (std::is_same_v<T, float> && F32Arith<F>::ok) {
                       if (s[0] == 1 && (s[1] | s[2]) == 1)  // each input contiguous or a scalar
                         return arith_f32(F32Arith<F>::op, xp, s[1], yp, s[2], op, n);
                     }
                     if (s[0] == 1 && s[1] == 1 && s[2] == 1) {
                       for (int64_t j = 0; j < n; ++j) op[j] = apply2<F, T>(xp[j], yp[j]);
                     } else if (s[0] == 1 && s[1] == 1 && s[2] == 0) {
                       const T yv = *yp;
                       for (int64_t j = 0; j < n; ++j) op[j] = apply2<F, T>(xp[j], yv);
                     } else if (s[0] == 1 && s[1] == 0 && s[2] == 1) {
                       const T xv = *xp;
                       for (int64_t j = 0; j < n; ++j) op[j] = apply2<F, T>(xv, yp[j]);
                     } else {
                       for (int64_t j = 0; j < n; ++j)
                         op[j * s[0]] = apply2<F, T>(xp[j * s[1]], yp[j * s[2]]);
                     }
                   });
}

template <class F>
void dispatch_binary(std::string_view name, DType dt, const Shape& shape, StridedPtr out, StridedPtr a,
                     StridedPtr b) {
  dispatch_dtype(dt, [&]<typename T>() {
    if constexpr (F::template ok<compute_t<T>>) {
      run_binary<F, T>(shape, out, a, b);
    } else {
      throw NotImplementedError("\"" + std::string(name) + "_cpu\" not implemented for '" +
                                std::string(dtype_legacy_name(dt)) + "'");
    }
  });
}

}  // namespace

void binary_kernel(BinaryOp op, DType dt, const Shape& shape, StridedPtr out, StridedPtr a, StridedPtr b) {
  switch (op) {
#define TB_CASE(name, rule)                                              \
  case BinaryOp::name:                                                   \
    return dispatch_binary<fn::name>(#name, dt, shape, out, a, b);
    TB_FORALL_BINARY_OPS(TB_CASE)
#undef TB_CASE
  }
}

void where_kernel(DType dt, const Shape& shape, StridedPtr out, StridedPtr cond, StridedPtr a, StridedPtr b) {
  dispatch_dtype(dt, [&]<typename T>() {
    T* o = static_cast<T*>(out.data);
    const bool* c = static_cast<const bool*>(cond.data);
    const T* x = static_cast<const T*>(a.data);
    const T* y = static_cast<const T*>(b.data);
    // Contiguous rows with each value operand contiguous or a scalar (the common cases, e.g. the
    // relu/threshold gradients) get loops the compiler vectorises into blends.
    auto row = [&]<int SX, int SY>(const std::array<int64_t, 4>& off, int64_t n) {
      T* __restrict po = o + off[0];
      const unsigned char* __restrict pc = reinterpret_cast<const unsigned char*>(c + off[1]);
      const T* __restrict px = x + off[2];
      const T* __restrict py = y + off[3];
      if constexpr (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8) {
        // A bit-mask select on the values' bits: both loads unconditional, no branch, so it
        // vectorises even on baseline x86-64 (a bool is stored as 0 or 1).
        using U = std::conditional_t<sizeof(T) == 1, uint8_t, std::conditional_t<sizeof(T) == 2, uint16_t,
                  std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>>>;
        for (int64_t j = 0; j < n; ++j) {
          U u, v;
          std::memcpy(&u, px + j * SX, sizeof(U));
          std::memcpy(&v, py + j * SY, sizeof(U));
          const U m = U(U(0) - U(pc[j]));
          const U r = U((u & m) | (v & U(~m)));
          std::memcpy(static_cast<void*>(po + j), &r, sizeof(U));
        }
      } else {
        for (int64_t j = 0; j < n; ++j) po[j] = pc[j] ? px[j * SX] : py[j * SY];
      }
    };
    parallel_loop<4>(shape, {out.strides, cond.strides, a.strides, b.strides},
                     [&](const std::array<int64_t, 4>& off, int64_t n, const std::array<int64_t, 4>& s) {
                       if (s[0] == 1 && s[1] == 1 && s[2] <= 1 && s[2] >= 0 && s[3] <= 1 && s[3] >= 0) {
                         if (s[2] == 1 && s[3] == 1) return row.template operator()<1, 1>(off, n);
                         if (s[2] == 1) return row.template operator()<1, 0>(off, n);
                         if (s[3] == 1) return row.template operator()<0, 1>(off, n);
                       }
                       for (int64_t j = 0; j < n; ++j)
                         o[off[0] + j * s[0]] = c[off[1] + j * s[1]] ? x[off[2] + j * s[2]] : y[off[3] + j * s[3]];
                     });
  });
}

void isclose_kernel(DType dt, const Shape& shape, StridedPtr out, StridedPtr a, StridedPtr b, double rtol,
                    double atol, bool equal_nan) {
  dispatch_dtype(dt, [&]<typename T>() {
    using C = compute_t<T>;
    bool* o = static_cast<bool*>(out.data);
    const T* x = static_cast<const T*>(a.data);
    const T* y = static_cast<const T*>(b.data);
    parallel_loop<3>(shape, {out.strides, a.strides, b.strides},
                     [&](const std::array<int64_t, 3>& off, int64_t n, const std::array<int64_t, 3>& s) {
                       for (int64_t j = 0; j < n; ++j) {
                         const C u = C(x[off[1] + j * s[1]]), v = C(y[off[2] + j * s[2]]);
                         bool r;
                         if constexpr (std::is_same_v<C, bool>) {
                           r = u == v;
                         } else if constexpr (is_complex_v<C>) {
                           using R = typename C::value_type;
                           const bool nan_u = std::isnan(u.real()) || std::isnan(u.imag());
                           const bool nan_v = std::isnan(v.real()) || std::isnan(v.imag());
                           if (u == v) r = true;
                           else if (nan_u || nan_v) r = equal_nan && nan_u && nan_v;
                           else {
                             const R d = std::abs(u - v);
                             r = std::isfinite(d) && d <= R(atol) + R(rtol) * std::abs(v);
                           }
                         } else if constexpr (std::is_floating_point_v<C>) {
                           if (u == v) r = true;
                           else if (std::isnan(u) || std::isnan(v)) r = equal_nan && std::isnan(u) && std::isnan(v);
                           else {
                             const C d = std::fabs(u - v);
                             r = std::isfinite(d) && d <= C(atol) + C(rtol) * std::fabs(v);
                           }
                         } else {  // integers: compare in double like torch's cast of the tolerance
                           const double du = double(u), dv = double(v);
                           r = u == v || std::fabs(du - dv) <= atol + rtol * std::fabs(dv);
                         }
                         o[off[0] + j * s[0]] = r;
                       }
                     });
  });
}

bool any_zero(DType dt, const Shape& shape, StridedPtr x) {
  bool found = false;
  dispatch_dtype(dt, [&]<typename T>() {
    const T* p = static_cast<const T*>(x.data);
    auto row = [&](const std::array<int64_t, 1>& off, int64_t n, const std::array<int64_t, 1>& s) {
      for (int64_t j = 0; j < n && !found; ++j)
        if (convert<bool>(p[off[0] + j * s[0]]) == false) found = true;
    };
    walk_range(collapse<1>(shape, {x.strides}), 0, numel_of(shape), row);
  });
  return found;
}

}  // namespace tb::cpu
