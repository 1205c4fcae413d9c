// Backward rules of the indexing ops (torch's derivatives, written with our recording ops so that
// they are differentiable again). Gradients that flow back into indexed positions accumulate:
// repeated indices add up (index_put_ with accumulate, scatter_add).
#include "tensorbridge/autograd/rules.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops.h"

namespace tb::autograd {

namespace {

constexpr size_t kNone = size_t(-1);
Operand num(double v) { return Operand(Scalar(v)); }

// A saved list of index tensors (undefined entries stay undefined).
struct SavedIndices {
  std::vector<size_t> slots;
  SavedIndices(FunctionNode& n, const std::vector<Tensor>& indices) {
    for (const Tensor& t : indices) slots.push_back(t.defined() ? n.save(t) : kNone);
  }
  std::vector<Tensor> get(FunctionNode& n) const {
    std::vector<Tensor> r;
    for (size_t s : slots) r.push_back(s == kNone ? Tensor() : n.saved(s));
    return r;
  }
};

// The gradient of t[indices]: zeros of t's shape with g added at the indexed positions.
Tensor index_backward(const Tensor& g, const Shape& shape, const std::vector<Tensor>& indices) {
  Tensor z = zeros(shape, g.dtype());
  tb::index_put_(z, indices, g, /*accumulate=*/true);
  return z;
}

// out = self_in with values put at indices. Gradients: self gets g (zero where overwritten unless
// accumulating), values get g[indices] summed to their shape.
std::shared_ptr<FunctionNode> record_index_put(const Tensor& self_in, const Tensor& values, const Tensor& out,
                                               const std::vector<Tensor>& indices, bool accumulate) {
  auto n = record("IndexPutBackward0", {self_in, values}, {out});
  if (!n) return n;
  const SavedIndices si(*n, indices);
  const Shape vshape = values.shape();
  n->set_backward([si, vshape, accumulate](FunctionNode& self, TensorList& g) -> TensorList {
    const std::vector<Tensor> idx = si.get(self);
    TensorList r(2);
    if (self.needs_input_grad(0))
      r[0] = accumulate ? g[0] : tb::index_put(g[0], idx, zeros({}, g[0].dtype()), false);
    if (self.needs_input_grad(1)) r[1] = sum_to_shape(tb::index(g[0], idx), vshape);
    return r;
  });
  return n;
}

enum class ScatterKind { Src, Value, Add };

// out = self_in with src (or a value) scattered along dim. Gradients: self gets g, zero where
// overwritten (all of it for scatter_add); src gets g gathered at index.
std::shared_ptr<FunctionNode> record_scatter(ScatterKind kind, const Tensor& self_in, const Tensor& src,
                                             const Tensor& out, int64_t dim, const Tensor& index) {
  const char* name = kind == ScatterKind::Src ? "ScatterBackward0"
                     : kind == ScatterKind::Value ? "ScatterBackward1" : "ScatterAddBackward0";
  auto n = kind == ScatterKind::Value ? record(name, {self_in}, {out}) : record(name, {self_in, src}, {out});
  if (!n) return n;
  const size_t ii = n->save(index);
  n->set_backward([kind, ii, dim](FunctionNode& self, TensorList& g) -> TensorList {
    Tensor idx = self.saved(ii);
    TensorList r(kind == ScatterKind::Value ? 1 : 2);
    if (self.needs_input_grad(0))
      r[0] = kind == ScatterKind::Add ? g[0] : tb::scatter(g[0], dim, idx, Scalar(0.0));
    if (kind != ScatterKind::Value && self.needs_input_grad(1)) r[1] = tb::gather(g[0], dim, idx);
    return r;
  });
  return n;
}

// out = self_in with value where mask. Gradients: self gets g where not mask (summed to its
// shape: mask may broadcast it), a tensor value the sum of g where mask.
std::shared_ptr<FunctionNode> record_masked_fill(const Tensor& self_in, const Tensor& value, const Tensor& out,
                                                 const Tensor& mask) {
  auto n = value.defined() ? record("MaskedFillBackward1", {self_in, value}, {out})
                           : record("MaskedFillBackward0", {self_in}, {out});
  if (!n) return n;
  const size_t mi = n->save(mask);
  const Shape shape = self_in.shape();
  const bool has_value = value.defined();
  n->set_backward([mi, shape, has_value](FunctionNode& self, TensorList& g) -> TensorList {
    Tensor mask = self.saved(mi);
    TensorList r(has_value ? 2 : 1);
    if (self.needs_input_grad(0)) r[0] = sum_to_shape(tb::where(mask, num(0), g[0]), shape);
    if (has_value && self.needs_input_grad(1)) r[1] = tb::sum(tb::where(mask, g[0], num(0)));
    return r;
  });
  return n;
}

}  // namespace

// ---- advanced indexing ------------------------------------------------------------------------

Tensor index(const Tensor& t, const std::vector<Tensor>& indices) {
  Tensor y = without_grad([&] { return tb::index(t, indices); });
  auto n = record("IndexBackward0", {t}, {y});
  if (!n) return y;
  const SavedIndices si(*n, indices);
  const Shape shape = t.shape();
  n->set_backward([si, shape](FunctionNode& self, TensorList& g) -> TensorList {
    return {index_backward(g[0], shape, si.get(self))};
  });
  return y;
}

void index_put_(const Tensor& t, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate) {
  check_inplace(t);
  Tensor old = before_inplace(t, false);
  without_grad([&] { tb::index_put_(t, indices, values, accumulate); });
  finish_inplace(t, record_index_put(old, values, t, indices, accumulate));
}

Tensor index_put(const Tensor& t, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate) {
  Tensor y = without_grad([&] { return tb::index_put(t, indices, values, accumulate); });
  record_index_put(t, values, y, indices, accumulate);
  return y;
}

// ---- index_select, gather, take ---------------------------------------------------------------

Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index) {
  Tensor y = without_grad([&] { return tb::index_select(t, dim, index); });
  auto n = record("IndexSelectBackward0", {t}, {y});
  if (!n) return y;
  const size_t ii = n->save(index);
  const Shape shape = t.shape();
  const int64_t d = t.dim() == 0 ? 0 : wrap_dim(dim, t.dim());
  n->set_backward([ii, shape, d](FunctionNode& self, TensorList& g) -> TensorList {
    if (shape.empty()) return {g[0]};  // a 0-d t: one index, the gradient itself
    Tensor idx = self.saved(ii);
    if (idx.dim() == 0) idx = tb::reshape(idx, {1});
    std::vector<Tensor> list(static_cast<size_t>(d));
    list.push_back(idx);
    return {index_backward(g[0], shape, list)};
  });
  return y;
}

