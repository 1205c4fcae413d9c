// Reductions: the input is walked once with the accumulator's strides set to 0 along reduced dims
// (a row of an inner reduced dim folds into one accumulator, an outer reduced dim accumulates
// whole rows element-wise). Work is split over the outermost kept dim, or, for full reductions,
// over chunks of the input with per-chunk partial results combined in order.
#include "tensorbridge/backend/cpu/reduce_kernels.h"

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "tensorbridge/backend/cpu/elementwise_functors.h"
#include "tensorbridge/backend/cpu/loops.h"
#include "tensorbridge/backend/cpu/sum_kernels.h"
#include "tensorbridge/convert.h"
#include "tensorbridge/error.h"

namespace tb::cpu {

namespace {

template <class T>
struct AccOf {
  using C = compute_t<T>;
  using type = std::conditional_t<
      is_complex_v<T>, complex128,
      std::conditional_t<std::is_floating_point_v<C>, double,
                         std::conditional_t<std::is_same_v<T, bool>, bool,
                                            std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>>>;
};

template <class A> inline A wrap_add(A a, A b) {
  if constexpr (std::is_integral_v<A> && !std::is_same_v<A, bool>) return A(uint64_t(a) + uint64_t(b));
  else return a + b;
}
template <class A> inline A wrap_mul(A a, A b) {
  if constexpr (std::is_integral_v<A> && !std::is_same_v<A, bool>) return A(uint64_t(a) * uint64_t(b));
  else if constexpr (is_complex_v<A>) return fn::cmul(a, b);  // torch's formula (Note [complex arithmetic])
  else return a * b;
}
template <class A> inline bool is_nan(A a) {
  if constexpr (std::is_floating_point_v<A>) return std::isnan(a);
  else return false;
}

// Reducers: Acc type, identity, step(acc, element) and combine(acc, acc).
template <class T> struct SumR {
  using Acc = typename AccOf<T>::type;
  static Acc init() { return Acc(0); }
  static Acc step(Acc a, T x) { return wrap_add(a, convert<Acc>(x)); }
  static Acc combine(Acc a, Acc b) { return wrap_add(a, b); }
};
template <class T> struct ProdR {
  using Acc = typename AccOf<T>::type;
  static Acc init() { return Acc(1); }
  static Acc step(Acc a, T x) { return wrap_mul(a, convert<Acc>(x)); }
  static Acc combine(Acc a, Acc b) { return wrap_mul(a, b); }
};
template <class T> struct MaxR {
  using Acc = compute_t<T>;
  static Acc init() {
    if constexpr (std::is_floating_point_v<Acc>) return -std::numeric_limits<Acc>::infinity();
    else return std::numeric_limits<Acc>::lowest();
  }
  static Acc step(Acc a, T x) {
    Acc v = Acc(x);
    return (is_nan(v) || v > a) ? v : a;
  }
  static Acc combine(Acc a, Acc b) { return is_nan(a) ? a : step(a, T(b)); }
};
template <class T> struct MinR {
  using Acc = compute_t<T>;
  static Acc init() {
    if constexpr (std::is_floating_point_v<Acc>) return std::numeric_limits<Acc>::infinity();
    else return std::numeric_limits<Acc>::max();
  }
  static Acc step(Acc a, T x) {
    Acc v = Acc(x);
    return (is_nan(v) || v < a) ? v : a;
  }
  static Acc combine(Acc a, Acc b) { return is_nan(a) ? a : step(a, T(b)); }
};
template <class T> struct AllR {
  using Acc = bool;
  static Acc init() { return true; }
  static Acc step(Acc a, T x) { return a && convert<bool>(x); }
  static Acc combine(Acc a, Acc b) { return a && b; }
};
template <class T> struct AnyR {
  using Acc = bool;
  static Acc init() { return false; }
  static Acc step(Acc a, T x) { return a || convert<bool>(x); }
  static Acc combine(Acc a, Acc b) { return a || b; }
};

// Folds a row (n elements at stride s) into a.
template <class R, class T>
typename R::Acc fold_row(typename R::Acc a, const T* p, int64_t n, int64_t s) {
  using Acc = typename R::Acc;
  if constexpr (std::is_same_v<R, SumR<T>> && std::is_same_v<Acc, double>) {
    if (s == 1 && n >= 16) {  // independent lanes so that the compiler vectorises the sum
      double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      int64_t j = 0;
      for (; j + 8 <= n; j += 8)
        for (int k = 0; k < 8; ++k) lane[k] += double(compute_t<T>(p[j + k]));
      for (; j < n; ++j) lane[0] += double(compute_t<T>(p[j]));
      return a + (((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7])));
    }
  }
  for (int64_t j = 0; j < n; ++j) a = R::step(a, p[j * s]);
  return a;
}

template <class R, class T>
void reduce_typed(const Tensor& x, const Tensor& out, bool divide, double divisor) {
  using Acc = typename R::Acc;
  const Shape& shape = x.shape();
  const size_t nd = shape.size();
  const Shape& oshape = out.shape();
  const int64_t on = numel_of(oshape);
  std::unique_ptr<Acc[]> acc(new Acc[size_t(std::max<int64_t>(on, 1))]);
  for (int64_t i = 0; i < on; ++i) acc[i] = R::init();
  Strides ast = contiguous_strides(oshape);
  for (size_t d = 0; d < nd; ++d)
    if (oshape[d] == 1) ast[d] = 0;
  const T* xp = x.data<T>();
  const int64_t n = x.numel();

  if (on == 1) {
    // full reduction: ordered per-chunk partials
    const LoopGeometry<1> g = collapse<1>(shape, {&x.strides()});
    const int64_t chunks = n <= kParallelGrain ? 1 : std::min<int64_t>(num_threads(), n / kParallelGrain);
    std::vector<Acc> part(size_t(chunks), R::init());
    parallel_for(chunks, 0, [&](int64_t b, int64_t e) {
      for (int64_t c = b; c < e; ++c) {
        Acc a = R::init();
        auto row = [&](const std::array<int64_t, 1>& off, int64_t m, const std::array<int64_t, 1>& s) {
          a = fold_row<R>(a, xp + off[0], m, s[0]);
        };
        walk_range(g, n * c / chunks, n * (c + 1) / chunks, row);
        part[size_t(c)] = a;
      }
    });
    Acc a = part[0];
    for (size_t c = 1; c < part.size(); ++c) a = R::combine(a, part[c]);
    acc[0] = a;
  } else if (n > 0) {
    // split the outermost kept dim among threads
    size_t split = 0;
    while (split < nd && oshape[split] == 1) ++split;
    auto body = [&](int64_t b, int64_t e) {
      Shape sub = shape;
      sub[split] = e - b;
      Acc* ap = acc.get() + b * ast[split];
      const T* xb = xp + b * x.strides()[split];
      auto row = [&](const std::array<int64_t, 2>& off, int64_t m, const std::array<int64_t, 2>& s) {
        Acc* a = ap + off[0];
        const T* p = xb + off[1];
        if (s[0] == 0) {
          *a = fold_row<R>(*a, p, m, s[1]);
        } else {
          for (int64_t j = 0; j < m; ++j) a[j * s[0]] = R::step(a[j * s[0]], p[j * s[1]]);
        }
      };
      const LoopGeometry<2> g = collapse<2>(sub, {&ast, &x.strides()});
      walk_range(g, 0, g.numel, row);
    };
    const int64_t len = shape[split];
    if (n <= kParallelGrain || len < 2) body(0, len);
    else parallel_for(len, std::max<int64_t>(1, len * kParallelGrain / n), body);
  }
  // write out (out is contiguous: allocated by the front end)
  using O = std::conditional_t<std::is_same_v<Acc, bool>, bool, T>;
  O* op = out.data<O>();
  for (int64_t i = 0; i < on; ++i) {
    if constexpr (is_complex_v<Acc>) {
      op[i] = convert<O>(divide ? fn::cdiv(acc[i], Acc(divisor)) : acc[i]);
    } else if constexpr (std::is_floating_point_v<Acc>) {
      op[i] = convert<O>(divide ? acc[i] / Acc(divisor) : acc[i]);
    } else {
      op[i] = convert<O>(acc[i]);
    }
  }
}

template <template <class> class R>
void reduce_dispatch(const char* name, const Tensor& x, const Tensor& out, bool divide = false,
                     double divisor = 1.0) {
  dispatch_dtype(x.dtype(), [&]<typename T>() {
    if constexpr ((std::is_same_v<R<T>, MaxR<T>> || std::is_same_v<R<T>, MinR<T>>) && is_complex_v<T>) {
      throw NotImplementedError(std::string("\"") + name + "\" not implemented for '" +
                                std::string(dtype_legacy_name(x.dtype())) + "'");
    } else {
      reduce_typed<R<T>, T>(x, out, divide, divisor);
    }
  });
}

}  // namespace

