// Normal samples: normal_, randn, torch.normal overloads, log_normal_ (spec rng.md §4).
#include <cmath>
#include <sstream>
#include <thread>
#include <vector>

#include "tensorbridge/error.h"
#include "tensorbridge/random/kernel_util.h"
#include "tensorbridge/random/normal_kernels.h"
#include "tensorbridge/random/sampling.h"

namespace tb {

using rng::mad;

namespace {

std::string fmt_double(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

// torch's scalar normal_fill_16 for float/double (DEFAULT build, and float64 everywhere):
// libm functions of type T, theta computed in double then rounded to T. The final `* std + mean`
// is one FMA in torch 2.13 on every x86 variant, DEFAULT included (measured; the spec expected
// two roundings there), so it does not depend on kFma.
template <bool kFma, typename T>
void transform16_scalar(T* d, T mean, T std) {
  for (int j = 0; j < 8; ++j) {
    const T u1 = T(1) - d[j];
    const T u2 = d[j + 8];
    const T radius = std::sqrt(T(-2) * std::log(u1));
    const T theta = T(2.0 * M_PI * double(u2));
    d[j] = mad<true>(T(radius * std::cos(theta)), std, mean);
    d[j + 8] = mad<true>(T(radius * std::sin(theta)), std, mean);
  }
}

// Blocks of 16 are independent: large fills are split over two threads (bit-identical result).
template <typename F>
void for_blocks(int64_t nblocks, F&& f) {
  constexpr int64_t kParallelMin = 1 << 14;  // blocks; below this a thread costs more than it saves
  const unsigned hw = std::thread::hardware_concurrency();
  if (nblocks < kParallelMin || hw < 2) {
    f(int64_t(0), nblocks);
    return;
  }
  const int64_t nt = std::min<int64_t>(hw, 4);
  std::vector<std::thread> th;
  const int64_t per = (nblocks + nt - 1) / nt;
  for (int64_t k = 1; k < nt; ++k) {
    int64_t b0 = k * per, b1 = std::min(nblocks, b0 + per);
    if (b0 < b1) th.emplace_back([&f, b0, b1] { f(b0, b1); });
  }
  f(int64_t(0), std::min(nblocks, per));
  for (auto& t : th) t.join();
}

void fill_unit_float(Generator& g, float* d, int64_t n) {
  rng::WordStream ws(g, n);
  for (int64_t i = 0; i < n; ++i) d[i] = rng::unit_float(ws.next32());
}

// Vectorised float32 fill on contiguous d[0..n), n >= 16 (§4.3/§4.4).
template <bool kFma>
void normal_fill_float(float* d, int64_t n, float mean, float std, Generator& g, bool avx2) {
  fill_unit_float(g, d, n);
  auto blocks = [&](float* p, int64_t nb) {
    if (avx2) rng::normal_blocks_avx2(p, nb, mean, std);
    else
      for (int64_t b = 0; b < nb; ++b) transform16_scalar<kFma, float>(p + 16 * b, mean, std);
  };
  for_blocks(n / 16, [&](int64_t b0, int64_t b1) { blocks(d + 16 * b0, b1 - b0); });
  if (n % 16 != 0) {
    float* tail = d + n - 16;
    fill_unit_float(g, tail, 16);
    blocks(tail, 1);
  }
}

template <bool kFma>
void normal_fill_double(double* d, int64_t n, double mean, double std, Generator& g) {
  auto fill = [&](double* p, int64_t m) {
    rng::WordStream ws(g, 2 * m);
    for (int64_t i = 0; i < m; ++i) p[i] = rng::unit_double(ws.next64());
  };
  fill(d, n);
  for_blocks(n / 16, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) transform16_scalar<kFma, double>(d + 16 * b, mean, std);
  });
  if (n % 16 != 0) {
    fill(d + n - 16, 16);
    transform16_scalar<kFma, double>(d + n - 16, mean, std);
  }
}

// Half/BFloat16, n >= 16 contiguous (torch 2.13): the float fill on 16·ceil(n/16) values, cast;
// full blocks go to their place, the last block to the last 16 outputs.
template <bool kFma, typename T>
void normal_fill_reduced(T* out, int64_t n, float mean, float std, Generator& g, bool avx2) {
  const int64_t m = (n + 15) / 16 * 16;
  std::vector<float> buf(static_cast<size_t>(m));
  normal_fill_float<kFma>(buf.data(), m, mean, std, g, avx2);
  const int64_t full = n / 16 * 16;
  for (int64_t i = 0; i < full; ++i) out[i] = T(buf[size_t(i)]);
  if (full != n)
    for (int64_t i = 0; i < 16; ++i) out[n - 16 + i] = T(buf[size_t(m - 16 + i)]);
}

template <bool kFma>
void normal_kernel(const Tensor& t, double mean, double std, Generator& g) {
  const int64_t n = t.numel();
  const bool vec = n >= 16 && t.is_contiguous();
  const bool avx2 = rng::capability() == rng::Capability::Avx2;
  dispatch_dtype(t.dtype(), [&]<typename T>() {
    if constexpr (std::is_floating_point_v<T> || is_half_like_v<T>) {
      if (!vec) {
        rng::for_each_ordered<T>(t, [&](T& x) { x = convert<T>(rng::normal_double<kFma>(g, mean, std)); });
      } else if constexpr (std::is_same_v<T, double>) {
        normal_fill_double<kFma>(t.data<double>(), n, mean, std, g);
      } else if constexpr (std::is_same_v<T, float>) {
        normal_fill_float<kFma>(t.data<float>(), n, float(mean), float(std), g, avx2);
      } else {
        normal_fill_reduced<kFma, T>(t.data<T>(), n, float(mean), float(std), g, avx2);
      }
    }
  });
}


void check_std(double std) {
  if (!(std >= 0.0)) throw RuntimeError("normal expects std >= 0.0, but found std " + fmt_double(std));
}

}  // namespace

