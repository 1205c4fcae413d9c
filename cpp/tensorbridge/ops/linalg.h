// Matrix products with torch's semantics: matmul (every rank combination, broadcast batch dims),
// mm, bmm, mv, dot, outer; and the nuclear norm. Floating/complex products and singular values go
// through the BLAS/LAPACK seam (backend/cpu/blas.h); 16-bit floats are computed in float32;
// integers use a plain loop with wrap-around arithmetic.
#pragma once
#include <optional>

#include "tensorbridge/tensor.h"

namespace tb {

Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor mv(const Tensor& a, const Tensor& v);
Tensor dot(const Tensor& a, const Tensor& b);
// Promotes the dtypes (torch.outer = a[:, None] * b[None, :]).
Tensor outer(const Tensor& a, const Tensor& b);

// Nuclear norm (sum of singular values, LAPACK's gesdd) of the matrices spanned by the two dims
// (all dims when nullopt): torch.norm(p='nuc') / matrix_norm(ord='nuc'), with torch's checks.
// Float32/64 and complex inputs; the result is real; keepdim keeps both dims with size 1.
Tensor nuclear_norm(const Tensor& x, const std::optional<DimVector>& dims = std::nullopt, bool keepdim = false,
                    std::optional<DType> dtype = std::nullopt);

}  // namespace tb