void reduce_kernel(ReduceKind kind, const Tensor& x, const Tensor& out, double divisor) {
  switch (kind) {
    case ReduceKind::Sum:
      if (cascade_sum_kernel(x, out, 1.0)) return;
      return reduce_dispatch<SumR>("sum_cpu", x, out);
    case ReduceKind::Mean:  // (complex means keep the complex division of reduce_typed)
      if (!is_complex(x.dtype()) && cascade_sum_kernel(x, out, divisor)) return;
      return reduce_dispatch<SumR>("mean_cpu", x, out, true, divisor);
    case ReduceKind::Prod: return reduce_dispatch<ProdR>("prod_cpu", x, out);
    case ReduceKind::Max: return reduce_dispatch<MaxR>("max_all", x, out);
    case ReduceKind::Min: return reduce_dispatch<MinR>("min_all", x, out);
    case ReduceKind::All: return reduce_dispatch<AllR>("all", x, out);
    case ReduceKind::Any: return reduce_dispatch<AnyR>("any", x, out);
  }
}

namespace {
// Calls f(x_offset, out_offset) for every line along `dim` (x and out share the shape except
// that out may have size 1 along dim), in parallel when large.
template <typename F>
void for_each_line(const Tensor& x, int64_t dim, const Tensor& out, F&& f) {
  Shape lines = x.shape();
  const int64_t len = lines[size_t(dim)];
  lines[size_t(dim)] = 1;
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(len, 1));
  parallel_loop<2>(lines, {&x.strides(), &out.strides()},
                   [&](const std::array<int64_t, 2>& off, int64_t m, const std::array<int64_t, 2>& s) {
                     for (int64_t j = 0; j < m; ++j) f(off[0] + j * s[0], off[1] + j * s[1]);
                   },
                   grain);
}
}  // namespace

