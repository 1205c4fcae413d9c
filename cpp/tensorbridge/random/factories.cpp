// Sampling factories (rand, randn, randint), torch.bernoulli and the torch.normal overloads.
#include <algorithm>
#include <cmath>
#include <vector>

#include "tensorbridge/error.h"
#include "tensorbridge/random/kernel_util.h"
#include "tensorbridge/random/sampling.h"

namespace tb {

Tensor rand(const Shape& shape, DType dtype, Generator* g) {
  Tensor t = empty(shape, dtype);
  uniform_(t, 0.0, 1.0, g);
  return fresh(t);
}

Tensor randn(const Shape& shape, DType dtype, Generator* g) {
  Tensor t = empty(shape, dtype);
  normal_(t, 0.0, 1.0, g);
  return fresh(t);
}

Tensor randint(int64_t low, int64_t high, const Shape& shape, DType dtype, Generator* g) {
  Tensor t = empty(shape, dtype);
  random_(t, low, high, g);
  return fresh(t);
}

Tensor empty_like_preserve(const Tensor& in, DType dtype) {
  // Non-overlapping and dense: strides (all > 0 here) sorted descending are the contiguous
  // strides of the sizes in that order.
  const size_t nd = in.shape().size();
  std::vector<size_t> perm(nd);
  for (size_t i = 0; i < nd; ++i) perm[i] = i;
  std::stable_sort(perm.begin(), perm.end(),
                   [&](size_t a, size_t b) { return in.strides()[a] > in.strides()[b]; });
  bool dense = true;
  int64_t expect = 1;
  for (size_t k = nd; k-- > 0;) {
    const size_t d = perm[k];
    if (in.shape()[d] == 1) continue;
    if (in.strides()[d] != expect) {
      dense = false;
      break;
    }
    expect *= in.shape()[d];
  }
  if (!dense || in.is_contiguous() || in.numel() == 0) return empty(in.shape(), dtype);
  Tensor base = empty(Shape{in.numel()}, dtype);
  return base.as_strided(in.shape(), in.strides(), 0);
}

Tensor rand_like(const Tensor& input, std::optional<DType> dtype, Generator* g) {
  Tensor t = empty_like_preserve(input, dtype.value_or(input.dtype()));
  uniform_(t, 0.0, 1.0, g);
  return fresh(t);
}

Tensor randn_like(const Tensor& input, std::optional<DType> dtype, Generator* g) {
  Tensor t = empty_like_preserve(input, dtype.value_or(input.dtype()));
  normal_(t, 0.0, 1.0, g);
  return fresh(t);
}

Tensor randint_like(const Tensor& input, int64_t low, int64_t high, std::optional<DType> dtype, Generator* g) {
  Tensor t = empty_like_preserve(input, dtype.value_or(input.dtype()));
  random_(t, low, high, g);
  return fresh(t);
}

Tensor bernoulli(const Tensor& probs, Generator* g) {
  if (!is_floating_point(probs.dtype()))
    throw NotImplementedError(std::string("\"bernoulli_tensor_cpu_p_\" not implemented for '") +
                              std::string(dtype_legacy_name(probs.dtype())) + "'");
  bool ok = true;
  Tensor pc = contiguous(probs);
  dispatch_dtype(pc.dtype(), [&]<typename T>() {
    if constexpr (std::is_floating_point_v<T> || is_half_like_v<T>) {
      const T* p = pc.data<T>();
      for (int64_t i = 0; i < pc.numel() && ok; ++i) ok = float(p[i]) >= 0.0f && double(p[i]) <= 1.0;
    }
  });
  if (!ok)
    throw RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message "
                       "be improved?  If so, please report an enhancement request to PyTorch.)");
  Tensor t = empty(probs.shape(), probs.dtype());
  bernoulli_(t, probs, g);
  return fresh(t);
}

Tensor bernoulli(const Tensor& input, double p, Generator* g) {
  Tensor t = empty(input.shape(), input.dtype());
  bernoulli_(t, p, g);
  return fresh(t);
}

