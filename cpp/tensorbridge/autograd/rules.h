// The recording versions of the differentiable ops: the table of backward rules, one file per op
// family (rules_elementwise.cpp, rules_reduce.cpp, rules_linalg.cpp, rules_shape.cpp,
// rules_index.cpp). Each computes the op with grad mode off and records one node named as torch
// names it. Op front ends call them when autograd::needs_grad(...) holds (see record.h).
#pragma once
#include <optional>
#include <utility>
#include <vector>

#include "tensorbridge/autograd/record.h"
#include "tensorbridge/ops/elementwise.h"
#include "tensorbridge/ops/index.h"
#include "tensorbridge/ops/reduce.h"

namespace tb::autograd {

inline bool needs_grad(const Operand& o) = delete;  // use needs_grad_op
template <typename... Ts>
bool needs_grad_op(const Ts&... os) {
  return GradMode::is_enabled() && ((!os.is_scalar && requires_grad(os.tensor)) || ...);
}

// ---- element-wise (rules_elementwise.cpp) ----
Tensor unary(UnaryOp op, const Tensor& x);
void unary_(UnaryOp op, const Tensor& x);
Tensor binary(BinaryOp op, const Operand& a, const Operand& b, const Scalar& alpha = Scalar(int64_t(1)));
void binary_(BinaryOp op, const Tensor& self, const Operand& b, const Scalar& alpha = Scalar(int64_t(1)));
Tensor round(const Tensor& x, int64_t decimals);
void round_(const Tensor& x, int64_t decimals);
Tensor clamp(const Tensor& x, const std::optional<Operand>& min, const std::optional<Operand>& max);
void clamp_(const Tensor& x, const std::optional<Operand>& min, const std::optional<Operand>& max);
Tensor where(const Tensor& cond, const Operand& a, const Operand& b);
// copy_ / fill_ (in place) and the conversions that copy (clone, to).
void copy_(const Tensor& dst, const Tensor& src);
void fill_(const Tensor& t, const Scalar& v);
void zero_(const Tensor& t);
Tensor clone(const Tensor& t);
Tensor to_dtype(const Tensor& t, DType dtype);

// ---- reductions (rules_reduce.cpp) ----
Tensor sum(const Tensor& x, const OptDims& dims, bool keepdim, std::optional<DType> dtype);
Tensor mean(const Tensor& x, const OptDims& dims, bool keepdim, std::optional<DType> dtype);
// Helpers for reduction rules: g with the reduced dims restored as size 1, and then expanded.
// Both keep g's history (double backward).
Tensor unsqueeze_reduced(const Tensor& g, const Shape& in_shape, const DimVector& dims, bool keepdim);
Tensor expand_reduced(const Tensor& g, const Shape& in_shape, const DimVector& dims, bool keepdim);

// ---- more reductions (rules_reduce.cpp): prod, extrema, var/std, norm, logsumexp, softmax,
// cumulative ops. all/any/argmax/argmin/nonzero are not differentiable (they record nothing).
Tensor prod(const Tensor& x, const OptDims& dims, bool keepdim, std::optional<DType> dtype);
Tensor amax(const Tensor& x, const OptDims& dims, bool keepdim);
Tensor amin(const Tensor& x, const OptDims& dims, bool keepdim);
Tensor max(const Tensor& x);  // max()/min() of every element
Tensor min(const Tensor& x);
std::pair<Tensor, Tensor> max_dim(const Tensor& x, int64_t dim, bool keepdim);
std::pair<Tensor, Tensor> min_dim(const Tensor& x, int64_t dim, bool keepdim);
Tensor var(const Tensor& x, const OptDims& dims, double correction, bool keepdim);
Tensor std(const Tensor& x, const OptDims& dims, double correction, bool keepdim);
// x already in the requested dtype (the front end casts first, as torch does).
Tensor norm(const Tensor& x, double p, const OptDims& dims, bool keepdim);
Tensor logsumexp(const Tensor& x, const DimVector& dims, bool keepdim);
// softmax (log: log_softmax) of x already in the requested dtype.
Tensor softmax(const Tensor& x, int64_t dim, bool log);
Tensor cumsum(const Tensor& x, int64_t dim, std::optional<DType> dtype);
Tensor cumprod(const Tensor& x, int64_t dim, std::optional<DType> dtype);

// g summed down to `shape`, which may also have more (leading size-1) dims than g; keeps history.
Tensor sum_to_shape(const Tensor& g, const Shape& shape);

// ---- indexing (rules_index.cpp) ----
// `indices` as for tb::index (undefined = whole dim; int64/int32 or bool/uint8 masks).
Tensor index(const Tensor& t, const std::vector<Tensor>& indices);
void index_put_(const Tensor& t, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate);
Tensor index_put(const Tensor& t, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate);
Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& t, int64_t dim, const Tensor& index);
void scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
void scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value);
Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value);
void scatter_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src);
void scatter_reduce_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src, ScatterReduce reduce,
                     bool include_self);
