// Indexing kernels: dtype-agnostic element moves driven by precomputed element offsets.
// They assume valid inputs (the ops in ops/index.cpp check bounds and shapes first).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tensorbridge/dtype.h"
#include "tensorbridge/shape.h"

namespace tb::cpu {

// Element offsets (relative to element 0) of every position of (shape, strides), row-major order.
std::vector<int64_t> element_offsets(const Shape& shape, const Strides& strides);

// Note [three-level gather]: the result of advanced indexing is laid out as [outer][mid][inner]:
// mid runs over the broadcast index positions, outer/inner over the un-indexed dims before/after.
// Element (o, m, i) of the contiguous `packed` buffer lives at strided[outer[o] + mid[m] + inner[i]].
// gather: packed <- strided;  scatter: strided <- packed.
struct ThreeLevel {
  const int64_t* outer;
  int64_t n_outer;
  const int64_t* mid;
  int64_t n_mid;
  const int64_t* inner;
  int64_t n_inner;
  bool inner_unit;  // inner[i] == i (a contiguous run: copy with memcpy)
};
void gather3(void* packed, const void* strided, size_t itemsize, const ThreeLevel& g);
void scatter3(void* strided, const void* packed, size_t itemsize, const ThreeLevel& g);
// scatter with accumulation: strided += packed, in order, so that repeated positions (the same
// mid offset more than once) add up (index_put_(accumulate=True); bool: logical or).
void scatter3_add(void* strided, const void* packed, DType dtype, const ThreeLevel& g);

// Number of true bytes of a contiguous bool array.
int64_t count_true(const bool* mask, int64_t n);
// out <- the `block`-element blocks of contiguous src whose mask entry is true (mask has n entries).
void masked_select_blocks(void* out, const void* src, const bool* mask, int64_t n, int64_t block,
                          size_t itemsize);
// Row-major coordinates of the true entries of a contiguous bool array of `shape`, written as
// [count, ndim] int64 (count = count_true(mask)).
void nonzero_coords(int64_t* out, const bool* is_nz, const Shape& shape);

}  // namespace tb::cpu
