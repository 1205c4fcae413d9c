// The general strided walk shared by CPU kernels: visits every element position of `shape` for K
// operands with their own (signed, element) strides. Dimensions that can be merged are merged first
// so that contiguous and broadcast layouts run as one long inner loop.
#pragma once
#include <array>
#include <cstdint>

#include "tensorbridge/shape.h"

namespace tb::cpu {

// f(const std::array<int64_t,K>& base_offsets, int64_t n, const std::array<int64_t,K>& inner_strides)
// is called once per inner row: elements base + j*inner_stride for j in [0, n).
template <size_t K, typename F>
void strided_loop(const Shape& shape, const std::array<const Strides*, K>& strides, F&& f) {
  // Collapse: drop size-1 dims, merge dim i into i+1 when stride[i] == stride[i+1]*size[i+1].
  SmallVector<int64_t, 6> sz;
  std::array<SmallVector<int64_t, 6>, K> st;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) return;
    if (shape[d] == 1) continue;
    bool merge = !sz.empty();
    for (size_t k = 0; k < K && merge; ++k)
      merge = st[k].back() == (*strides[k])[d] * shape[d];
    if (merge) {
      sz.back() *= shape[d];
      for (size_t k = 0; k < K; ++k) st[k].back() = (*strides[k])[d];
    } else {
      sz.push_back(shape[d]);
      for (size_t k = 0; k < K; ++k) st[k].push_back((*strides[k])[d]);
    }
  }
  std::array<int64_t, K> base{};
  std::array<int64_t, K> inner{};
  if (sz.empty()) {  // a single element
    f(base, int64_t(1), inner);
    return;
  }
  const size_t nd = sz.size();
  const int64_t n = sz[nd - 1];
  for (size_t k = 0; k < K; ++k) inner[k] = st[k][nd - 1];
  if (nd == 1) {
    f(base, n, inner);
    return;
  }
  SmallVector<int64_t, 6> idx(nd - 1, 0);
  while (true) {
    f(base, n, inner);
    // odometer increment over the outer nd-1 dims
    size_t d = nd - 1;
    while (d-- > 0) {
      if (++idx[d] < sz[d]) {
        for (size_t k = 0; k < K; ++k) base[k] += st[k][d];
        break;
      }
      for (size_t k = 0; k < K; ++k) base[k] -= st[k][d] * (sz[d] - 1);
      idx[d] = 0;
    }
    if (d == size_t(-1)) return;
  }
}

}  // namespace tb::cpu
