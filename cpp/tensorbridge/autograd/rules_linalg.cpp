// Backward rules of the matrix products, and torch.matmul's composite built from them.
#include <algorithm>

#include "tensorbridge/autograd/rules.h"
#include "tensorbridge/ops.h"
#include "tensorbridge/ops/complex.h"

namespace tb::autograd {

Tensor mm(const Tensor& a, const Tensor& b) {
  Tensor y = without_grad([&] { return tb::mm(a, b); });
  auto n = record("MmBackward0", {a, b}, {y});
  if (!n) return y;
  // d(a@b)/da = g @ b^H needs b; d/db = a^H @ g needs a (^H: the conjugate transpose, which is
  // the plain transpose for real tensors; conj() of a real tensor is the tensor itself)
  const size_t bi = n->needs_input_grad(0) ? n->save(b) : 0;
  const size_t ai = n->needs_input_grad(1) ? n->save(a) : 0;
  n->set_backward([ai, bi](FunctionNode& self, TensorList& g) -> TensorList {
    TensorList r(2);
    if (self.needs_input_grad(0)) r[0] = tb::mm(g[0], tb::t(tb::conj(self.saved(bi))));
    if (self.needs_input_grad(1)) r[1] = tb::mm(tb::t(tb::conj(self.saved(ai))), g[0]);
    return r;
  });
  return y;
}

Tensor bmm(const Tensor& a, const Tensor& b) {
  Tensor y = without_grad([&] { return tb::bmm(a, b); });
  auto n = record("BmmBackward0", {a, b}, {y});
  if (!n) return y;
  const size_t bi = n->needs_input_grad(0) ? n->save(b) : 0;
  const size_t ai = n->needs_input_grad(1) ? n->save(a) : 0;
  n->set_backward([ai, bi](FunctionNode& self, TensorList& g) -> TensorList {
    TensorList r(2);
    if (self.needs_input_grad(0)) r[0] = tb::bmm(g[0], tb::mT(tb::conj(self.saved(bi))));
    if (self.needs_input_grad(1)) r[1] = tb::bmm(tb::mT(tb::conj(self.saved(ai))), g[0]);
    return r;
  });
  return y;
}

Tensor mv(const Tensor& a, const Tensor& v) {
  Tensor y = without_grad([&] { return tb::mv(a, v); });
  auto n = record("MvBackward0", {a, v}, {y});
  if (!n) return y;
  // d/da = outer(g, conj(v)); d/dv = a^H @ g
  const size_t vi = n->needs_input_grad(0) ? n->save(v) : 0;
  const size_t ai = n->needs_input_grad(1) ? n->save(a) : 0;
  n->set_backward([ai, vi](FunctionNode& self, TensorList& g) -> TensorList {
    TensorList r(2);
    if (self.needs_input_grad(0)) r[0] = tb::mul(tb::unsqueeze(g[0], 1), tb::unsqueeze(tb::conj(self.saved(vi)), 0));
    if (self.needs_input_grad(1)) r[1] = tb::mv(tb::t(tb::conj(self.saved(ai))), g[0]);
    return r;
  });
  return y;
}

Tensor dot(const Tensor& a, const Tensor& b) {
  Tensor y = without_grad([&] { return tb::dot(a, b); });
  auto n = record("DotBackward0", {a, b}, {y});
  if (!n) return y;
  const size_t bi = n->needs_input_grad(0) ? n->save(b) : 0;
  const size_t ai = n->needs_input_grad(1) ? n->save(a) : 0;
  n->set_backward([ai, bi](FunctionNode& self, TensorList& g) -> TensorList {
    TensorList r(2);
    if (self.needs_input_grad(0)) r[0] = tb::mul(g[0], tb::conj(self.saved(bi)));
    if (self.needs_input_grad(1)) r[1] = tb::mul(g[0], tb::conj(self.saved(ai)));
    return r;
  });
  return y;
}

// ---- matmul -----------------------------------------------------------------------------------
// torch.matmul records no node of its own: it dispatches on the ranks to dot, mv, mm (with
// squeeze), a "folded" mm/mv (the batch dims of the larger operand merged into its rows) or a
// broadcast bmm, all differentiable. The choices below are torch 2.13's (observed with grad_fn),
// so the recorded graph -- and the name of the output's grad_fn -- match torch's.

namespace {

// torch's should_fold: fold the larger operand (rank >= 3 against rank <= 2) into a matrix when
// that avoids a batched gradient for the smaller one, or costs no copy.
bool should_fold(const Tensor& a, const Tensor& b) {
  const int64_t da = a.dim(), db = b.dim();
  const bool a_larger = da >= db;
  const int64_t d1 = a_larger ? da : db, d2 = a_larger ? db : da;
  if (!(d1 >= 3 && d2 <= 2)) return false;
  if (requires_grad(a_larger ? b : a)) return true;
  if (da == 2) return false;  // 2-D @ batch: folding would need a transposed copy of the result
  // the larger operand (b seen transposed when it is the larger) must fold without a copy
  Shape shape = a_larger ? a.shape() : b.shape();
  Strides strides = a_larger ? a.strides() : b.strides();
  if (!a_larger) {
    std::swap(shape[size_t(d1 - 1)], shape[size_t(d1 - 2)]);
    std::swap(strides[size_t(d1 - 1)], strides[size_t(d1 - 2)]);
  }
  if (numel_of(shape) == 0) return true;
  for (int64_t i = 0; i + 2 < d1; ++i)
    if (strides[size_t(i)] != strides[size_t(i + 1)] * shape[size_t(i + 1)]) return false;
  return true;
}

// The product of a folded operand t1 (rank >= 3) with a matrix or vector t2.
Tensor folded_matmul(const Tensor& a, const Tensor& b) {
  const bool transpose = b.dim() > a.dim();  // compute (b^T @ a^T)^T
  const Tensor t1 = transpose ? tb::mT(b) : a;
  const Tensor t2 = !transpose ? b : (a.dim() == 2 ? tb::t(a) : a);
  Shape out_shape(t1.shape().begin(), t1.shape().end() - 1);
  const int64_t rows = numel_of(out_shape);
  const bool matrix = t2.dim() == 2;
  if (matrix) out_shape.push_back(t2.shape()[1]);
  const Tensor t1_folded = tb::reshape(t1, {rows, t1.shape().back()});
  if (!matrix) return unsafe_view(tb::mv(t1_folded, t2), out_shape);
  Tensor out = unsafe_view(tb::mm(t1_folded, t2), out_shape);
  return transpose ? tb::contiguous(tb::mT(out)) : out;
}

Tensor record_squeeze4(const Tensor& m, const Tensor& y) {
  if (auto n = record("SqueezeBackward4", {m}, {y}))
    n->set_backward([](FunctionNode&, TensorList& g) -> TensorList { return {tb::unsqueeze(g[0], 0)}; });
  return y;
}

// Broadcast batch dims, both operands reshaped to [batch, rows, cols] and one bmm.
Tensor batched_matmul(const Tensor& a, const Tensor& b) {
  const int64_t da = a.dim(), db = b.dim();
  const int64_t n = da > 1 ? a.shape()[size_t(da - 2)] : 1, m1 = a.shape().back();
  const int64_t m2 = db > 1 ? b.shape()[size_t(db - 2)] : b.shape()[0], p = db > 1 ? b.shape().back() : 1;
  const Shape batch_a(a.shape().begin(), a.shape().begin() + std::max<int64_t>(da - 2, 0));
  const Shape batch_b(b.shape().begin(), b.shape().begin() + std::max<int64_t>(db - 2, 0));
  Shape out_shape = broadcast_shapes(batch_a, batch_b);
  const int64_t batch = numel_of(out_shape);
  Shape ea = out_shape, eb = out_shape;
  ea.push_back(n);
  ea.push_back(m1);
  eb.push_back(m2);
  const bool vector_rhs = db == 1;
  if (!vector_rhs) eb.push_back(p);
  const Tensor a3 = tb::reshape(tb::expand(a, ea), {batch, n, m1});
  const Tensor b3 = vector_rhs ? tb::unsqueeze(tb::reshape(tb::expand(b, eb), {batch, m2}), 2)
                               : tb::reshape(tb::expand(b, eb), {batch, m2, p});
  if (da > 1) out_shape.push_back(n);
  if (db > 1) out_shape.push_back(p);
  Tensor r = tb::bmm(a3, b3);
  if (vector_rhs) r = tb::squeeze(r, int64_t(-1));
  return unsafe_view(r, out_shape);
}

}  // namespace

Tensor matmul(const Tensor& a_in, const Tensor& b_in) {
  Tensor a = a_in, b = b_in;
  const int64_t da = a.dim(), db = b.dim();
  if (da == 1 && db == 1) return tb::dot(a, b);
  if (da == 2 && db == 1) return tb::mv(a, b);
  if (da == 1 && db == 2) {
    // torch: a.unsqueeze(0).mm(b).squeeze_(0) -- the in-place squeeze is SqueezeBackward4
    Tensor m = tb::mm(tb::unsqueeze(a, 0), b);
    Tensor y = m.as_strided({m.shape()[1]}, {m.strides()[1]}, m.offset());
    return record_squeeze4(m, y);
  }
  if (da == 2 && db == 2) return tb::mm(a, b);
  // torch 2.13: a 3-D operand with a batch of one that requires grad, against a 3-D operand with
  // another batch size, is squeezed to a matrix first (its gradient then needs no batch sum)
  if (da == 3 && db == 3) {
    if (a.shape()[0] == 1 && b.shape()[0] != 1 && requires_grad(a)) a = tb::squeeze(a, int64_t(0));
    else if (b.shape()[0] == 1 && a.shape()[0] != 1 && requires_grad(b)) b = tb::squeeze(b, int64_t(0));
  }
  return should_fold(a, b) ? folded_matmul(a, b) : batched_matmul(a, b);
}

}  // namespace tb::autograd