void arg_reduce_kernel(bool is_max, const Tensor& x, int64_t dim, const Tensor& out_values,
                       const Tensor& out_indices) {
  dispatch_dtype(x.dtype(), [&]<typename T>() {
    using C = compute_t<T>;
    if constexpr (is_complex_v<T>) {
      throw NotImplementedError(std::string(is_max ? "\"argmax_cpu\"" : "\"argmin_cpu\"") +
                                " not implemented for '" + std::string(dtype_legacy_name(x.dtype())) + "'");
    } else {
      const T* xp = x.data<T>();
      const int64_t len = x.shape()[size_t(dim)], xs = x.strides()[size_t(dim)];
      int64_t* ip = out_indices.data<int64_t>();
      T* vp = out_values.defined() ? out_values.data<T>() : nullptr;
      const Tensor& geo = out_indices;
      const bool same_geo = !out_values.defined() || out_values.strides() == out_indices.strides();
      TB_INTERNAL_ASSERT(same_geo, "arg_reduce_kernel: values and indices need the same strides");
      for_each_line(x, dim, geo, [&](int64_t xo, int64_t oo) {
        const T* p = xp + xo;
        C best = C(p[0]);
        int64_t bi = 0;
        if (!is_nan(best)) {
          for (int64_t j = 1; j < len; ++j) {
            const C v = C(p[j * xs]);
            if (is_nan(v)) { best = v; bi = j; break; }
            if (is_max ? v > best : v < best) { best = v; bi = j; }
          }
        }
        ip[oo] = bi;
        if (vp) vp[oo] = p[bi * xs];
      });
    }
  });
}

void cumulative_kernel(bool is_sum, const Tensor& x, int64_t dim, const Tensor& out) {
  dispatch_dtype(x.dtype(), [&]<typename T>() {
    using Acc = typename AccOf<T>::type;
    const T* xp = x.data<T>();
    T* op = out.data<T>();
    const int64_t len = x.shape()[size_t(dim)], xs = x.strides()[size_t(dim)], os = out.strides()[size_t(dim)];
    for_each_line(x, dim, out, [&](int64_t xo, int64_t oo) {
      Acc a = is_sum ? Acc(0) : Acc(1);
      for (int64_t j = 0; j < len; ++j) {
        const Acc v = convert<Acc>(xp[xo + j * xs]);
        if constexpr (std::is_same_v<Acc, bool>) a = is_sum ? (a || v) : (a && v);
        else a = is_sum ? wrap_add(a, v) : wrap_mul(a, v);
        op[oo + j * os] = convert<T>(a);
      }
    });
  });
}

}  // namespace tb::cpu
