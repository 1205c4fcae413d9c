// Internal helpers shared by the sampler files: element order, word -> unit-interval conversion,
// and the multiply-add whose rounding depends on the CPU variant torch would run.
#pragma once
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>

#include "tensorbridge/backend/cpu/strided_loop.h"
#include "tensorbridge/convert.h"
#include "tensorbridge/random/generator.h"
#include "tensorbridge/tensor.h"

namespace tb::rng {

// Note [FMA contraction]
// torch's x86 AVX2/AVX-512 kernels are compiled by GCC with -mfma and -ffp-contract=fast, so every
// `a * b + c` in a sampler is one fused multiply-add; the DEFAULT build rounds the product first.
// Kernels take `bool kFma` and call mad<kFma>; `use_fma()` picks the variant torch would run.
template <bool kFma, typename T>
inline T mad(T a, T b, T c) {
  if constexpr (kFma) return std::fma(a, b, c);
  else {
    volatile T p = a * b;  // volatile: keep our own compiler from contracting
    return p + c;
  }
}
inline bool use_fma() { return capability() == Capability::Avx2; }

// Unit uniforms from raw words (torch: k / 2^digits with k the low `digits` bits).
inline float unit_float(uint32_t w) { return float(w & 0xFFFFFFu) * 0x1p-24f; }
inline double unit_double(uint64_t w) { return double(w & ((uint64_t(1) << 53) - 1)) * 0x1p-53; }

// Note [Element order]
// torch walks an output through TensorIterator, which orders dimensions by stride, so the k-th draw
// lands on the k-th element in memory order (for permuted/strided views). dim_order() returns the
// dims outermost-first following torch's reorder_dimensions (insertion sort over the operands'
// strides, output first, zero strides skipped, ties broken by size).
template <size_t K>
SmallVector<int64_t, 6> dim_order(const Shape& shape, const std::array<const Strides*, K>& strides) {
  const int64_t nd = int64_t(shape.size());
  SmallVector<int64_t, 6> perm(size_t(nd), 0);  // perm[0] = innermost
  for (int64_t i = 0; i < nd; ++i) perm[size_t(i)] = nd - 1 - i;
  auto should_swap = [&](int64_t d0, int64_t d1) -> int {
    for (size_t k = 0; k < K; ++k) {
      int64_t s0 = (*strides[k])[size_t(d0)], s1 = (*strides[k])[size_t(d1)];
      if (s0 == 0 || s1 == 0) continue;
      if (s0 < s1) return -1;
      if (s0 > s1) return 1;
    }
    return shape[size_t(d0)] > shape[size_t(d1)] ? 1 : 0;
  };
  for (int64_t i = 1; i < nd; ++i) {
    int64_t d1 = i;
    for (int64_t d0 = i - 1; d0 >= 0; --d0) {
      int c = should_swap(perm[size_t(d0)], perm[size_t(d1)]);
      if (c > 0) {
        std::swap(perm[size_t(d0)], perm[size_t(d1)]);
        d1 = d0;
      } else if (c < 0) {
        break;
      }
    }
  }
  std::reverse(perm.begin(), perm.end());
  return perm;
}

// Calls f(T& element) for every element of t in torch's serial-kernel order.
template <typename T, typename F>
void for_each_ordered(const Tensor& t, F&& f) {
  T* base = t.data<T>();
  if (t.is_contiguous()) {
    const int64_t n = t.numel();
    for (int64_t i = 0; i < n; ++i) f(base[i]);
    return;
  }
  auto perm = dim_order<1>(t.shape(), {&t.strides()});
  Shape sh;
  Strides st;
  for (int64_t d : perm) {
    sh.push_back(t.shape()[size_t(d)]);
    st.push_back(t.strides()[size_t(d)]);
  }
  cpu::strided_loop<1>(sh, {&st}, [&](const std::array<int64_t, 1>& off, int64_t n,
                                      const std::array<int64_t, 1>& inner) {
    T* p = base + off[0];
    for (int64_t j = 0; j < n; ++j) f(p[j * inner[0]]);
  });
}

// Calls f(T& out_element, const P& in_element) over out and `in` (already expanded to out's shape)
// in torch's order for an output + one input.
template <typename T, typename P, typename F>
void for_each_ordered2(const Tensor& out, const Tensor& in, F&& f) {
  T* ob = out.data<T>();
  const P* ib = in.data<P>();
  auto perm = dim_order<2>(out.shape(), {&out.strides(), &in.strides()});
  Shape sh;
  Strides so, si;
  for (int64_t d : perm) {
    sh.push_back(out.shape()[size_t(d)]);
    so.push_back(out.strides()[size_t(d)]);
    si.push_back(in.strides()[size_t(d)]);
  }
  cpu::strided_loop<2>(sh, {&so, &si}, [&](const std::array<int64_t, 2>& off, int64_t n,
                                           const std::array<int64_t, 2>& inner) {
    for (int64_t j = 0; j < n; ++j) f(ob[off[0] + j * inner[0]], ib[off[1] + j * inner[1]]);
  });
}

// Draws exactly `total` words from the generator, in bulk chunks (never more than asked for,
// so the generator state afterwards is as if drawn one at a time).
class WordStream {
 public:
  WordStream(Generator& g, int64_t total) : g_(g), remaining_(total) {}
  uint32_t next32() {
    if (pos_ == len_) refill();
    return buf_[pos_++];
  }
  uint64_t next64() {
    uint64_t hi = next32();
    return (hi << 32) | next32();
  }

 private:
  void refill() {
    len_ = int(remaining_ < kChunk ? remaining_ : kChunk);
    TB_INTERNAL_ASSERT(len_ > 0, "WordStream over-drawn");
    g_.engine().fill(buf_, size_t(len_));
    remaining_ -= len_;
    pos_ = 0;
  }
  static constexpr int64_t kChunk = 2048;
  Generator& g_;
  int64_t remaining_;
  int pos_ = 0, len_ = 0;
  uint32_t buf_[kChunk];
};

// torch's double Box–Muller sampler (used by every scalar normal path): one value per call,
// caching the second of each pair in the generator. Caller holds the generator lock.
template <bool kFma>
inline double normal_double(Generator& g, double mean, double std) {
  auto& cache = g.next_double_normal();
  if (cache) {
    double v = *cache;
    cache.reset();
    return mad<kFma>(v, std, mean);
  }
  const double u1 = unit_double(g.random64());
  const double u2 = unit_double(g.random64());
  const double r = std::sqrt(-2.0 * std::log1p(-u2));
  const double theta = 2.0 * M_PI * u1;
  cache = r * std::sin(theta);
  return mad<kFma>(r * std::cos(theta), std, mean);
}

// Common prologue of in-place samplers: writable check, CPU only.
inline void check_inplace(const Tensor& t, const char* op) {
  t.check_writable(op);
  t.check_no_internal_overlap();
  check_device_available(t.device());
  if (!t.device().is_cpu()) throw RuntimeError(std::string(op) + ": only CPU tensors are supported");
}

// A complex tensor viewed as its real parts (torch samples view_as_real for complex dtypes);
// other tensors unchanged.
inline Tensor real_view(const Tensor& t) {
  if (!is_complex(t.dtype())) return t;
  Shape sh = t.shape();
  Strides st;
  for (int64_t s : t.strides()) st.push_back(2 * s);
  sh.push_back(2);
  st.push_back(1);
  return Tensor(t.storage(), 2 * t.offset(), sh, st, to_real(t.dtype()), t.version_counter());
}

}  // namespace tb::rng
