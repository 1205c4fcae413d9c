// The iteration helper of the element-wise and reduction kernels (a small TensorIterator):
// K operands share one shape, each with its own signed element strides (0 where broadcast).
// Dimensions are collapsed once (size-1 dims dropped, mergeable neighbours merged), then the flat
// index range is walked row by row, split among threads when it is large.
#pragma once
#include <array>
#include <cstdint>

#include "tensorbridge/backend/cpu/parallel.h"
#include "tensorbridge/shape.h"

namespace tb::cpu {

template <size_t K>
struct LoopGeometry {
  DimVector sizes;                     // outer .. inner, all > 1 (empty: a single element)
  std::array<DimVector, K> strides;    // per operand, aligned with sizes
  int64_t numel = 1;                   // 0 when the shape has a zero-size dim
};

template <size_t K>
LoopGeometry<K> collapse(const Shape& shape, const std::array<const Strides*, K>& strides) {
  LoopGeometry<K> g;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) {
      g.numel = 0;
      return g;
    }
    if (shape[d] == 1) continue;
    bool merge = !g.sizes.empty();
    for (size_t k = 0; k < K && merge; ++k) merge = g.strides[k].back() == (*strides[k])[d] * shape[d];
    if (merge) {
      g.sizes.back() *= shape[d];
      for (size_t k = 0; k < K; ++k) g.strides[k].back() = (*strides[k])[d];
    } else {
      g.sizes.push_back(shape[d]);
      for (size_t k = 0; k < K; ++k) g.strides[k].push_back((*strides[k])[d]);
    }
    g.numel *= shape[d];
  }
  return g;
}

// Calls f(offsets, n, inner_strides) for consecutive row pieces covering flat positions
// [begin, end) of g: elements offsets[k] + j * inner_strides[k], j in [0, n).
template <size_t K, typename F>
void walk_range(const LoopGeometry<K>& g, int64_t begin, int64_t end, F& f) {
  std::array<int64_t, K> off{}, inner{};
  const size_t nd = g.sizes.size();
  if (nd == 0) {
    if (begin < end) f(off, int64_t(1), inner);
    return;
  }
  const int64_t n = g.sizes[nd - 1];
  for (size_t k = 0; k < K; ++k) inner[k] = g.strides[k][nd - 1];
  if (nd == 1) {
    for (size_t k = 0; k < K; ++k) off[k] = begin * inner[k];
    f(off, end - begin, inner);
    return;
  }
  DimVector idx(nd, 0);
  int64_t rest = begin;
  for (size_t d = nd; d-- > 0;) {
    idx[d] = rest % g.sizes[d];
    rest /= g.sizes[d];
    for (size_t k = 0; k < K; ++k) off[k] += idx[d] * g.strides[k][d];
  }
  int64_t remaining = end - begin;
  while (remaining > 0) {
    const int64_t cnt = std::min(n - idx[nd - 1], remaining);
    f(off, cnt, inner);
    remaining -= cnt;
    if (remaining == 0) break;
    // move to the start of the next row
    for (size_t k = 0; k < K; ++k) off[k] -= idx[nd - 1] * inner[k];
    idx[nd - 1] = 0;
    for (size_t d = nd - 1; d-- > 0;) {
      if (++idx[d] < g.sizes[d]) {
        for (size_t k = 0; k < K; ++k) off[k] += g.strides[k][d];
        break;
      }
      for (size_t k = 0; k < K; ++k) off[k] -= g.strides[k][d] * (g.sizes[d] - 1);
      idx[d] = 0;
    }
  }
}

// Visits every position of `shape`; large iterations are split among threads (f must then be
// safe to call concurrently on disjoint ranges and must not throw).
template <size_t K, typename F>
void parallel_loop(const Shape& shape, const std::array<const Strides*, K>& strides, F&& f,
                   int64_t grain = kParallelGrain) {
  const LoopGeometry<K> g = collapse<K>(shape, strides);
  if (g.numel == 0) return;
  if (g.numel <= grain) {
    walk_range(g, 0, g.numel, f);
    return;
  }
  parallel_for(g.numel, grain, [&](int64_t b, int64_t e) { walk_range(g, b, e, f); });
}

// Strides of t broadcast to `shape` (0 where t has size 1 or lacks the dim).
inline Strides broadcast_strides_to(const Shape& t_shape, const Strides& t_strides, const Shape& shape) {
  Strides out(shape.size(), 0);
  const size_t lead = shape.size() - t_shape.size();
  for (size_t i = 0; i < t_shape.size(); ++i) out[lead + i] = t_shape[i] == 1 ? 0 : t_strides[i];
  return out;
}

}  // namespace tb::cpu