Tensor gather(const Tensor& t, int64_t dim, const Tensor& index) {
  Tensor y = without_grad([&] { return tb::gather(t, dim, index); });
  auto n = record("GatherBackward0", {t}, {y});
  if (!n) return y;
  const size_t ii = n->save(index);
  const Shape shape = t.shape();
  n->set_backward([ii, shape, dim](FunctionNode& self, TensorList& g) -> TensorList {
    return {tb::scatter_add(zeros(shape, g[0].dtype()), dim, self.saved(ii), g[0])};
  });
  return y;
}

Tensor take(const Tensor& t, const Tensor& index) {
  Tensor y = without_grad([&] { return tb::take(t, index); });
  auto n = record("TakeBackward0", {t}, {y});
  if (!n) return y;
  const size_t ii = n->save(index);
  const Shape shape = t.shape();
  n->set_backward([ii, shape](FunctionNode& self, TensorList& g) -> TensorList {
    // t read as 1-D: g added at the taken positions, then back to t's shape
    Tensor flat = index_backward(g[0], {numel_of(shape)}, {self.saved(ii)});
    return {tb::reshape(flat, shape)};
  });
  return y;
}

// ---- scatter ----------------------------------------------------------------------------------

void scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  check_inplace(t);
  Tensor old = before_inplace(t, false);
  without_grad([&] { tb::scatter_(t, dim, index, src); });
  finish_inplace(t, record_scatter(ScatterKind::Src, old, src, t, dim, index));
}

