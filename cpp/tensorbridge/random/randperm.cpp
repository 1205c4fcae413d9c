// randperm (both of torch's size regimes, spec rng.md §5) and multinomial (§6).
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "tensorbridge/error.h"
#include "tensorbridge/random/kernel_util.h"
#include "tensorbridge/random/sampling.h"

namespace tb {

namespace {

// torch switches algorithms at UINT32_MAX / 20 (integer division).
constexpr int64_t kRandpermLargeN = int64_t(0xFFFFFFFFu / 20u);

template <typename T>
void randperm_kernel(T* d, int64_t s, int64_t n, Generator& g) {
  if (n < kRandpermLargeN) {
    for (int64_t i = 0; i < n; ++i) d[i * s] = convert<T>(i);
    if (n < 2) return;
    // Swap i with i + (random() % (n - i)); words drawn in chunks so targets can be prefetched.
    constexpr int64_t kChunk = 4096, kAhead = 16;
    std::vector<uint32_t> w(static_cast<size_t>(kChunk));
    std::vector<int64_t> z(static_cast<size_t>(kChunk));
    for (int64_t i0 = 0; i0 < n - 1; i0 += kChunk) {
      const int64_t m = std::min(kChunk, n - 1 - i0);
      g.engine().fill(w.data(), size_t(m));
      for (int64_t k = 0; k < m; ++k) z[size_t(k)] = i0 + k + int64_t(w[size_t(k)] % uint32_t(n - i0 - k));  // n < 2^32 here
      for (int64_t k = 0; k < m; ++k) {
        if (k + kAhead < m) __builtin_prefetch(&d[z[size_t(k + kAhead)] * s], 1);
        const int64_t i = i0 + k, j = z[size_t(k)];
        std::swap(d[i * s], d[j * s]);
      }
    }
    return;
  }
  // Large n: "inside-out" Fisher–Yates with random64().
  for (int64_t i = 0; i < n; ++i) {
    const int64_t z = int64_t(g.random64() % uint64_t(i + 1));
    d[i * s] = d[z * s];
    d[z * s] = convert<T>(i);
  }
}

const char* c_int_name(DType dt) {
  switch (dt) {
    case DType::UInt8: return "uint8_t";
    case DType::Int8: return "int8_t";
    case DType::Int16: return "int16_t";
    case DType::Int32: return "int32_t";
    case DType::UInt16: return "uint16_t";
    case DType::UInt32: return "uint32_t";
    default: return "int64_t";
  }
}

void check_randperm(int64_t n, DType dt) {
  if (n < 0) throw RuntimeError("Trying to create tensor with negative dimension " + std::to_string(n) + ": [" +
                                std::to_string(n) + "]");
  if (is_complex(dt)) throw NotImplementedError("\"randperm\" not implemented for '" +
                                                std::string(dtype_legacy_name(dt)) + "'");
  if (n == 0) return;
  const int64_t top = n - 1;
  if (is_floating_point(dt)) {
    int digits = dt == DType::Float16 ? 11 : dt == DType::BFloat16 ? 8 : dt == DType::Float32 ? 24 : 53;
    if (n > (int64_t(1) << digits) + 1)
      throw RuntimeError("n cannot be greater than 2^" + std::to_string(digits) + "+1 for " +
                         std::string(dtype_legacy_name(dt)) + " type.");
    return;
  }
  if (dt == DType::Bool) {
    if (top > 1) throw RuntimeError("value cannot be converted to type bool without overflow");
    return;
  }
  bool overflow = false;
  dispatch_dtype(dt, [&]<typename T>() {
    if constexpr (std::is_integral_v<T>) overflow = uint64_t(top) > uint64_t(std::numeric_limits<T>::max());
  });
  if (overflow)
    throw RuntimeError(std::string("value cannot be converted to type ") + c_int_name(dt) + " without overflow");
}

}  // namespace

void randperm_out(const Tensor& out, int64_t n, Generator* gp) {
  check_randperm(n, out.dtype());
  if (out.dim() != 1 || out.size(0) != n)
    throw RuntimeError("randperm: out must be a 1-D tensor of " + std::to_string(n) + " elements");
  out.check_writable("randperm");
  Generator& g = resolve_generator(gp);
  {
    std::lock_guard<std::mutex> lock(g.mutex());
    dispatch_dtype(out.dtype(), [&]<typename T>() {
      if constexpr (!is_complex_v<T>) randperm_kernel<T>(out.data<T>(), out.stride(0), n, g);
    });
  }
  out.bump_version();
}

Tensor randperm(int64_t n, DType dtype, Generator* g) {
  check_randperm(n, dtype);
  Tensor t = empty(Shape{n}, dtype);
  randperm_out(t, n, g);
  return t;
}

// ---- multinomial -------------------------------------------------------------------------------

Tensor multinomial(const Tensor& probs, int64_t n_sample, bool replacement, Generator* gp) {
  if (probs.dim() != 1 && probs.dim() != 2) throw RuntimeError("prob_dist must be 1 or 2 dim");
  if (!is_floating_point(probs.dtype()))
    throw RuntimeError("multinomial only supports floating-point dtypes for input, got: " +
                       std::string(dtype_legacy_name(probs.dtype())));
  if (n_sample <= 0) throw RuntimeError("cannot sample n_sample <= 0 samples");
  const int64_t n_cat = probs.size(-1);
  if (!replacement && n_sample > n_cat)
    throw RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  if (n_cat > (int64_t(1) << 24)) throw RuntimeError("number of categories cannot exceed 2^24");
  const int64_t n_dist = probs.dim() == 2 ? probs.size(0) : 1;
  Shape rs = probs.dim() == 2 ? Shape{n_dist, n_sample} : Shape{n_sample};
  Tensor result = empty(rs, DType::Int64);
  int64_t* r = result.data<int64_t>();
  if (probs.numel() == 0) return result;
  Tensor p2 = contiguous(probs);  // rows of n_cat
  Generator& g = resolve_generator(gp);

  if (!replacement || n_sample == 1) {
    // torch: argmax/top-k of p / q with q ~ Exp(1) (one exponential per probability entry).
    bool valid = true, zero_row = false;
    dispatch_dtype(p2.dtype(), [&]<typename T>() {
      if constexpr (std::is_floating_point_v<T> || is_half_like_v<T>) {
        const T* p = p2.data<T>();
        for (int64_t i = 0; i < n_dist; ++i) {
          double s = 0;
          for (int64_t j = 0; j < n_cat; ++j) {
            double v = double(p[i * n_cat + j]);
            if (!(v >= 0.0) || !(v < INFINITY)) valid = false;
            s += v;
          }
          if (s == 0) zero_row = true;
        }
      }
    });
    if (!valid) throw RuntimeError("probability tensor contains either `inf`, `nan` or element < 0");
    if (zero_row) throw RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)");
    // q = empty_like(probs) (torch keeps probs' strides, so draws follow its memory order).
    Tensor q = empty_like_preserve(probs, probs.dtype());
    exponential_(q, 1.0, &g);
    q = contiguous(q);
    dispatch_dtype(p2.dtype(), [&]<typename T>() {
      if constexpr (std::is_floating_point_v<T> || is_half_like_v<T>) {
        using C = compute_t<T>;
        const T* p = p2.data<T>();
        const T* qd = q.data<T>();
        std::vector<std::pair<C, int64_t>> row(static_cast<size_t>(n_cat));
        for (int64_t i = 0; i < n_dist; ++i) {
          for (int64_t j = 0; j < n_cat; ++j)
            row[size_t(j)] = {C(T(C(p[i * n_cat + j]) / C(qd[i * n_cat + j]))), j};
          auto comp = [](const std::pair<C, int64_t>& a, const std::pair<C, int64_t>& b) {
            return (std::isnan(a.first) && !std::isnan(b.first)) || a.first > b.first;
          };
          if (n_sample == 1) {  // argmax: first maximum (NaN counts as maximal)
            int64_t best = 0;
            for (int64_t j = 1; j < n_cat; ++j) {
              C v = row[size_t(j)].first, b = row[size_t(best)].first;
              if (std::isnan(b)) break;
              if (std::isnan(v) || v > b) best = j;
            }
            r[i] = best;
            continue;
          }
          // torch's topk: partial_sort when k*64 <= n, else nth_element + sort of the first k-1.
          const int64_t k = n_sample;
          if (k * 64 <= n_cat) {
            std::partial_sort(row.begin(), row.begin() + k, row.end(), comp);
          } else {
            std::nth_element(row.begin(), row.begin() + (k - 1), row.end(), comp);
            std::sort(row.begin(), row.begin() + (k - 1), comp);
          }
          for (int64_t j = 0; j < k; ++j) r[i * n_sample + j] = row[size_t(j)].second;
        }
      }
    });
    return result;
  }

