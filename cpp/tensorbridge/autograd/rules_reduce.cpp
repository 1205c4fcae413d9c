// Backward rules of the reductions. The formulas are torch's derivatives, written with our (recording)
// ops so that they are themselves differentiable; docs/autograd_reduce_notes.md lists them.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "tensorbridge/autograd/rules.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops.h"
#include "tensorbridge/ops/complex.h"

namespace tb::autograd {

namespace {

Operand num(double v) { return Operand(Scalar(v)); }

// The reduced dims of x (all of them for nullopt or an empty list), sorted and wrapped.
DimVector reduced_dims(const Tensor& x, const OptDims& dims) {
  DimVector r;
  if (!dims || dims->empty()) {
    for (int64_t d = 0; d < x.dim(); ++d) r.push_back(d);
  } else {
    for (int64_t d : *dims) r.push_back(wrap_dim(d, std::max<int64_t>(x.dim(), 1)));
    std::sort(r.begin(), r.end());
    for (size_t i = 1; i < r.size(); ++i)
      if (r[i] == r[i - 1])
        throw RuntimeError("dim " + std::to_string(r[i]) + " appears multiple times in the list of dims");
  }
  return r;
}

// in_shape with the reduced dims set to 1 (the keepdim=True shape).
Shape keep_shape(const Shape& in_shape, const DimVector& dims) {
  Shape s = in_shape;
  for (int64_t d : dims)
    if (size_t(d) < s.size()) s[size_t(d)] = 1;
  return s;
}

bool any_zero(const Tensor& x) {
  return without_grad([&] { return item(tb::any(tb::eq(x, num(0)))).to_bool(); });
}

Tensor index_list(const std::vector<int64_t>& v) {
  Tensor t = empty({int64_t(v.size())}, DType::Int64);
  std::copy(v.begin(), v.end(), t.data<int64_t>());
  return t;
}

// x reversed along d (index_select records, so this is differentiable).
Tensor reverse(const Tensor& x, int64_t d) {
  const int64_t n = x.shape()[size_t(d)];
  std::vector<int64_t> idx(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) idx[size_t(i)] = n - 1 - i;
  return tb::index_select(x, d, index_list(idx));
}

// out[i] = sum_{k >= i} t[k] along d.
Tensor reverse_cumsum(const Tensor& t, int64_t d) { return reverse(tb::cumsum(reverse(t, d), d), d); }

// A bool tensor of x.dim() dims, size n along d and 1 elsewhere, true at position 0 along d.
Tensor first_along(const Tensor& x, int64_t d) {
  Shape s(size_t(x.dim()), 1);
  s[size_t(d)] = x.shape()[size_t(d)];
  Tensor m = zeros(s, DType::Bool);
  if (m.numel() > 0) m.data<bool>()[0] = true;
  return m;
}

// prod_{j != i} x_j along d, without dividing (zeros allowed): the product of the elements before i
// (a cumprod of x shifted right by one, 1 in front) times the product of those after i (the same
// on x reversed). Only recording ops, so it is differentiable again.
Tensor exclusive_prod(const Tensor& x, int64_t d) {
  const int64_t n = x.shape()[size_t(d)];
  if (n == 0) return x;
  if (n == 1) return ones(x.shape(), x.dtype());  // the empty product (a constant, as in torch)
  std::vector<int64_t> fwd(static_cast<size_t>(n)), bwd(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    fwd[size_t(i)] = std::max<int64_t>(i - 1, 0);      // [0, 0, 1, ..., n-2]
    bwd[size_t(i)] = std::min<int64_t>(n - i, n - 1);  // [n-1, n-1, n-2, ..., 1]
  }
  Tensor first = first_along(x, d);
  Tensor before = tb::cumprod(tb::where(first, num(1), tb::index_select(x, d, index_list(fwd))), d);
  Tensor after = reverse(tb::cumprod(tb::where(first, num(1), tb::index_select(x, d, index_list(bwd))), d), d);
  return tb::mul(before, after);
}

}  // namespace

// ---- shared helpers ---------------------------------------------------------------------------

Tensor sum_to_shape(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  Tensor r = g;
  // leading dims of g that shape lacks: summed away
  const int64_t lead = std::max<int64_t>(g.dim() - int64_t(shape.size()), 0);
  if (lead > 0) {
    DimVector dims;
    for (int64_t d = 0; d < lead; ++d) dims.push_back(d);
    r = tb::sum(r, dims, false);
  }
  // dims where shape has 1 (counted from the back): summed, kept
  DimVector ones;
  const int64_t off = int64_t(shape.size()) - r.dim();  // >= 0: shape's extra leading dims
  for (int64_t d = 0; d < r.dim(); ++d)
    if (shape[size_t(d + off)] == 1 && r.shape()[size_t(d)] != 1) ones.push_back(d);
  if (!ones.empty()) r = tb::sum(r, ones, true);
  return tb::reshape(r, shape);
}

// g (the shape of a reduction's result) with the reduced dims put back as size 1 (keepdim=False).
Tensor unsqueeze_reduced(const Tensor& g, const Shape& in_shape, const DimVector& dims, bool keepdim) {
  if (keepdim || in_shape.empty()) return g;
  return tb::reshape(g, keep_shape(in_shape, dims));
}

// The gradient of a sum-like reduction: g broadcast back over the reduced dims.
Tensor expand_reduced(const Tensor& g, const Shape& in_shape, const DimVector& dims, bool keepdim) {
  return tb::expand(unsqueeze_reduced(g, in_shape, dims, keepdim), in_shape);
}

// ---- sum, mean --------------------------------------------------------------------------------

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

// ---- prod -------------------------------------------------------------------------------------

Tensor prod(const Tensor& x, const OptDims& dims, bool keepdim, std::optional<DType> dtype) {
  if (dims && dims->size() > 1) {
    // torch's prod takes one dim; several (a tensorbridge extension) are reduced one at a time
    const DimVector rd = reduced_dims(x, dims);
    Tensor y = autograd::prod(x, DimVector{rd.back()}, keepdim, dtype);
    for (size_t i = rd.size() - 1; i-- > 0;) y = autograd::prod(y, DimVector{rd[i]}, keepdim, std::nullopt);
    return y;
  }
  Tensor y = without_grad([&] { return tb::prod(x, dims, keepdim, dtype); });
  const bool full = !dims || dims->empty();
  auto n = record(full ? "ProdBackward0" : "ProdBackward1", {x}, {y});
  if (!n) return y;
  const size_t xi = n->save(x), yi = n->save(y, true);
  const DimVector rd = reduced_dims(x, dims);
  n->set_backward([xi, yi, rd, full, keepdim](FunctionNode& self, TensorList& g) -> TensorList {
    // complex: conj(formula(conj(g))) (prod is holomorphic, see rules_elementwise.cpp)
    const bool cpx = is_complex(g[0].dtype());
    const Tensor gc = cpx ? tb::conj(g[0]) : g[0];
    auto done = [cpx](const Tensor& r) -> TensorList { return {cpx ? tb::conj(r) : r}; };
    Tensor x = self.saved(xi), y = self.saved(yi);
    if (x.dim() == 0) return {g[0]};
    // computed in the result's dtype (torch: self.to(grad's dtype)); the engine casts back
    if (x.dtype() != gc.dtype()) x = tb::to_dtype(x, gc.dtype());
    Tensor gu = unsqueeze_reduced(gc, x.shape(), rd, keepdim);
    if (!any_zero(x)) return done(tb::mul(gu, tb::div(unsqueeze_reduced(y, x.shape(), rd, keepdim), x)));
    // zeros: the product of the other elements, without division
    if (full) return done(tb::mul(gu, tb::reshape(exclusive_prod(tb::reshape(x, {x.numel()}), 0), x.shape())));
    return done(tb::mul(gu, exclusive_prod(x, rd[0])));
  });
  return y;
}

// ---- amax / amin, max / min -------------------------------------------------------------------

namespace {

// amax/amin: the gradient is shared evenly among the elements equal to the extremum.
Tensor extremum_reduce(bool is_max, const Tensor& x, const OptDims& dims, bool keepdim) {
  Tensor y = without_grad([&] { return is_max ? tb::amax(x, dims, keepdim) : tb::amin(x, dims, keepdim); });
  auto n = record(is_max ? "AmaxBackward0" : "AminBackward0", {x}, {y});
  if (!n) return y;
  const size_t xi = n->save(x), yi = n->save(y, true);
  const DimVector rd = reduced_dims(x, dims);
  n->set_backward([xi, yi, rd, keepdim](FunctionNode& self, TensorList& g) -> TensorList {
    Tensor x = self.saved(xi), y = self.saved(yi);
    if (x.dim() == 0) return {g[0]};
    Tensor mask = tb::eq(x, unsqueeze_reduced(y, x.shape(), rd, keepdim));
    Tensor count = tb::sum(mask, rd, true);
    return {tb::mul(tb::div(unsqueeze_reduced(g[0], x.shape(), rd, keepdim), count), mask)};
  });
  return y;
}

// max()/min() of every element: the gradient is shared evenly among the elements equal to it (the
// NaNs when it is NaN).
Tensor extremum_all(bool is_max, const Tensor& x) {
  Tensor y = without_grad([&] { return is_max ? tb::max(x) : tb::min(x); });
  auto n = record(is_max ? "MaxBackward1" : "MinBackward1", {x}, {y});
  if (!n) return y;
  const size_t xi = n->save(x), yi = n->save(y, true);
  n->set_backward([xi, yi](FunctionNode& self, TensorList& g) -> TensorList {
    Tensor x = self.saved(xi), y = self.saved(yi);
    const bool nan = without_grad([&] { return item(tb::isnan(y)).to_bool(); });
    Tensor mask = nan ? tb::isnan(x) : tb::eq(x, y);
    return {tb::where(mask, tb::div(g[0], tb::sum(mask)), num(0))};
  });
  return y;
}

// max/min along dim: the gradient goes to the element whose index was returned.
std::pair<Tensor, Tensor> extremum_dim(bool is_max, const Tensor& x, int64_t dim, bool keepdim) {
  auto [v, i] = without_grad([&] { return is_max ? tb::max_dim(x, dim, keepdim) : tb::min_dim(x, dim, keepdim); });
  auto n = record(is_max ? "MaxBackward0" : "MinBackward0", {x}, {v, i});
  if (!n) return {v, i};
  const size_t ii = n->save(i);
  const Shape shape = x.shape();
  const int64_t d = x.dim() == 0 ? 0 : wrap_dim(dim, x.dim());
  n->set_backward([ii, shape, d, keepdim](FunctionNode& self, TensorList& g) -> TensorList {
    if (shape.empty()) return {g[0]};
    Tensor idx = self.saved(ii);
    if (!keepdim) idx = tb::unsqueeze(idx, d);
    Tensor gu = unsqueeze_reduced(g[0], shape, DimVector{d}, keepdim);
    return {tb::scatter(zeros(shape, g[0].dtype()), d, idx, gu)};
  });
  return {v, i};
}

}  // namespace

Tensor amax(const Tensor& x, const OptDims& dims, bool keepdim) { return extremum_reduce(true, x, dims, keepdim); }
Tensor amin(const Tensor& x, const OptDims& dims, bool keepdim) { return extremum_reduce(false, x, dims, keepdim); }
Tensor max(const Tensor& x) { return extremum_all(true, x); }
Tensor min(const Tensor& x) { return extremum_all(false, x); }
std::pair<Tensor, Tensor> max_dim(const Tensor& x, int64_t dim, bool keepdim) { return extremum_dim(true, x, dim, keepdim); }
std::pair<Tensor, Tensor> min_dim(const Tensor& x, int64_t dim, bool keepdim) { return extremum_dim(false, x, dim, keepdim); }

// ---- var / std --------------------------------------------------------------------------------

namespace {

// d var / dx * g = 2 / (N - correction) * g * (x - mean(x)), N the number of reduced elements.
// Without dims (or for a 0-d x) and N - correction <= 0, torch gives inf (NaN where x == mean).
Tensor var_grad(const Tensor& g, const Tensor& x, const OptDims& dims, double correction, bool keepdim) {
  if (!dims || x.dim() == 0) {
    Tensor dev = tb::sub(x, tb::mean(x));
    const double dof = double(x.numel()) - correction;
    if (dof <= 0)
      return tb::mul(g, tb::where(tb::eq(dev, num(0)), num(std::numeric_limits<double>::quiet_NaN()),
                                  num(std::numeric_limits<double>::infinity())));
    return tb::mul(tb::mul(g, num(2.0 / dof)), dev);
  }
  const DimVector rd = reduced_dims(x, dims);
  double count = 1;
  for (int64_t d : rd) count *= double(x.shape()[size_t(d)]);
  Tensor gu = unsqueeze_reduced(g, x.shape(), rd, keepdim);
  return tb::mul(tb::mul(gu, num(2.0 / (count - correction))), tb::sub(x, tb::mean(x, rd, true)));
}

Tensor var_std(bool is_std, const Tensor& x, const OptDims& dims, double correction, bool keepdim) {
  Tensor y = without_grad([&] { return is_std ? tb::std(x, dims, correction, keepdim) : tb::var(x, dims, correction, keepdim); });
  auto n = record(is_std ? "StdBackward0" : "VarBackward0", {x}, {y});
  if (!n) return y;
  const size_t xi = n->save(x);
  const size_t yi = is_std ? n->save(y, true) : 0;
  n->set_backward([is_std, xi, yi, dims, correction, keepdim](FunctionNode& self, TensorList& g) -> TensorList {
    Tensor gv = g[0];
    if (is_std) {  // d std = d var / (2 std), and 0 where std == 0
      Tensor y = self.saved(yi);
      gv = tb::where(tb::eq(y, num(0)), num(0), tb::div(gv, tb::mul(y, num(2))));
    }
    return {var_grad(gv, self.saved(xi), dims, correction, keepdim)};
  });
  return y;
}

}  // namespace

Tensor var(const Tensor& x, const OptDims& dims, double correction, bool keepdim) {
  return var_std(false, x, dims, correction, keepdim);
}
Tensor std(const Tensor& x, const OptDims& dims, double correction, bool keepdim) {
  return var_std(true, x, dims, correction, keepdim);
}

// ---- norm -------------------------------------------------------------------------------------

namespace {

// sign(x), and for complex x its generalisation sgn(x) = x / |x| (0 at 0): the gradient of |x| in
// torch's complex convention, which turns every formula below into the complex one.
Tensor sign_of(const Tensor& x) {
  if (!is_complex(x.dtype())) return tb::sign(x);
  Tensor m = tb::abs(x);
  return tb::where(tb::eq(m, num(0)), num(0), tb::div(x, m));
}

// torch's vector-norm derivative for each p (g and y = the norm with the reduced dims `rd` restored).
Tensor norm_grad(const Tensor& g, const Tensor& x, const Tensor& y, double p, const DimVector& rd) {
  if (p == 0) return Tensor();  // piecewise constant: no gradient (torch returns none)
  if (p == 1) return tb::mul(sign_of(x), g);
  if (p == 2) return tb::mul(g, tb::where(tb::eq(y, num(0)), num(0), tb::div(x, y)));
  Tensor ax = tb::abs(x);
  if (std::isinf(p)) {  // shared among the elements whose |x| is the extremum (and the NaNs)
    Tensor mask = tb::logical_or(tb::eq(ax, y), tb::isnan(ax));
    Tensor count = x.dim() == 0 ? tb::to_dtype(mask, DType::Int64) : tb::sum(mask, rd, true);
    return tb::mul(sign_of(x), tb::mul(tb::div(g, count), mask));
  }
  if (p < 1) {
    Tensor xs = tb::mul(sign_of(x), tb::where(tb::eq(x, num(0)), num(0), tb::pow(ax, num(p - 1))));
    return tb::mul(tb::mul(xs, g), tb::pow(y, num(1 - p)));
  }
  Tensor xs = p < 2 ? tb::mul(sign_of(x), tb::pow(ax, num(p - 1))) : tb::mul(x, tb::pow(ax, num(p - 2)));
  Tensor scale = tb::where(tb::eq(y, num(0)), num(0), tb::div(g, tb::pow(y, num(p - 1))));
  return tb::mul(xs, scale);
}

}  // namespace

Tensor norm(const Tensor& x, double p, const OptDims& dims, bool keepdim) {
  Tensor y = without_grad([&] { return tb::norm(x, p, dims, keepdim); });
  auto n = record("LinalgVectorNormBackward0", {x}, {y});
  if (!n) return y;
  const size_t xi = n->save(x), yi = n->save(y, true);
  const DimVector rd = reduced_dims(x, dims);
  n->set_backward([xi, yi, rd, p, keepdim](FunctionNode& self, TensorList& g) -> TensorList {
    Tensor x = self.saved(xi);
    Tensor yu = unsqueeze_reduced(self.saved(yi), x.shape(), rd, keepdim);
    return {norm_grad(unsqueeze_reduced(g[0], x.shape(), rd, keepdim), x, yu, p, rd)};
  });
  return y;
}

// ---- logsumexp, softmax, log_softmax ----------------------------------------------------------

Tensor logsumexp(const Tensor& x, const DimVector& dims, bool keepdim) {
  Tensor y = without_grad([&] { return tb::logsumexp(x, dims, keepdim); });
  auto n = record("LogsumexpBackward0", {x}, {y});
  if (!n) return y;
  const size_t xi = n->save(x), yi = n->save(y, true);
  const DimVector rd = reduced_dims(x, dims);
  n->set_backward([xi, yi, rd, keepdim](FunctionNode& self, TensorList& g) -> TensorList {
    Tensor x = self.saved(xi);
    Tensor yu = unsqueeze_reduced(self.saved(yi), x.shape(), rd, keepdim);
    return {tb::mul(unsqueeze_reduced(g[0], x.shape(), rd, keepdim), tb::exp(tb::sub(x, yu)))};
  });
  return y;
}

Tensor softmax(const Tensor& x, int64_t dim, bool log) {
  Tensor y = without_grad([&] { return log ? tb::log_softmax(x, dim) : tb::softmax(x, dim); });
  auto n = record(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", {x}, {y});
  if (!n) return y;
  const size_t yi = n->save(y, true);
  const OptDims od = x.dim() == 0 ? OptDims() : OptDims(DimVector{wrap_dim(dim, x.dim())});
  n->set_backward([yi, od, log](FunctionNode& self, TensorList& g) -> TensorList {
    Tensor y = self.saved(yi);
    if (log)  // g - softmax * sum(g)
      return {tb::sub(g[0], tb::mul(tb::exp(y), tb::sum(g[0], od, true)))};
    return {tb::mul(y, tb::sub(g[0], tb::sum(tb::mul(g[0], y), od, true)))};  // y * (g - sum(g * y))
  });
  return y;
}

// ---- cumsum, cumprod --------------------------------------------------------------------------

Tensor cumsum(const Tensor& x, int64_t dim, std::optional<DType> dtype) {
  Tensor y = without_grad([&] { return tb::cumsum(x, dim, dtype); });
  auto n = record("CumsumBackward0", {x}, {y});
  if (!n) return y;
  const int64_t d = x.dim() == 0 ? 0 : wrap_dim(dim, x.dim());
  const DType in = x.dtype();
  const bool scalar = x.dim() == 0;
  n->set_backward([d, in, scalar](FunctionNode&, TensorList& g) -> TensorList {
    Tensor gx = g[0].dtype() == in ? g[0] : tb::to_dtype(g[0], in);
    if (scalar || gx.numel() == 0) return {gx};
    return {reverse_cumsum(gx, d)};
  });
  return y;
}

namespace {

// d/dx_i of sum_k g_k y_k, y = cumprod(x): sum_{k >= i} g_k prod_{j <= k, j != i} x_j.
// Without zeros: reverse_cumsum(g * y) / x. With zeros (z = the first zero of the slice): before z
// the same formula holds (y is 0 from z on, so the sum stops there by itself); at z it is
// reverse_cumsum(g * y1) with y1 = cumprod(x1), x1 = x with x_z = 1; after z it is x_z times this
// same gradient for x1 -- zero, but with create_graph its derivative in x_z is not (one recursion
// level per further zero of a slice).
Tensor cumprod_grad(const Tensor& g, const Tensor& x, const Tensor& y, int64_t d) {
  Tensor gy = tb::mul(g, y);
  if (!any_zero(x)) return tb::div(reverse_cumsum(gy, d), x);
  Tensor is_zero = tb::eq(x, num(0));
  Tensor zeros_so_far = tb::cumsum(is_zero, d);
  Tensor before = tb::eq(zeros_so_far, num(0));
  Tensor first = tb::logical_and(is_zero, tb::eq(zeros_so_far, num(1)));
  Tensor a = tb::div(reverse_cumsum(gy, d), tb::where(before, x, num(1)));
  Tensor x1 = tb::where(first, num(1), x);
  Tensor y1 = tb::cumprod(x1, d);
  Tensor b = reverse_cumsum(tb::mul(g, y1), d);
  Operand after = num(0);
  if (GradMode::is_enabled()) {
    Tensor xz = tb::sum(tb::where(first, x, num(0)), DimVector{d}, true);
    after = Operand(tb::mul(xz, cumprod_grad(g, x1, y1, d)));
  }
  return tb::where(before, a, tb::where(first, b, after));
}

}  // namespace

Tensor cumprod(const Tensor& x, int64_t dim, std::optional<DType> dtype) {
  Tensor y = without_grad([&] { return tb::cumprod(x, dim, dtype); });
  auto n = record("CumprodBackward0", {x}, {y});
  if (!n) return y;
  const size_t xi = n->save(x), yi = n->save(y, true);
  const int64_t d = x.dim() == 0 ? 0 : wrap_dim(dim, x.dim());
  n->set_backward([xi, yi, d](FunctionNode& self, TensorList& g) -> TensorList {
    Tensor x = self.saved(xi);
    // computed in the input's dtype (torch: grad.to(self's dtype)); the engine casts back
    Tensor gx = g[0].dtype() == x.dtype() ? g[0] : tb::to_dtype(g[0], x.dtype());
    if (x.dim() == 0 || x.numel() == 0 || x.shape()[size_t(d)] == 1) return {gx};  // y = x there
    // complex: conj(formula(conj(g))) (holomorphic, see rules_elementwise.cpp)
    if (is_complex(gx.dtype())) return {tb::conj(cumprod_grad(tb::conj(gx), x, self.saved(yi), d))};
    return {cumprod_grad(gx, x, self.saved(yi), d)};
  });
  return y;
}

}  // namespace tb::autograd
