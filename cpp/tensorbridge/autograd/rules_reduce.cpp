// Backward rules of the reductions.
#include <algorithm>

#include "tensorbridge/autograd/rules.h"
#include "tensorbridge/ops.h"

namespace tb::autograd {

namespace {

// The reduced dims of x (all of them for nullopt or an empty list), sorted and wrapped.
DimVector reduced_dims(const Tensor& x, const OptDims& dims) {
  DimVector r;
  if (!dims || dims->empty()) {
    for (int64_t d = 0; d < x.dim(); ++d) r.push_back(d);
  } else {
    for (int64_t d : *dims) r.push_back(wrap_dim(d, std::max<int64_t>(x.dim(), 1)));
    std::sort(r.begin(), r.end());
  }
  return r;
}

}  // namespace

// g (the shape of a reduction's result) with the reduced dims put back as size 1 (keepdim=False).
Tensor unsqueeze_reduced(const Tensor& g, const Shape& in_shape, const DimVector& dims, bool keepdim) {
  if (keepdim || in_shape.empty()) return g;
  Tensor r = g;
  for (int64_t d : dims) r = tb::unsqueeze(r, d);
  return r;
}

// The gradient of a sum-like reduction: g broadcast back over the reduced dims.
Tensor expand_reduced(const Tensor& g, const Shape& in_shape, const DimVector& dims, bool keepdim) {
  return tb::expand(unsqueeze_reduced(g, in_shape, dims, keepdim), in_shape);
}

Tensor sum(const Tensor& x, const OptDims& dims, bool keepdim, std::optional<DType> dtype) {
  Tensor y = without_grad([&] { return tb::sum(x, dims, keepdim, dtype); });
  auto n = record(dims && !dims->empty() ? "SumBackward1" : "SumBackward0", {x}, {y});
  if (!n) return y;
  const Shape shape = x.shape();
  const DimVector rd = reduced_dims(x, dims);
  n->set_backward([shape, rd, keepdim](FunctionNode&, TensorList& g) -> TensorList {
    return {expand_reduced(g[0], shape, rd, keepdim)};
  });
  return y;
}

Tensor mean(const Tensor& x, const OptDims& dims, bool keepdim, std::optional<DType> dtype) {
  Tensor y = without_grad([&] { return tb::mean(x, dims, keepdim, dtype); });
  auto n = record(dims && !dims->empty() ? "MeanBackward1" : "MeanBackward0", {x}, {y});
  if (!n) return y;
  const Shape shape = x.shape();
  const DimVector rd = reduced_dims(x, dims);
  int64_t count = 1;
  for (int64_t d : rd) count *= shape.empty() ? 1 : shape[size_t(d)];
  n->set_backward([shape, rd, keepdim, count](FunctionNode&, TensorList& g) -> TensorList {
    return {tb::div(expand_reduced(g[0], shape, rd, keepdim), Operand(Scalar(count)))};
  });
  return y;
}

}  // namespace tb::autograd
