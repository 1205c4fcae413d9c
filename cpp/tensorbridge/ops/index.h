// Indexing operations: advanced indexing (the engine behind t[...] and t[...] = v), index_select,
// gather, scatter, masked_fill, nonzero, take. Checks and messages follow PyTorch.
#pragma once
#include <optional>
#include <string_view>
#include <vector>

#include "tensorbridge/tensor.h"

namespace tb {

// Advanced indexing: indices[k] indexes dim k of t (an undefined Tensor leaves the dim whole).
// Index tensors are int64/int32, or bool/uint8 masks covering mask.dim() dims from their position.
// Indexed dims are replaced by the broadcast index shape, in place when the indexed dims are
// adjacent, else in front (torch's rule).
Tensor index(const Tensor& t, const std::vector<Tensor>& indices);
// t[indices] = values (values broadcast to the indexing result; same dtype as t). Bumps t's version.
// With accumulate, t[indices] += values, repeated positions adding up (torch's index_put_).
void index_put_(const Tensor& t, const std::vector<Tensor>& indices, const Tensor& values,
                bool accumulate = false);
// Out of place: a copy of t with index_put_ applied.
Tensor index_put(const Tensor& t, const std::vector<Tensor>& indices, const Tensor& values,
                 bool accumulate = false);

Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& t, int64_t dim, const Tensor& index);
// In place: t[..., index[i], ...] = src[i] along dim.
void scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
void scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value);
// Out of place: a copy of t with scatter_ applied.
Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value);
// In place: t[..., index[i], ...] += src[i] along dim (repeated indices add up); and out of place.
void scatter_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
// Scatter with a reduction (Note [scatter reductions] in index.cpp): torch's scatter(reduce='add' |
// 'multiply'), scatter_add and scatter_reduce. In place, in index order: t[.., index[i], ..] =
// reduce(t[.., index[i], ..], src[i]) along dim; include_self=false starts the indexed elements
// from the reduction's identity.
enum class ScatterReduce : uint8_t { Sum, Prod, Mean, Amax, Amin };
// legacy: scatter's names ('add', 'multiply'), else scatter_reduce's ('sum' ... 'amin');
// RuntimeError with torch's text for others.
ScatterReduce scatter_reduce_kind(std::string_view name, bool legacy);
void scatter_reduce_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src,
                     ScatterReduce reduce, bool include_self = true);
// scatter_(dim, index, src, reduce='add' | 'multiply') (torch's deprecated form; no derivative).
void scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src, ScatterReduce reduce);
// scatter_(dim, index, value, reduce=): every indexed element combined with the number.
void scatter_reduce_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value,
                     ScatterReduce reduce);
void masked_fill_(const Tensor& t, const Tensor& mask, const Scalar& value);
// Out of place: the result has the broadcast shape of t and mask.
Tensor masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value);
// The value as a 0-d tensor (torch's masked_fill.Tensor overload: the value is differentiable).
void masked_fill_(const Tensor& t, const Tensor& mask, const Tensor& value);
Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value);
// [count, ndim] int64 coordinates of the nonzero elements, row-major order.
Tensor nonzero(const Tensor& t);
// Elements of t (read as 1-D in row-major order) at the positions of index; result has index's shape.
Tensor take(const Tensor& t, const Tensor& index);

}  // namespace tb
