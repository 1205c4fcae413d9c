// conj (a copy), real / imag (views, or copies while autograd records; see complex.h), and their
// backward rules. torch's real/imag are view_as_real(z).select(-1, 0 or 1): their nodes carry
// torch's name, SelectBackward0.
#include "tensorbridge/ops/complex.h"

#include <complex>

#include "tensorbridge/autograd/record.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops.h"

namespace tb {

namespace {

// out[i] = f(in[i]) over a contiguous copy of t; out has dtype `out_dt`.
template <class F>
Tensor complex_map(const Tensor& t, DType out_dt, F&& f) {
  Tensor src = contiguous(t);
  Tensor out = empty(t.shape(), out_dt);
  const int64_t n = src.numel();
  if (t.dtype() == DType::Complex64) f(src.data<complex64>(), out.data_ptr(), n);
  else f(src.data<complex128>(), out.data_ptr(), n);
  return out;
}

Tensor conj_kernel(const Tensor& t) {
  return complex_map(t, t.dtype(), [](const auto* in, void* o, int64_t n) {
    using C = std::remove_cv_t<std::remove_pointer_t<decltype(in)>>;
    C* out = static_cast<C*>(o);
    for (int64_t i = 0; i < n; ++i) out[i] = C(in[i].real(), -in[i].imag());
  });
}

}  // namespace

// conj and conj_physical: the same copy, recorded under torch's two node names; the gradient is
// the conjugate of g (through the same op, so double backward records again).
template <Tensor (*Self)(const Tensor&)>
Tensor conj_recorded(const Tensor& t, const char* node_name) {
  if (!is_complex(t.dtype())) return t;  // torch returns a real input itself
  Tensor y = autograd::without_grad([&] { return conj_kernel(t); });
  if (autograd::needs_grad(t))
    if (auto n = autograd::record(node_name, {t}, {y}))
      n->set_backward([](autograd::FunctionNode&, autograd::TensorList& g) -> autograd::TensorList {
        return {Self(g[0])};
      });
  return y;
}

Tensor conj_physical(const Tensor& t) { return conj_recorded<conj_physical>(t, "ConjPhysicalBackward0"); }

Tensor conj(const Tensor& t) { return conj_recorded<conj>(t, "ConjBackward0"); }

namespace {

// The real or imaginary parts of a complex tensor as a real view of the same memory (torch's
// view_as_real(z).select(-1, 0 or 1)): every element is two reals, so strides double and the
// imaginary part starts one real further.
Tensor part_view(const Tensor& t, bool imag_part) {
  Strides strides = t.strides();
  for (auto& st : strides) st *= 2;
  Tensor v(t.storage(), 2 * t.offset() + (imag_part ? 1 : 0), t.shape(), std::move(strides), to_real(t.dtype()),
           t.version_counter());
  v.impl()->inference = t.is_inference();
  return v;
}

// real() / imag(): the view, or while autograd records a copy of it (a view changing the dtype has no
// in-place history path here) with torch's node. The gradient of Re(z) is g, that of Im(z) is i * g.
Tensor part(const Tensor& t, bool imag_part) {
  Tensor v = part_view(t, imag_part);
  if (!autograd::needs_grad(t)) return v;
  Tensor y = autograd::without_grad([&] { return clone(v); });
  const DType cdt = t.dtype();
  if (auto n = autograd::record("SelectBackward0", {t}, {y}))
    n->set_backward([cdt, imag_part](autograd::FunctionNode&, autograd::TensorList& g) -> autograd::TensorList {
      Tensor gc = to_dtype(g[0], cdt);
      return {imag_part ? mul(gc, Operand(Scalar(std::complex<double>(0.0, 1.0)))) : gc};
    });
  return y;
}

}  // namespace

Tensor real(const Tensor& t) { return is_complex(t.dtype()) ? part(t, false) : t; }

Tensor imag(const Tensor& t) {
  if (!is_complex(t.dtype())) throw RuntimeError("imag is not implemented for tensors with non-complex dtypes.");
  return part(t, true);
}

Operand conj(const Operand& o) {
  if (!o.is_scalar) return Operand(conj(o.tensor));
  if (!o.scalar.is_complex()) return o;
  return Operand(Scalar(std::conj(o.scalar.to_complex())));
}

}  // namespace tb
