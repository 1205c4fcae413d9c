// Backward rules of the matrix products.
#include "tensorbridge/autograd/rules.h"
#include "tensorbridge/ops.h"

namespace tb::autograd {

Tensor mm(const Tensor& a, const Tensor& b) {
  Tensor y = without_grad([&] { return tb::mm(a, b); });
  auto n = record("MmBackward0", {a, b}, {y});
  if (!n) return y;
  // d(a@b)/da = g @ b^T needs b; d/db = a^T @ g needs a
  const size_t bi = n->needs_input_grad(0) ? n->save(b) : 0;
  const size_t ai = n->needs_input_grad(1) ? n->save(a) : 0;
  n->set_backward([ai, bi](FunctionNode& self, TensorList& g) -> TensorList {
    TensorList r(2);
    if (self.needs_input_grad(0)) r[0] = tb::mm(g[0], tb::t(self.saved(bi)));
    if (self.needs_input_grad(1)) r[1] = tb::mm(tb::t(self.saved(ai)), g[0]);
    return r;
  });
  return y;
}

}  // namespace tb::autograd
