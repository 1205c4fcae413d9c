// Fast path of copy_ for transposing layouts (x.t().contiguous(), x.permute(...).contiguous()):
// a cache-blocked, multithreaded copy of [B,] R x C planes whose source is column-major.
#pragma once
#include "tensorbridge/tensor.h"

namespace tb::cpu {

// Copies src into dst when both have the same dtype and shape, dst is contiguous and src's
// layout (after merging dims) is a batch of transposed matrices; returns false otherwise (the
// caller then does the general strided copy). Does not bump versions or check anything else.
bool try_transpose_copy(const Tensor& dst, const Tensor& src);

}  // namespace tb::cpu
