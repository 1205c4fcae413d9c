// Front end of the reductions: dim normalisation, result dtypes, output shapes; the kernels are in
// backend/cpu/reduce_kernels.cpp. var/std/norm/logsumexp/softmax are compositions of other ops.
#include "tensorbridge/autograd/rules.h"
#include "tensorbridge/ops/reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "tensorbridge/backend/cpu/reduce_kernels.h"
#include "tensorbridge/backend/cpu/sum_kernels.h"
#include "tensorbridge/ops/creation.h"
#include "tensorbridge/ops/elementwise.h"
#include "tensorbridge/error.h"

namespace tb {

namespace {

using cpu::ReduceKind;

std::string legacy(DType dt) { return std::string(dtype_legacy_name(dt)); }

// Which dims are reduced: a mask over x's dims (all for nullopt or an empty list).
SmallVector<bool, 8> reduced_mask(const Tensor& x, const OptDims& dims) {
  const int64_t nd = x.dim();
  SmallVector<bool, 8> mask(size_t(std::max<int64_t>(nd, 0)), false);
  if (!dims || dims->empty()) {
    for (auto& m : mask) m = true;
    return mask;
  }
  for (int64_t d : *dims) {
    int64_t w = wrap_dim(d, nd);
    if (nd == 0) continue;
    if (mask[size_t(w)]) throw RuntimeError("dim " + std::to_string(w) + " appears multiple times in the list of dims");
    mask[size_t(w)] = true;
  }
  return mask;
}

Shape keep_shape(const Tensor& x, const SmallVector<bool, 8>& mask) {
  Shape s = x.shape();
  for (size_t d = 0; d < s.size(); ++d)
    if (mask[d]) s[d] = 1;
  return s;
}

// A contiguous keepdim-shaped tensor viewed without the reduced dims.
Tensor squeeze_reduced(const Tensor& t, const SmallVector<bool, 8>& mask, bool keepdim) {
  if (keepdim) return t;
  Shape s;
  Strides st;
  for (size_t d = 0; d < t.shape().size(); ++d)
    if (!mask[d]) {
      s.push_back(t.shape()[d]);
      st.push_back(t.strides()[d]);
    }
  return t.as_strided(s, st, t.offset());
}

int64_t reduced_count(const Tensor& x, const SmallVector<bool, 8>& mask) {
  int64_t n = 1;
  for (size_t d = 0; d < mask.size(); ++d)
    if (mask[d]) n *= x.shape()[d];
  return n;
}

Tensor run_reduce(ReduceKind kind, const Tensor& x, const OptDims& dims, bool keepdim, DType out_dtype,
                  double divisor = 1.0) {
  auto mask = reduced_mask(x, dims);
  Tensor out = empty(keep_shape(x, mask), out_dtype);
  cpu::reduce_kernel(kind, x, out, divisor);
  return squeeze_reduced(out, mask, keepdim);
}

// Checks that no reduced dim is empty (max/min/amax/amin/argmax): IndexError as torch.
void check_nonempty_dims(const Tensor& x, const SmallVector<bool, 8>& mask, const char* op) {
  for (size_t d = 0; d < mask.size(); ++d)
    if (mask[d] && x.shape()[d] == 0)
      throw IndexError(std::string(op) + "(): Expected reduction dim " + std::to_string(d) +
                       " to have non-zero size.");
}

DType sum_dtype(DType in, std::optional<DType> dtype) {
  if (dtype) return *dtype;
  return is_integral(in, true) ? DType::Int64 : in;
}

Tensor extremum(ReduceKind kind, const Tensor& x, const OptDims& dims, bool keepdim, const char* op) {
  if ((!dims || dims->empty()) && x.numel() == 0)
    throw RuntimeError(std::string(op) + "(): Expected reduction dim to be specified for input.numel() == 0. "
                       "Specify the reduction dim with the 'dim' argument.");
  if (dims && x.dim() > 0)  // torch reports an empty reduced dim before duplicated dims
    for (int64_t d : *dims) {
      const int64_t w = wrap_dim(d, x.dim());
      if (x.shape()[size_t(w)] == 0)
        throw IndexError(std::string(op) + "(): Expected reduction dim " + std::to_string(w) +
                         " to have non-zero size.");
    }
  auto mask = reduced_mask(x, dims);
  check_nonempty_dims(x, mask, op);
  return run_reduce(kind, x, dims, keepdim, x.dtype());
}

std::pair<Tensor, Tensor> extremum_dim(bool is_max, const Tensor& x, int64_t dim, bool keepdim) {
  const char* op = is_max ? "max" : "min";
  int64_t d = wrap_dim(dim, x.dim());
  if (x.dim() > 0 && x.shape()[size_t(d)] == 0)
    throw IndexError(std::string(op) + "(): Expected reduction dim " + std::to_string(d) + " to have non-zero size.");
  if (is_complex(x.dtype())) throw RuntimeError(std::string(op) + "(): does not support complex input");
  if (x.dim() == 0) {
    Tensor idx = zeros({}, DType::Int64);
    return {clone(x), idx};
  }
  if (x.shape()[size_t(d)] == 0)
    throw IndexError(std::string(op) + "(): Expected reduction dim " + std::to_string(d) + " to have non-zero size.");
  Shape ks = x.shape();
  ks[size_t(d)] = 1;
  Tensor values = empty(ks, x.dtype()), indices = empty(ks, DType::Int64);
  cpu::arg_reduce_kernel(is_max, x, d, values, indices);
  SmallVector<bool, 8> mask(size_t(x.dim()), false);
  mask[size_t(d)] = true;
  return {squeeze_reduced(values, mask, keepdim), squeeze_reduced(indices, mask, keepdim)};
}

Tensor arg_extremum(bool is_max, const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  const char* op = is_max ? "argmax" : "argmin";
  if (x.dtype() == DType::Bool) throw RuntimeError(std::string(op) + "(): does not support bool input");
  if (is_complex(x.dtype())) throw RuntimeError(std::string(op) + "(): does not support complex input");
  if (!dim) {
    if (x.numel() == 0)
      throw IndexError(std::string(op) + "(): Expected reduction dim to be specified for input.numel() == 0.");
    Tensor flat = contiguous(x);
    flat = flat.as_strided({flat.numel()}, {1}, flat.offset());
    Tensor idx = empty({1}, DType::Int64);
    cpu::arg_reduce_kernel(is_max, flat, 0, Tensor(), idx);
    if (keepdim) return idx.as_strided(Shape(size_t(x.dim()), 1), Strides(size_t(x.dim()), 1), 0);
    return idx.as_strided({}, {}, 0);
  }
  int64_t d = wrap_dim(*dim, x.dim());
  if (x.dim() == 0) return zeros({}, DType::Int64);
  if (x.shape()[size_t(d)] == 0)
    throw IndexError(std::string(op) + "(): Expected reduction dim " + std::to_string(d) + " to have non-zero size.");
  Shape ks = x.shape();
  ks[size_t(d)] = 1;
  Tensor indices = empty(ks, DType::Int64);
  cpu::arg_reduce_kernel(is_max, x, d, Tensor(), indices);
  SmallVector<bool, 8> mask(size_t(x.dim()), false);
  mask[size_t(d)] = true;
  return squeeze_reduced(indices, mask, keepdim);
}

void check_float_or_complex(const Tensor& x, const std::string& msg) {
  if (!is_floating_point(x.dtype()) && !is_complex(x.dtype())) throw RuntimeError(msg);
}

// |x|^2 in x's real dtype.
Tensor abs_squared(const Tensor& d) {
  if (is_complex(d.dtype())) {
    Tensor a = unary(UnaryOp::abs, d);
    return binary(BinaryOp::mul, a, a);
  }
  return binary(BinaryOp::mul, d, d);
}

}  // namespace

Tensor sum(const Tensor& x, const OptDims& dims, bool keepdim, std::optional<DType> dtype) {
  if (autograd::needs_grad(x)) return autograd::sum(x, dims, keepdim, dtype);
  const DType r = sum_dtype(x.dtype(), dtype);
  return run_reduce(ReduceKind::Sum, to_dtype(x, r), dims, keepdim, r);
}

Tensor prod(const Tensor& x, const OptDims& dims, bool keepdim, std::optional<DType> dtype) {
  if (autograd::needs_grad(x)) return autograd::prod(x, dims, keepdim, dtype);
  const DType r = sum_dtype(x.dtype(), dtype);
  return run_reduce(ReduceKind::Prod, to_dtype(x, r), dims, keepdim, r);
}

Tensor mean(const Tensor& x, const OptDims& dims, bool keepdim, std::optional<DType> dtype) {
  if (autograd::needs_grad(x)) return autograd::mean(x, dims, keepdim, dtype);
  const DType r = dtype.value_or(x.dtype());
  if (!is_floating_point(r) && !is_complex(r))
    throw RuntimeError("mean(): could not infer output dtype. " +
                       std::string(dtype ? "Optional" : "Input") +
                       " dtype must be either a floating point or complex dtype. Got: " + legacy(r));
  auto mask = reduced_mask(x, dims);
  const int64_t n = reduced_count(x, mask);
  return run_reduce(ReduceKind::Mean, to_dtype(x, r), dims, keepdim, r,
                    n == 0 ? 0.0 : double(n));
}

Tensor amax(const Tensor& x, const OptDims& dims, bool keepdim) {
  if (autograd::needs_grad(x)) return autograd::amax(x, dims, keepdim);
  return extremum(ReduceKind::Max, x, dims, keepdim, "amax");
}
Tensor amin(const Tensor& x, const OptDims& dims, bool keepdim) {
  if (autograd::needs_grad(x)) return autograd::amin(x, dims, keepdim);
  return extremum(ReduceKind::Min, x, dims, keepdim, "amin");
}

namespace {
// all/any with an empty dim list reduce nothing (unlike sum): the truth value of each element
Tensor truth(const Tensor& x) {
  Tensor r = binary(BinaryOp::ne, x, Scalar(int64_t(0)));
  return x.dtype() == DType::UInt8 ? to_dtype(r, DType::UInt8) : r;
}
}  // namespace

// all/any/argmax/argmin are not differentiable: grad mode is off inside (nothing is recorded).
Tensor all(const Tensor& x, const OptDims& dims, bool keepdim) {
  GradModeGuard no_grad(false);
  if (dims && dims->empty()) return truth(x);
  Tensor r = run_reduce(ReduceKind::All, x, dims, keepdim, DType::Bool);
  return x.dtype() == DType::UInt8 ? to_dtype(r, DType::UInt8) : r;
}
Tensor any(const Tensor& x, const OptDims& dims, bool keepdim) {
  GradModeGuard no_grad(false);
  if (dims && dims->empty()) return truth(x);
  Tensor r = run_reduce(ReduceKind::Any, x, dims, keepdim, DType::Bool);
  return x.dtype() == DType::UInt8 ? to_dtype(r, DType::UInt8) : r;
}

Tensor max(const Tensor& x) {
  if (autograd::needs_grad(x)) return autograd::max(x);
  if (x.numel() == 0)
    throw RuntimeError("max(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                       "reduction dim with the 'dim' argument.");
  return run_reduce(ReduceKind::Max, x, std::nullopt, false, x.dtype());
}
Tensor min(const Tensor& x) {
  if (autograd::needs_grad(x)) return autograd::min(x);
  if (x.numel() == 0)
    throw RuntimeError("min(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                       "reduction dim with the 'dim' argument.");
  return run_reduce(ReduceKind::Min, x, std::nullopt, false, x.dtype());
}

std::pair<Tensor, Tensor> max_dim(const Tensor& x, int64_t dim, bool keepdim) {
  if (autograd::needs_grad(x)) return autograd::max_dim(x, dim, keepdim);
  return extremum_dim(true, x, dim, keepdim);
}
std::pair<Tensor, Tensor> min_dim(const Tensor& x, int64_t dim, bool keepdim) {
  if (autograd::needs_grad(x)) return autograd::min_dim(x, dim, keepdim);
  return extremum_dim(false, x, dim, keepdim);
}
Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  GradModeGuard no_grad(false);
  return arg_extremum(true, x, dim, keepdim);
}
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  GradModeGuard no_grad(false);
  return arg_extremum(false, x, dim, keepdim);
}

Tensor var(const Tensor& x, const OptDims& dims, double correction, bool keepdim) {
  check_float_or_complex(x, "std and var only support floating point and complex dtypes");
  if (autograd::needs_grad(x)) return autograd::var(x, dims, correction, keepdim);
  auto mask = reduced_mask(x, dims);
  const int64_t n = reduced_count(x, mask);
  Tensor m = mean(x, dims, true);
  Tensor sq = abs_squared(binary(BinaryOp::sub, x, m));
  Tensor s = sum(sq, dims, keepdim);
  // torch divides by max(0, N - correction): no degrees of freedom give inf (NaN for a zero sum)
  const double denom = std::max(0.0, double(n) - correction);
  return binary(BinaryOp::div, s, Scalar(denom));
}

Tensor std(const Tensor& x, const OptDims& dims, double correction, bool keepdim) {
  if (autograd::needs_grad(x)) {
    check_float_or_complex(x, "std and var only support floating point and complex dtypes");
    return autograd::std(x, dims, correction, keepdim);
  }
  return unary(UnaryOp::sqrt, var(x, dims, correction, keepdim));
}

Tensor norm(const Tensor& x, double p, const OptDims& dims, bool keepdim, std::optional<DType> dtype) {
  Tensor xin = dtype ? to_dtype(x, *dtype) : x;
  check_float_or_complex(xin, "linalg.vector_norm: Expected a floating point or complex tensor as input. Got " +
                                  legacy(xin.dtype()));
  if (autograd::needs_grad(xin)) return autograd::norm(xin, p, dims, keepdim);
  if ((p == 1 || p == 2) && is_floating_point(xin.dtype())) {
    // one pass over x, no temporaries: the pairwise sum of |x| or x*x
    auto mask = reduced_mask(xin, dims);
    Tensor out = empty(keep_shape(xin, mask), xin.dtype());
    if (cpu::cascade_sum_kernel(xin, out, 1.0, p == 1 ? cpu::SumOf::Abs : cpu::SumOf::Squares)) {
      Tensor r = squeeze_reduced(out, mask, keepdim);
      return p == 1 ? r : unary(UnaryOp::sqrt, r);
    }
  }
  Tensor a = unary(UnaryOp::abs, xin);  // real dtype
  if (std::isinf(p)) {
    if (a.numel() == 0) {
      if (!dims || dims->empty())
        throw RuntimeError(std::string("linalg.vector_norm cannot compute the ") + (p > 0 ? "inf" : "-inf") +
                           " norm on an empty tensor because the operation does not have an identity");
      auto mask = reduced_mask(a, dims);
      for (size_t d = 0; d < mask.size(); ++d)
        if (mask[d] && a.shape()[d] == 0)  // (torch's text, missing space included)
          throw RuntimeError(std::string("linalg.vector_norm cannot compute the ") + (p > 0 ? "inf" : "-inf") +
                             " norm on the dimension " + std::to_string(d) +
                             "because this dimension is empty and the operation does not have an identity");
    }
    return p > 0 ? amax(a, dims, keepdim) : amin(a, dims, keepdim);
  }
  if (p == 0) return sum(to_dtype(binary(BinaryOp::ne, a, Scalar(0.0)), a.dtype()), dims, keepdim);
  if (p == 1) return sum(a, dims, keepdim);
  if (p == 2) return unary(UnaryOp::sqrt, sum(binary(BinaryOp::mul, a, a), dims, keepdim));
  Tensor s = sum(binary(BinaryOp::pow, a, Scalar(p)), dims, keepdim);
  return binary(BinaryOp::pow, s, Scalar(1.0 / p));
}

Tensor logsumexp(const Tensor& x, const DimVector& dims, bool keepdim) {
  if (autograd::needs_grad(x)) return autograd::logsumexp(x, dims, keepdim);
  Tensor xf = is_integral(x.dtype(), true) ? to_dtype(x, kDefaultFloat) : x;
  OptDims od = dims;
  auto mask = reduced_mask(xf, od);
  Tensor m = xf.numel() == 0 ? zeros(keep_shape(xf, mask), xf.dtype()) : amax(xf, od, true);
  // an infinite max would give inf - inf = nan: shift by 0 there instead
  m = where(unary(UnaryOp::isinf, m), Scalar(0.0), m);
  Tensor s = sum(unary(UnaryOp::exp, binary(BinaryOp::sub, xf, m)), od, true);
  Tensor r = binary(BinaryOp::add, unary(UnaryOp::log, s), m);
  return squeeze_reduced(contiguous(r), mask, keepdim);
}

namespace {
Tensor softmax_impl(const Tensor& x, int64_t dim, std::optional<DType> dtype, bool log) {
  Tensor xin = dtype ? to_dtype(x, *dtype) : x;
  if (autograd::needs_grad(xin)) return autograd::softmax(xin, dim, log);
  if (xin.numel() == 0) return clone(xin);  // torch returns before looking for a kernel
  if (!is_floating_point(xin.dtype()))
    throw NotImplementedError(std::string("\"") + (log ? "log_softmax" : "softmax") +
                              "_lastdim_kernel_impl\" not implemented for '" + legacy(xin.dtype()) + "'");
  const int64_t d = wrap_dim(dim, xin.dim());
  if (xin.numel() == 0) return clone(xin);
  OptDims od = DimVector{d};
  if (xin.dim() == 0) od = std::nullopt;
  Tensor m = amax(xin, od, true);
  Tensor shifted = binary(BinaryOp::sub, xin, m);
  Tensor e = unary(UnaryOp::exp, shifted);
  Tensor s = sum(e, od, true);
  if (log) return binary(BinaryOp::sub, shifted, unary(UnaryOp::log, s));
  return binary(BinaryOp::div, e, s);
}
}  // namespace

Tensor softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype) { return softmax_impl(x, dim, dtype, false); }
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype) { return softmax_impl(x, dim, dtype, true); }

namespace {
Tensor cumulative(bool is_sum, const Tensor& x, int64_t dim, std::optional<DType> dtype) {
  const int64_t d = wrap_dim(dim, x.dim());
  const DType r = sum_dtype(x.dtype(), dtype);
  Tensor xin = to_dtype(x, r);
  Tensor out = empty(x.shape(), r);
  if (x.dim() == 0) {
    copy_(out, xin);
    return out;
  }
  if (out.numel() > 0) cpu::cumulative_kernel(is_sum, xin, d, out);
  return out;
}
}  // namespace

Tensor cumsum(const Tensor& x, int64_t dim, std::optional<DType> dtype) {
  if (autograd::needs_grad(x)) return autograd::cumsum(x, dim, dtype);
  return cumulative(true, x, dim, dtype);
}
Tensor cumprod(const Tensor& x, int64_t dim, std::optional<DType> dtype) {
  if (autograd::needs_grad(x)) return autograd::cumprod(x, dim, dtype);
  return cumulative(false, x, dim, dtype);
}

}  // namespace tb