// ---- torch.normal with tensor mean/std: normal_(0, 1) (or (0, std)), then mul_/add_ -------------
namespace {

// out (op)= other, other broadcast to out's shape; computed in double when the promoted dtype is
// float64, else in float (torch's CPU kernels for half/bfloat16/float32), result cast to out's dtype.
// A 0-d `other` does not take part in promotion (torch's rule for dimensionless operands).
template <bool kMul>
void inplace_binary(const Tensor& out, const Tensor& other0) {
  Strides os(out.shape().size(), 0);
  const size_t off = out.shape().size() - other0.shape().size();
  for (size_t d = 0; d < other0.shape().size(); ++d)
    os[off + d] = other0.shape()[d] == 1 ? 0 : other0.strides()[d];
  Tensor other = other0.as_strided(out.shape(), os, other0.offset());
  DType ct = out.dtype();
  if (other0.dim() > 0 && is_floating_point(other0.dtype())) ct = promote_types(ct, other0.dtype());
  const bool dbl = ct == DType::Float64;
  dispatch_dtype(out.dtype(), [&]<typename T>() {
    dispatch_dtype(other.dtype(), [&]<typename O>() {
      if constexpr (!is_complex_v<T> && !is_complex_v<O>) {
        cpu::strided_loop<2>(out.shape(), {&out.strides(), &other.strides()},
                             [&](const std::array<int64_t, 2>& b, int64_t n, const std::array<int64_t, 2>& in) {
          T* o = out.data<T>() + b[0];
          const O* p = other.data<O>() + b[1];
          for (int64_t j = 0; j < n; ++j) {
            T& x = o[j * in[0]];
            const O y = p[j * in[1]];
            if (dbl) {
              double a = convert<double>(x), c = convert<double>(y);
              x = convert<T>(kMul ? a * c : a + c);
            } else {
              float a = convert<float>(x), c = convert<float>(y);
              x = convert<T>(kMul ? a * c : a + c);
            }
          }
        });
      }
    });
  });
}

void check_std_tensor(const Tensor& std) {
  if (is_complex(std.dtype())) throw RuntimeError("normal expects standard deviation to be non-complex");
  Tensor c = contiguous(std);
  bool ok = true;
  dispatch_dtype(c.dtype(), [&]<typename T>() {
    if constexpr (!is_complex_v<T>) {
      const T* p = c.data<T>();
      for (int64_t i = 0; i < c.numel() && ok; ++i) ok = convert<double>(p[i]) >= 0.0;
    }
  });
  if (!ok) throw RuntimeError("normal expects all elements of std >= 0.0");
}

void check_out_shape(const Tensor& out, const Shape& shape) {
  if (out.shape() != shape)
    throw RuntimeError("normal: out has shape " + shape_str(out.shape()) + " but the result has shape " +
                       shape_str(shape));
}

Tensor zero_dim(double v, DType dt) {
  Tensor t = empty(Shape{}, dt);
  dispatch_dtype(dt, [&]<typename T>() { *t.data<T>() = convert<T>(v); });
  return fresh(t);
}

}  // namespace

void normal_out(const Tensor& out, const Tensor& mean, const Tensor& std, Generator* g) {
  check_std_tensor(std);
  check_out_shape(out, broadcast_shapes(mean.shape(), std.shape()));
  normal_(out, 0.0, 1.0, g);
  inplace_binary<true>(out, std);
  inplace_binary<false>(out, mean);
}

void normal_out(const Tensor& out, const Tensor& mean, double std, Generator* g) {
  if (!(std >= 0.0)) normal_(out, 0.0, std, g);  // raises torch's message
  check_out_shape(out, mean.shape());
  normal_(out, 0.0, std, g);
  inplace_binary<false>(out, mean);
}

void normal_out(const Tensor& out, double mean, const Tensor& std, Generator* g) {
  check_std_tensor(std);
  check_out_shape(out, std.shape());
  normal_(out, 0.0, 1.0, g);
  inplace_binary<true>(out, std);
  inplace_binary<false>(out, zero_dim(mean, out.dtype()));
}

Tensor normal(const Tensor& mean, const Tensor& std, Generator* g) {
  check_std_tensor(std);
  Tensor out = empty(broadcast_shapes(mean.shape(), std.shape()), mean.dtype());
  normal_out(out, mean, std, g);
  return fresh(out);
}

Tensor normal(const Tensor& mean, double std, Generator* g) {
  Tensor out = empty(mean.shape(), mean.dtype());
  normal_out(out, mean, std, g);
  return fresh(out);
}

Tensor normal(double mean, const Tensor& std, Generator* g) {
  Tensor out = empty(std.shape(), std.dtype());
  normal_out(out, mean, std, g);
  return fresh(out);
}

Tensor normal(double mean, double std, const Shape& shape, DType dtype, Generator* g) {
  if (!(std >= 0.0)) normal_(empty(Shape{0}, dtype), mean, std, g);  // raises torch's message
  Tensor t = empty(shape, dtype);
  normal_(t, mean, std, g);
  return fresh(t);
}

}  // namespace tb