  // With replacement: normalised cumulative sums, one double uniform and a binary search per sample.
  std::lock_guard<std::mutex> lock(g.mutex());
  dispatch_dtype(p2.dtype(), [&]<typename T>() {
    if constexpr (std::is_floating_point_v<T> || is_half_like_v<T>) {
      using C = compute_t<T>;
      const T* p = p2.data<T>();
      std::vector<C> cum(static_cast<size_t>(n_cat));
      for (int64_t i = 0; i < n_dist; ++i) {
        C sum = 0;
        for (int64_t j = 0; j < n_cat; ++j) {
          C v = C(p[i * n_cat + j]);
          if (!(v >= 0))
            throw RuntimeError("invalid multinomial distribution (encountering probability entry < 0)");
          if (!std::isfinite(v))
            throw RuntimeError("invalid multinomial distribution (encountering probability entry = infinity or NaN)");
          sum += v;
          cum[size_t(j)] = sum;
        }
        if (!(sum > 0)) throw RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)");
        for (auto& c : cum) c /= sum;
        cum[size_t(n_cat - 1)] = 1;
        for (int64_t j = 0; j < n_sample; ++j) {
          const double u = rng::unit_double(g.random64());
          int64_t lo = 0, hi = n_cat;
          while (hi - lo > 0) {
            int64_t mid = lo + (hi - lo) / 2;
            if (double(cum[size_t(mid)]) < u) lo = mid + 1;
            else hi = mid;
          }
          r[i * n_sample + j] = lo;
        }
      }
    }
  });
  return result;
}

}  // namespace tb