// scatter(reduce=) with a tensor (src) or a number: torch records a node whose backward raises.
void scatter_legacy_reduce_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor* src,
                            const Scalar& value, ScatterReduce reduce);
void masked_fill_(const Tensor& t, const Tensor& mask, const Scalar& value);
Tensor masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value);
void masked_fill_(const Tensor& t, const Tensor& mask, const Tensor& value);
Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value);
Tensor take(const Tensor& t, const Tensor& index);

// ---- matrix products (rules_linalg.cpp) ----
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor mv(const Tensor& a, const Tensor& v);
Tensor dot(const Tensor& a, const Tensor& b);
// torch.matmul is composite: it is built here from the recorded ops above (dot, mv, mm, bmm, views)
// the way torch builds it, so grad_fn names and gradients follow torch for every rank combination.
Tensor matmul(const Tensor& a, const Tensor& b);

// =============================================================================================
// ---- views and copying shape ops (rules_shape.cpp) ----
// View rules keep their outputs views of the input's base (make_view), so in-place ops on them
// are routed through CopySlices like torch's. These names exist in tb:: too: in files including
// this header, call the plain ops as tb::view(...), tb::unsqueeze(...) (an unqualified call is
// ambiguous through argument-dependent lookup).
Tensor view(const Tensor& x, const Shape& shape);
// reshape: ViewBackward0 (contiguous input), ReshapeAliasBackward0 (other views), UnsafeViewBackward0 (copy)
Tensor reshape(const Tensor& x, const Shape& shape);
Tensor alias(const Tensor& x);                        // t[...] (AliasBackward0)
Tensor permute(const Tensor& x, const DimVector& dims);
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
Tensor t(const Tensor& x);
Tensor reverse_dims(const Tensor& x);  // .T (PermuteBackward0)
Tensor mT(const Tensor& x);            // TransposeBackward0
Tensor squeeze(const Tensor& x);                          // SqueezeBackward0
Tensor squeeze(const Tensor& x, int64_t dim);             // SqueezeBackward1
Tensor squeeze(const Tensor& x, const DimVector& dims);   // SqueezeBackward2
Tensor unsqueeze(const Tensor& x, int64_t dim);
Tensor expand(const Tensor& x, const Shape& sizes);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t length, int64_t step);
Tensor select(const Tensor& x, int64_t dim, int64_t index);
std::vector<Tensor> unbind(const Tensor& x, int64_t dim);
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim);
std::vector<Tensor> split_with_sizes(const Tensor& x, const Shape& sizes, int64_t dim);
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim);
Tensor cat(const std::vector<Tensor>& xs, int64_t dim);
Tensor stack(const std::vector<Tensor>& xs, int64_t dim);
Tensor flip(const Tensor& x, const DimVector& dims);
Tensor roll(const Tensor& x, const DimVector& shifts, const DimVector& dims);
Tensor repeat(const Tensor& x, const Shape& repeats);  // also tile (RepeatBackward0)
// The output of a copying op read with another (contiguous) shape: torch's _unsafe_view
// (UnsafeViewBackward0); the result is not a view. x must be contiguous.
Tensor unsafe_view(const Tensor& x, const Shape& shape);
// =============================================================================================

}  // namespace tb::autograd
