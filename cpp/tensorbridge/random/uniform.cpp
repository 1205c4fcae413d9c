// Uniform floats, integers (random_/randint) and Bernoulli draws (spec rng.md §2, §3, §6).
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "tensorbridge/error.h"
#include "tensorbridge/random/kernel_util.h"
#include "tensorbridge/random/sampling.h"

namespace tb {

using rng::mad;
using rng::unit_double;
using rng::unit_float;
using rng::WordStream;

const char* torch_cpp_type_name(DType dt) {
  switch (dt) {
    case DType::Bool: return "bool";
    case DType::UInt8: return "unsigned char";
    case DType::Int8: return "signed char";
    case DType::Int16: return "short";
    case DType::Int32: return "int";
    case DType::Int64: return "long";
    case DType::UInt16: return "short unsigned int";
    case DType::UInt32: return "unsigned int";
    case DType::UInt64: return "long unsigned int";
    case DType::Float16: return "c10::Half";
    case DType::BFloat16: return "c10::BFloat16";
    case DType::Float32: return "float";
    case DType::Float64: return "double";
    case DType::Complex64: return "c10::complex<float>";
    case DType::Complex128: return "c10::complex<double>";
  }
  return "?";
}

namespace {

std::string fmt_double(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}


template <bool kFma>
void uniform_kernel(const Tensor& t, double from, double to, Generator& g) {
  const int64_t n = t.numel();
  dispatch_dtype(t.dtype(), [&]<typename T>() {
    if constexpr (std::is_same_v<T, double>) {
      const double range = to - from;
      WordStream ws(g, 2 * n);
      if (from == 0.0 && range == 1.0) rng::for_each_ordered<T>(t, [&](T& x) { x = unit_double(ws.next64()); });
      else rng::for_each_ordered<T>(t, [&](T& x) { x = mad<kFma>(unit_double(ws.next64()), range, from); });
    } else if constexpr (std::is_same_v<T, float>) {
      const float f = float(from), range = float(to) - float(from);
      WordStream ws(g, n);
      if (f == 0.0f && range == 1.0f) rng::for_each_ordered<T>(t, [&](T& x) { x = unit_float(ws.next32()); });
      else rng::for_each_ordered<T>(t, [&](T& x) { x = mad<kFma>(unit_float(ws.next32()), range, f); });
    } else if constexpr (is_half_like_v<T>) {
      // torch 2.13: a float uniform, cast; a value that rounds up to `to` becomes `from`.
      const float f = float(from), range = float(to) - float(from);
      const T lo = T(f), hi = T(float(to));
      WordStream ws(g, n);
      rng::for_each_ordered<T>(t, [&](T& x) {
        T v = T(mad<kFma>(unit_float(ws.next32()), range, f));
        x = float(v) >= float(hi) ? lo : v;
      });
    } else {
      TB_INTERNAL_ASSERT(false, "uniform_ on a non-floating dtype");
    }
  });
}

void check_floating(const Tensor& t, const char* what) {
  if (!is_floating_point(t.dtype()) && !is_complex(t.dtype()))
    throw NotImplementedError(std::string("\"") + what + "\" not implemented for '" +
                              std::string(dtype_legacy_name(t.dtype())) + "'");
}

// ---- integers (§3) -----------------------------------------------------------------------------

// torch 2.13 draws random64() for every element once range >= 2^28 (random() below). The spec's
// older rule (2^32, and only for int64/float/double/bfloat16) is what torch <= 2.11 did.
constexpr uint64_t kWideRange = uint64_t(1) << 28;

int digits_of(DType dt) {
  switch (dt) {
    case DType::Float16: return 11;
    case DType::BFloat16: return 8;
    case DType::Float32: return 24;
    case DType::Float64: return 53;
    default: return 0;
  }
}

// [lowest, max] of the dtype as int64 (clamped; uint64's max reported as INT64_MAX).
void int_limits(DType dt, int64_t& lo, int64_t& hi) {
  dispatch_dtype(dt, [&]<typename T>() {
    if constexpr (std::is_same_v<T, bool>) {
      lo = 0;
      hi = 1;
    } else if constexpr (std::is_integral_v<T>) {
      lo = int64_t(std::numeric_limits<T>::lowest());
      hi = std::numeric_limits<T>::max() > uint64_t(INT64_MAX) ? INT64_MAX : int64_t(std::numeric_limits<T>::max());
    } else if constexpr (std::is_same_v<T, Half>) {
      lo = -65504;
      hi = 65504;
    } else {
      lo = INT64_MIN;  // every int64 is inside float/double/bfloat16's range
      hi = INT64_MAX;
    }
  });
}

// torch's update_from/update_to: keep [from, to) representable after casting to a floating dtype.
int64_t roundtrip(DType dt, int64_t v) {
  int64_t r = v;
  dispatch_dtype(dt, [&]<typename T>() {
    if constexpr (std::is_floating_point_v<T> || is_half_like_v<T>) r = convert<int64_t>(convert<T>(v));
  });
  return r;
}
int floor_log2(uint64_t v) {
  int n = 0;
  while (v >>= 1) ++n;
  return n;
}
int64_t update_from(DType dt, int64_t from) {
  const int64_t c = roundtrip(dt, from + 1);
  if (c < from) {
    int n = floor_log2(uint64_t(std::llabs(from + 1)));
    from = c + (int64_t(1) << (n - digits_of(dt) + 1));
  }
  return from;
}
int64_t update_to(DType dt, int64_t to) {
  const int64_t c = roundtrip(dt, to - 1);
  if (c >= to) {
    int n = floor_log2(uint64_t(std::llabs(to - 1)));
    to = c - (int64_t(1) << (n - digits_of(dt) + 1));
  }
  return to;
}

void check_in_range(DType dt, int64_t from, int64_t to_inc) {
  int64_t lo, hi;
  int_limits(dt, lo, hi);
  if (from < lo || from > hi)
    throw RuntimeError(std::string("from is out of bounds for ") + torch_cpp_type_name(dt));
  if (to_inc < lo || to_inc > hi)
    throw RuntimeError(std::string("to - 1 is out of bounds for ") + torch_cpp_type_name(dt));
}

// result = int64(v % range + from) with unsigned wrap-around, cast to T (§3.1).
template <typename T>
inline T from_int(int64_t v) {
  return convert<T>(v);
}

void random_range_kernel(const Tensor& t, uint64_t range, int64_t from, Generator& g) {
  const int64_t n = t.numel();
  const bool wide = range >= kWideRange;
  dispatch_dtype(t.dtype(), [&]<typename T>() {
    if constexpr (is_complex_v<T>) {
      TB_INTERNAL_ASSERT(false, "random_ on complex");
    } else if (wide) {
      WordStream ws(g, 2 * n);
      rng::for_each_ordered<T>(t, [&](T& x) { x = from_int<T>(int64_t(ws.next64() % range + uint64_t(from))); });
    } else {
      // range < 2^28 here: w % range via Lemire's exact 32-bit "fastmod" (no division per element).
      const uint32_t d = uint32_t(range);
      const uint64_t mdiv = ~uint64_t(0) / d + 1;
      WordStream ws(g, n);
      rng::for_each_ordered<T>(t, [&](T& x) {
        const uint64_t low = mdiv * ws.next32();
        const uint64_t r = uint64_t((static_cast<unsigned __int128>(low) * d) >> 64);
        x = from_int<T>(int64_t(r + uint64_t(from)));
      });
    }
  });
}

void check_random_dtype(const Tensor& t) {
  if (is_complex(t.dtype()))
    throw RuntimeError("check_random_bounds handles only integral, floating-point and boolean types");
}

}  // namespace

// ---- public ------------------------------------------------------------------------------------

void uniform_(const Tensor& t0, double from, double to, Generator* gp) {
  rng::check_inplace(t0, "uniform_");
  check_floating(t0, "check_uniform_bounds");
  Tensor t = rng::real_view(t0);
  // torch: bounds are checked against, and clamped into, the dtype's finite range.
  double lim = 0;
  dispatch_dtype(t.dtype(), [&]<typename T>() {
    if constexpr (std::is_floating_point_v<T>) lim = double(std::numeric_limits<T>::max());
    else if constexpr (std::is_same_v<T, Half>) lim = 65504.0;
    else if constexpr (std::is_same_v<T, BFloat16>) lim = 3.3895313892515355e38;
  });
  if (from < -lim || from > lim || to < -lim || to > lim) {
    throw RuntimeError(std::string(from < -lim || from > lim ? "from" : "to") + " is out of bounds for " +
                       torch_cpp_type_name(t.dtype()));
  }
  if (from > to)
    throw RuntimeError("uniform_ expects to return a [from, to) range, but found from=" + fmt_double(from) +
                       " > to=" + fmt_double(to));
  if (to - from > lim)
    throw RuntimeError("uniform_ expects to-from <= std::numeric_limits<" +
                       std::string(dtype_legacy_name(t.dtype())) + ">::max(), but found to=" + fmt_double(to) +
                       " and from=" + fmt_double(from) + " which result in to-from to exceed the limit");
  if (t.numel() == 0) return;
  Generator& g = resolve_generator(gp);
  {
    std::lock_guard<std::mutex> lock(g.mutex());
    if (rng::use_fma()) uniform_kernel<true>(t, from, to, g);
    else uniform_kernel<false>(t, from, to, g);
  }
  t0.bump_version();
}

void random_(const Tensor& t, int64_t from, std::optional<int64_t> to_opt, Generator* gp) {
  rng::check_inplace(t, "random_");
  check_random_dtype(t);
  const DType dt = t.dtype();
  const bool fl = is_floating_point(dt);
  uint64_t range;
  if (to_opt) {
    int64_t to = *to_opt;
    if (fl) {
      from = update_from(dt, from);
      to = update_to(dt, to);
    }
    if (from >= to)
      throw RuntimeError("random_ expects 'from' to be less than 'to', but got from=" + std::to_string(from) +
                         " >= to=" + std::to_string(to));
    check_in_range(dt, from, to - 1);
    range = uint64_t(to) - uint64_t(from);
  } else if (from == INT64_MIN) {
    // [INT64_MIN, INT64_MAX] for every dtype torch supports here: int64(random64()).
    const DType d = dt;
    if (d == DType::Float16)
      throw NotImplementedError("\"random_full_64_bits_range_kernel_cpu\" not implemented for 'Half'");
    if (d != DType::Int64 && d != DType::Float64 && d != DType::Float32 && d != DType::BFloat16)
      throw RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16");
    if (t.numel() == 0) return;
    Generator& g = resolve_generator(gp);
    {
      std::lock_guard<std::mutex> lock(g.mutex());
      WordStream ws(g, 2 * t.numel());
      dispatch_dtype(dt, [&]<typename T>() {
        if constexpr (!is_complex_v<T>)
          rng::for_each_ordered<T>(t, [&](T& x) { x = from_int<T>(int64_t(ws.next64())); });
      });
    }
    t.bump_version();
    return;
  } else {
    int64_t to_inc;
    if (fl) {
      to_inc = int64_t(1) << digits_of(dt);
      from = update_from(dt, from);
    } else {
      int64_t lo;
      int_limits(dt, lo, to_inc);
    }
    if (fl ? from >= to_inc : from > to_inc)
      throw RuntimeError("random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to "
                         "dtype, but got from=" + std::to_string(from) + " > to_inc=" + std::to_string(to_inc));
    check_in_range(dt, from, to_inc);
    range = uint64_t(to_inc) - uint64_t(from) + 1;
  }
  if (t.numel() == 0) return;
  Generator& g = resolve_generator(gp);
  {
    std::lock_guard<std::mutex> lock(g.mutex());
    random_range_kernel(t, range, from, g);
  }
  t.bump_version();
}

void random_(const Tensor& t, Generator* gp) {
  rng::check_inplace(t, "random_");
  check_random_dtype(t);
  if (t.dtype() == DType::UInt16 || t.dtype() == DType::UInt32 || t.dtype() == DType::UInt64)
    throw NotImplementedError("\"random_kernel_cpu\" not implemented for '" +
                              std::string(dtype_legacy_name(t.dtype())) + "'");
  if (t.numel() == 0) return;
  Generator& g = resolve_generator(gp);
  {
    std::lock_guard<std::mutex> lock(g.mutex());
    dispatch_dtype(t.dtype(), [&]<typename T>() {
      if constexpr (std::is_same_v<T, bool>) {
        WordStream ws(g, t.numel());
        rng::for_each_ordered<T>(t, [&](T& x) { x = (ws.next32() & 1u) != 0; });
      } else if constexpr (std::is_same_v<T, int64_t>) {
        WordStream ws(g, 2 * t.numel());
        rng::for_each_ordered<T>(t, [&](T& x) { x = int64_t(ws.next64() % (uint64_t(1) << 63)); });
      } else if constexpr (std::is_same_v<T, double>) {
        WordStream ws(g, 2 * t.numel());
        const uint64_t m = (uint64_t(1) << 53) + 1;
        rng::for_each_ordered<T>(t, [&](T& x) { x = double(ws.next64() % m); });
      } else if constexpr (std::is_floating_point_v<T> || is_half_like_v<T>) {
        WordStream ws(g, t.numel());
        const uint64_t m = (uint64_t(1) << digits_of(dtype_v<T>)) + 1;
        rng::for_each_ordered<T>(t, [&](T& x) { x = convert<T>(int64_t(uint64_t(ws.next32()) % m)); });
      } else if constexpr (std::is_integral_v<T>) {
        WordStream ws(g, t.numel());
        const uint64_t m = uint64_t(std::numeric_limits<T>::max()) + 1;  // 0 for uint64: no modulo
        rng::for_each_ordered<T>(t, [&](T& x) {
          uint64_t w = ws.next32();
          x = T(m ? w % m : w);
        });
      }
    });
  }
  t.bump_version();
}

// ---- Bernoulli (§6) ----------------------------------------------------------------------------

void bernoulli_(const Tensor& t, double p, Generator* gp) {
  rng::check_inplace(t, "bernoulli_");
  if (!(p >= 0.0 && p <= 1.0))
    throw RuntimeError("bernoulli_ expects p to be in [0, 1], but got p=" + fmt_double(p));
  if (t.numel() == 0) return;
  Generator& g = resolve_generator(gp);
  {
    std::lock_guard<std::mutex> lock(g.mutex());
    WordStream ws(g, 2 * t.numel());
    dispatch_dtype(t.dtype(), [&]<typename T>() {
      rng::for_each_ordered<T>(t, [&](T& x) { x = convert<T>(int64_t(unit_double(ws.next64()) < p ? 1 : 0)); });
    });
  }
  t.bump_version();
}

void bernoulli_(const Tensor& t, const Tensor& p0, Generator* gp) {
  rng::check_inplace(t, "bernoulli_");
  if (!is_floating_point(p0.dtype()))
    throw NotImplementedError(std::string("\"bernoulli_tensor_cpu_p_\" not implemented for '") +
                              std::string(dtype_legacy_name(p0.dtype())) + "'");
  // p broadcast to t's shape as a stride-0 view (torch: expand_inplace).
  Shape bs = broadcast_shapes(t.shape(), p0.shape());
  if (bs != t.shape())
    throw RuntimeError("The expanded size of the tensor (" + shape_str(t.shape()) + ") must match p " +
                       shape_str(p0.shape()));
  Strides ps(t.shape().size(), 0);
  const size_t off = t.shape().size() - p0.shape().size();
  for (size_t d = 0; d < p0.shape().size(); ++d)
    ps[off + d] = p0.shape()[d] == 1 ? 0 : p0.strides()[d];
  Tensor p = p0.as_strided(t.shape(), ps, p0.offset());
  if (t.numel() == 0) return;
  Generator& g = resolve_generator(gp);
  {
    std::lock_guard<std::mutex> lock(g.mutex());
    const bool dbl = p.dtype() == DType::Float64;
    WordStream ws(g, (dbl ? 2 : 1) * t.numel());
    dispatch_dtype(t.dtype(), [&]<typename T>() {
      dispatch_dtype(p.dtype(), [&]<typename P>() {
        if constexpr (std::is_same_v<P, double>) {
          rng::for_each_ordered2<T, P>(t, p, [&](T& x, const P& pv) {
            x = convert<T>(int64_t(unit_double(ws.next64()) < pv ? 1 : 0));
          });
        } else if constexpr (std::is_same_v<P, float> || is_half_like_v<P>) {
          rng::for_each_ordered2<T, P>(t, p, [&](T& x, const P& pv) {
            x = convert<T>(int64_t(unit_float(ws.next32()) < float(pv) ? 1 : 0));
          });
        }
      });
    });
  }
  t.bump_version();
}

}  // namespace tb