void normal_(const Tensor& t0, double mean, double std, Generator* gp) {
  rng::check_inplace(t0, "normal_");
  check_std(std);
  if (!is_floating_point(t0.dtype()) && !is_complex(t0.dtype()))
    throw NotImplementedError("\"normal_kernel_cpu\" not implemented for '" +
                              std::string(dtype_legacy_name(t0.dtype())) + "'");
  Tensor t = t0;
  if (is_complex(t0.dtype())) {
    t = rng::real_view(t0);
    std = std / std::sqrt(2.0);
  }
  if (t.numel() == 0) return;
  Generator& g = resolve_generator(gp);
  {
    std::lock_guard<std::mutex> lock(g.mutex());
    if (rng::use_fma()) normal_kernel<true>(t, mean, std, g);
    else normal_kernel<false>(t, mean, std, g);
  }
  t0.bump_version();
}

void log_normal_(const Tensor& t, double mean, double std, Generator* gp) {
  rng::check_inplace(t, "log_normal_");
  if (!(std > 0.0)) throw RuntimeError("log_normal_ expects std > 0.0, but found std=" + fmt_double(std));
  if (!is_floating_point(t.dtype()))
    throw RuntimeError("LogNormal distribution is a continuous probability distribution. dtype must be a "
                       "floating point but you specified " + std::string(dtype_legacy_name(t.dtype())));
  if (t.numel() == 0) return;
  Generator& g = resolve_generator(gp);
  {
    std::lock_guard<std::mutex> lock(g.mutex());
    const bool f = rng::use_fma();
    dispatch_dtype(t.dtype(), [&]<typename T>() {
      if constexpr (std::is_floating_point_v<T> || is_half_like_v<T>) {
        rng::for_each_ordered<T>(t, [&](T& x) {
          double v = f ? rng::normal_double<true>(g, mean, std) : rng::normal_double<false>(g, mean, std);
          x = convert<T>(std::exp(v));
        });
      }
    });
  }
  t.bump_version();
}

}  // namespace tb