void scatter_(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value) {
  check_inplace(t);
  Tensor old = before_inplace(t, false);
  without_grad([&] { tb::scatter_(t, dim, index, value); });
  finish_inplace(t, record_scatter(ScatterKind::Value, old, Tensor(), t, dim, index));
}

void scatter_add_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  check_inplace(t);
  Tensor old = before_inplace(t, false);
  without_grad([&] { tb::scatter_add_(t, dim, index, src); });
  finish_inplace(t, record_scatter(ScatterKind::Add, old, src, t, dim, index));
}

Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  Tensor y = without_grad([&] { return tb::scatter(t, dim, index, src); });
  record_scatter(ScatterKind::Src, t, src, y, dim, index);
  return y;
}

Tensor scatter(const Tensor& t, int64_t dim, const Tensor& index, const Scalar& value) {
  Tensor y = without_grad([&] { return tb::scatter(t, dim, index, value); });
  record_scatter(ScatterKind::Value, t, Tensor(), y, dim, index);
  return y;
}

Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  Tensor y = without_grad([&] { return tb::scatter_add(t, dim, index, src); });
  record_scatter(ScatterKind::Add, t, src, y, dim, index);
  return y;
}

// ---- scatter with a reduction ------------------------------------------------------------------
// torch's scatter_reduce_backward (Note [scatter reductions] in ops/index.cpp for the forward):
//   sum:  self g, src g gathered;
//   mean: both divided by the number of values that met at each position (self counted when included);
//   amax/amin: g shared evenly among the values equal to the result;
//   prod: g times the product of the others, zeros handled by products with them masked to 1.
// With include_self=false, self's gradient is zero where something was scattered.

namespace {

Tensor scatter_reduce_copy(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src,
                           ScatterReduce reduce, bool include_self) {
  Tensor c = tb::clone(x);  // the front ends record when grad mode is on (create_graph)
  tb::scatter_reduce_(c, dim, index, src, reduce, include_self);
  return c;
}

// The gradients of self (when need_self) and src (when need_src); the other stays undefined.
TensorList scatter_reduce_grads(const Tensor& g, const Tensor& self, const Tensor& src, const Tensor& result,
                                const Tensor& idx, int64_t dim, ScatterReduce reduce, bool include_self,
                                const Shape& src_shape, DType src_dtype, bool need_self, bool need_src) {
  Tensor gs, gr;
  switch (reduce) {
    case ScatterReduce::Sum:
      if (need_self) gs = g;
      if (need_src) gr = tb::gather(g, dim, idx);
      break;
    case ScatterReduce::Mean: {
      Tensor n = include_self ? ones(g.shape(), g.dtype()) : zeros(g.shape(), g.dtype());
      n = tb::scatter_add(n, dim, idx, ones(src_shape, src_dtype));
      n = tb::masked_fill(n, tb::eq(n, num(0)), Scalar(1.0));
      if (need_self) gs = tb::div(g, n);
      if (need_src) gr = tb::div(tb::gather(g, dim, idx), tb::gather(n, dim, idx));
      break;
    }
    case ScatterReduce::Amax:
    case ScatterReduce::Amin: {
      Tensor value = tb::gather(result, dim, idx);
      Tensor self_is = tb::to_dtype(tb::eq(self, result), g.dtype());
      Tensor src_is = tb::to_dtype(tb::eq(src, value), g.dtype());
      Tensor share = tb::div(g, tb::scatter_add(self_is, dim, idx, src_is));
      if (need_self) gs = tb::mul(self_is, share);
      if (need_src) gr = tb::mul(src_is, tb::gather(share, dim, idx));
      break;
    }
    case ScatterReduce::Prod: {
      if (need_self) {
        Tensor masked_self = tb::masked_fill(self, tb::eq(self, num(0)), Scalar(1.0));
        Tensor masked_self_result = scatter_reduce_copy(masked_self, dim, idx, src, reduce, include_self);
        gs = tb::div(tb::mul(g, masked_self_result), masked_self);
      }
      if (!need_src) break;
      Tensor src_zero = tb::eq(src, num(0));
      Tensor zeros_at = tb::gather(
          tb::scatter_add(zeros(self.shape(), self.dtype()), dim, idx, tb::to_dtype(src_zero, self.dtype())), dim, idx);
      Tensor single_zero = tb::bitwise_and(src_zero, tb::eq(zeros_at, num(1)));
      Tensor masked_src_result =
          scatter_reduce_copy(self, dim, idx, tb::masked_fill(src, single_zero, Scalar(1.0)), reduce, include_self);
      gr = tb::where(single_zero, tb::gather(tb::mul(g, masked_src_result), dim, idx),
                     tb::div(tb::gather(tb::mul(g, result), dim, idx), tb::masked_fill(src, src_zero, Scalar(1.0))));
      break;
    }
  }
  if (gs.defined() && !include_self) gs = tb::scatter(gs, dim, idx, Scalar(0.0));
  return {gs, gr};
}

}  // namespace

