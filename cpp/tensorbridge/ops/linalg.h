// Matrix products with torch's semantics: matmul (every rank combination, broadcast batch dims),
// mm, bmm, mv, dot, outer. Floating/complex products go through the BLAS seam (backend/cpu/blas.h);
// 16-bit floats are computed in float32; integers use a plain loop with wrap-around arithmetic.
#pragma once
#include "tensorbridge/tensor.h"

namespace tb {

Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor mv(const Tensor& a, const Tensor& v);
Tensor dot(const Tensor& a, const Tensor& b);
// Promotes the dtypes (torch.outer = a[:, None] * b[None, :]).
Tensor outer(const Tensor& a, const Tensor& b);

}  // namespace tb
