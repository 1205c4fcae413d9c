// Matrix products: matmul (and the @ operator), mm, bmm, mv, dot, outer. Large products run
// without the GIL.
#include "bindings.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops.h"

namespace tbpy {

namespace {
constexpr int64_t kReleaseGil = 1 << 14;

template <typename F>
tb::Tensor nogil_if_large(const tb::Tensor& a, const tb::Tensor& b, F f) {
  if (a.numel() + b.numel() >= kReleaseGil) {
    nb::gil_scoped_release nogil;
    return f(a, b);
  }
  return f(a, b);
}

using BinaryOp = tb::Tensor (*)(const tb::Tensor&, const tb::Tensor&);

template <BinaryOp Op>
void def_binary(nb::module_& m, TensorClass& cls, const char* name, const char* doc) {
  auto f = [](nb::handle a, nb::handle b) {
    return nogil_if_large(tensor_from_py(a, "", "input"), tensor_from_py(b, "", "other"),
                          [](const tb::Tensor& x, const tb::Tensor& y) { return Op(x, y); });
  };
  cls.def(name, f, nb::arg("other"), doc);
  m.def(name, f, nb::arg("input"), nb::arg("other"), doc);
}
}  // namespace

void bind_ops_linalg(nb::module_& m, TensorClass& cls) {
  def_binary<&tb::matmul>(m, cls, "matmul",
                          "Matrix product with torch.matmul's rules for 1-D operands and broadcast batch dims.");
  def_binary<&tb::mm>(m, cls, "mm", "Product of two matrices.");
  def_binary<&tb::bmm>(m, cls, "bmm", "Batched product of [b, n, m] and [b, m, p] tensors.");
  def_binary<&tb::mv>(m, cls, "mv", "Matrix-vector product.");
  def_binary<&tb::dot>(m, cls, "dot", "Dot product of two 1-D tensors (no conjugation).");
  def_binary<&tb::outer>(m, cls, "outer", "Outer product of two 1-D tensors (dtypes promoted).");
  def_binary<&tb::outer>(m, cls, "ger", "Alias of outer().");
  // @: NotImplemented for non-tensors so that Python can try the other operand.
  cls.def("__matmul__", [](nb::handle a, nb::handle b) -> nb::object {
    if (!is_tensor(b)) return nb::borrow(Py_NotImplemented);
    return wrap(nogil_if_large(nb::cast<const tb::Tensor&>(a), nb::cast<const tb::Tensor&>(b),
                               [](const tb::Tensor& x, const tb::Tensor& y) { return tb::matmul(x, y); }));
  }, nb::arg("other").none(), "self @ other");
  cls.def("__rmatmul__", [](nb::handle a, nb::handle b) -> nb::object {
    if (!is_tensor(b)) return nb::borrow(Py_NotImplemented);
    return wrap(nogil_if_large(nb::cast<const tb::Tensor&>(b), nb::cast<const tb::Tensor&>(a),
                               [](const tb::Tensor& x, const tb::Tensor& y) { return tb::matmul(x, y); }));
  }, nb::arg("other").none(), "other @ self");
}

}  // namespace tbpy
