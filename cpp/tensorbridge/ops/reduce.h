// Reductions with PyTorch's semantics: dim (None, int or several), keepdim, dtype=, torch's result
// dtypes (integer sum/prod -> int64, all/any -> bool or uint8 for uint8) and error texts.
#pragma once
#include <optional>
#include <utility>

#include "tensorbridge/tensor.h"

namespace tb {

// nullopt: every dim. An empty list also means every dim (torch's sum(dim=())).
using OptDims = std::optional<DimVector>;

Tensor sum(const Tensor& x, const OptDims& dims = std::nullopt, bool keepdim = false,
           std::optional<DType> dtype = std::nullopt);
Tensor mean(const Tensor& x, const OptDims& dims = std::nullopt, bool keepdim = false,
            std::optional<DType> dtype = std::nullopt);
Tensor prod(const Tensor& x, const OptDims& dims = std::nullopt, bool keepdim = false,
            std::optional<DType> dtype = std::nullopt);
Tensor amax(const Tensor& x, const OptDims& dims = std::nullopt, bool keepdim = false);
Tensor amin(const Tensor& x, const OptDims& dims = std::nullopt, bool keepdim = false);
Tensor all(const Tensor& x, const OptDims& dims = std::nullopt, bool keepdim = false);
Tensor any(const Tensor& x, const OptDims& dims = std::nullopt, bool keepdim = false);
// max()/min() of every element (RuntimeError on an empty tensor, as torch).
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
// (values, indices) along dim.
std::pair<Tensor, Tensor> max_dim(const Tensor& x, int64_t dim, bool keepdim = false);
std::pair<Tensor, Tensor> min_dim(const Tensor& x, int64_t dim, bool keepdim = false);
// dim nullopt: index into the flattened tensor.
Tensor argmax(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
// Divides the sum of squared deviations by max(0, N - correction).
Tensor var(const Tensor& x, const OptDims& dims = std::nullopt, double correction = 1, bool keepdim = false);
Tensor std(const Tensor& x, const OptDims& dims = std::nullopt, double correction = 1, bool keepdim = false);
// Vector p-norm (p may be +-inf or 0).
Tensor norm(const Tensor& x, double p = 2, const OptDims& dims = std::nullopt, bool keepdim = false,
            std::optional<DType> dtype = std::nullopt);
Tensor logsumexp(const Tensor& x, const DimVector& dims, bool keepdim = false);
Tensor softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype = std::nullopt);
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype = std::nullopt);
Tensor cumsum(const Tensor& x, int64_t dim, std::optional<DType> dtype = std::nullopt);
Tensor cumprod(const Tensor& x, int64_t dim, std::optional<DType> dtype = std::nullopt);

}  // namespace tb