void scatter_reduce_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src, ScatterReduce reduce,
                     bool include_self) {
  check_inplace(t);
  const bool uses_values = reduce == ScatterReduce::Prod || reduce == ScatterReduce::Amax ||
                           reduce == ScatterReduce::Amin;
  Tensor old = before_inplace(t, uses_values);
  without_grad([&] { tb::scatter_reduce_(t, dim, index, src, reduce, include_self); });
  auto n = record("ScatterReduceBackward0", {old, src}, {t});
  if (n) {
    const size_t ii = n->save(index);
    const size_t si = uses_values ? n->save(old) : kNone;
    const size_t ri = uses_values ? n->save(src) : kNone;
    const size_t yi = uses_values ? n->save(t, true) : kNone;
    const Shape src_shape = src.shape();
    const DType src_dtype = src.dtype();
    n->set_backward([=](FunctionNode& self, TensorList& g) -> TensorList {
      auto get = [&](size_t i) { return i == kNone ? Tensor() : self.saved(i); };
      return scatter_reduce_grads(g[0], get(si), get(ri), get(yi), self.saved(ii), dim, reduce, include_self,
                                  src_shape, src_dtype, self.needs_input_grad(0), self.needs_input_grad(1));
    });
  }
  finish_inplace(t, n);
}

void scatter_legacy_reduce_(const Tensor& t, int64_t dim, const Tensor& index, const Tensor* src,
                            const Scalar& value, ScatterReduce reduce) {
  check_inplace(t);
  Tensor old = before_inplace(t, false);
  without_grad([&] {
    if (src) tb::scatter_(t, dim, index, *src, reduce);
    else tb::scatter_reduce_(t, dim, index, value, reduce);
  });
  // torch has no derivative for scatter(reduce=): it records a node that fails in backward
  auto n = record("tensorbridge::autograd::NotImplemented", {old, src ? *src : Tensor()}, {t});
  if (n)
    n->set_backward([](FunctionNode&, TensorList&) -> TensorList {
      throw RuntimeError("derivative for aten::scatter is not implemented");
    });
  finish_inplace(t, n);
}

// ---- masked_fill ------------------------------------------------------------------------------

void masked_fill_(const Tensor& t, const Tensor& mask, const Scalar& value) {
  check_inplace(t);
  Tensor old = before_inplace(t, false);
  without_grad([&] { tb::masked_fill_(t, mask, value); });
  finish_inplace(t, record_masked_fill(old, Tensor(), t, mask));
}

void masked_fill_(const Tensor& t, const Tensor& mask, const Tensor& value) {
  check_inplace(t);
  Tensor old = before_inplace(t, false);
  without_grad([&] { tb::masked_fill_(t, mask, value); });
  finish_inplace(t, record_masked_fill(old, value, t, mask));
}

Tensor masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value) {
  Tensor y = without_grad([&] { return tb::masked_fill(t, mask, value); });
  record_masked_fill(t, Tensor(), y, mask);
  return y;
}

Tensor masked_fill(const Tensor& t, const Tensor& mask, const Tensor& value) {
  Tensor y = without_grad([&] { return tb::masked_fill(t, mask, value); });
  record_masked_fill(t, value, y, mask);
  return y;
}

}  // namespace tb::autograd
