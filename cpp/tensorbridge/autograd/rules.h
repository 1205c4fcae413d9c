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
Tensor unsqueeze_reduced(const Tensor& g, const Shape& in_shape, const DimVector& dims, bool keepdim);
Tensor expand_reduced(const Tensor& g, const Shape& in_shape, const DimVector& dims, bool keepdim);

// ---- matrix products (rules_linalg.cpp) ----
Tensor mm(const Tensor& a, const Tensor& b);

}  // namespace tb::autograd
