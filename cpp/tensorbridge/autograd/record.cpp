#include "tensorbridge/autograd/record.h"

#include "tensorbridge/backend/cpu/strided_loop.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops.h"

namespace tb::autograd {

bool is_differentiable(DType dt) { return is_floating_point(dt) || is_complex(dt); }

namespace {

// The nodes whose backward rules follow torch's complex (conjugate Wirtinger) convention: only
// these are recorded when a complex tensor takes part (as an input that requires grad, or as an
// output). Every other op refuses complex autograd (NotImplementedError) rather than give wrong
// gradients. Keep in step with docs/autograd.md ("Complex tensors").
bool complex_rule_exists(std::string_view name) {
  static const std::string_view kNames[] = {
      // element-wise (rules_elementwise.cpp, ops/complex.cpp)
      "AddBackward0", "SubBackward0", "RsubBackward1", "MulBackward0", "DivBackward0", "NegBackward0",
      "ConjBackward0", "ConjPhysicalBackward0", "AbsBackward0",
      "ExpBackward0", "Exp2Backward0", "Expm1Backward0", "LogBackward0", "Log2Backward0",
      "Log10Backward0", "Log1PBackward0", "SqrtBackward0", "RsqrtBackward0", "ReciprocalBackward0",
      "PowBackward0", "SinBackward0", "CosBackward0", "TanBackward0", "SinhBackward0", "CoshBackward0",
      "TanhBackward0", "SigmoidBackward0", "AsinBackward0", "AcosBackward0", "AtanBackward0",
      "CloneBackward0", "ToCopyBackward0", "WhereBackward0", "FillBackward2", "ZeroBackward0",
      "tensorbridge::autograd::CopyBackwards",
      // reductions (rules_reduce.cpp)
      "SumBackward0", "SumBackward1", "MeanBackward0", "MeanBackward1", "ProdBackward0",
      "ProdBackward1", "CumsumBackward0", "CumprodBackward0", "VarBackward0",
      "StdBackward0", "LinalgVectorNormBackward0",
      // views and shape ops (rules_shape.cpp)
      "ViewBackward0", "ReshapeAliasBackward0", "UnsafeViewBackward0", "AliasBackward0",
      "PermuteBackward0", "TransposeBackward0", "TBackward0", "SqueezeBackward0", "SqueezeBackward1",
      "SqueezeBackward2", "SqueezeBackward4", "UnsqueezeBackward0", "ExpandBackward0", "SliceBackward0",
      "SelectBackward0", "UnbindBackward0", "SplitBackward0", "SplitWithSizesBackward0", "CatBackward0",
      "StackBackward0", "FlipBackward0", "RollBackward0", "RepeatBackward0", "SelectBackwardBackward0",
      "SliceBackwardBackward0",
      // indexing (rules_index.cpp)
      "IndexBackward0", "IndexSelectBackward0", "GatherBackward0", "TakeBackward0", "IndexPutBackward0",
      "ScatterAddBackward0", "ScatterBackward0", "ScatterBackward1", "MaskedFillBackward0",
      "MaskedFillBackward1",
      // matrix products (rules_linalg.cpp)
      "MmBackward0", "BmmBackward0", "MvBackward0", "DotBackward0",
  };
  for (std::string_view n : kNames)
    if (n == name) return true;
  return false;
}

// Geometry of a tensor inside its storage.
struct Geometry {
  Shape shape;
  Strides strides;
  int64_t offset = 0;
  explicit Geometry(const Tensor& t) : shape(t.shape()), strides(t.strides()), offset(t.offset()) {}
};

// A zero-filled tensor as large as `like`'s storage, seen with geometry g.
Tensor storage_sized_zeros(const Tensor& like, int64_t storage_elems, const Geometry& g) {
  Tensor flat = zeros({storage_elems}, like.dtype());
  return flat.as_strided(g.shape, g.strides, g.offset);
}

int64_t storage_elems(const Tensor& t) { return int64_t(t.storage()->nbytes() / t.itemsize()); }

// base-shaped gradient of a view with geometry `view` of a base with geometry `base`: the view's
// gradient added at the storage positions it covers (views may overlap, e.g. expand).
Tensor view_to_base_grad(const Tensor& g, const Geometry& base, const Geometry& view, int64_t nelems) {
  Tensor flat = zeros({nelems}, g.dtype());
  Tensor gc = contiguous(g);
  dispatch_dtype(g.dtype(), [&]<typename T>() {
    if constexpr (!std::is_same_v<T, bool>) {
      T* dst = flat.data<T>();
      const T* src = gc.data<T>();
      const int64_t n = gc.numel();
      const size_t nd = view.shape.size();
      std::vector<int64_t> idx(nd, 0);
      for (int64_t i = 0; i < n; ++i) {
        int64_t off = view.offset;
        for (size_t d = 0; d < nd; ++d) off += idx[d] * view.strides[d];
        dst[off] = T(dst[off] + src[i]);
        for (size_t d = nd; d-- > 0;) {
          if (++idx[d] < view.shape[d]) break;
          idx[d] = 0;
        }
      }
    }
  });
  return flat.as_strided(base.shape, base.strides, base.offset);
}

// x.as_strided(view geometry) seen from the base: the history of a view whose base was changed
// in place, or of a view written in place.
class AsStridedBackward : public Node {
 public:
  AsStridedBackward(const Tensor& base, const Tensor& view)
      : base_(base), view_(view), nelems_(storage_elems(base)) {}
  std::string name() const override { return "AsStridedBackward0"; }
  TensorList apply(TensorList&& grads) override {
    return {view_to_base_grad(grads[0], base_, view_, nelems_)};
  }

 private:
  Geometry base_, view_;
  int64_t nelems_;
};

// The base's history after an in-place op `fn` wrote through one of its views.
class CopySlices : public Node {
 public:
  CopySlices(const Tensor& base, const Tensor& view, std::shared_ptr<FunctionNode> fn)
      : base_(base), view_(view), nelems_(storage_elems(base)), fn_(std::move(fn)) {}
  std::string name() const override { return "tensorbridge::autograd::CopySlices"; }
  void release_saved() override { fn_->release_saved(); }
  TensorList apply(TensorList&& grads) override {
    Tensor result = storage_sized_zeros(grads[0], nelems_, base_);
    copy_(result, grads[0]);
    Tensor slice = result.as_strided(view_.shape, view_.strides, view_.offset);
    TensorList res = fn_->apply({clone(slice)});
    if (res.size() > 0 && res[0].defined()) copy_(slice, res[0]);
    else fill_(slice, Scalar(int64_t(0)));
    res.resize(next_edges.size());
    res[0] = result;
    return res;
  }

 private:
  Geometry base_, view_;
  int64_t nelems_;
  std::shared_ptr<FunctionNode> fn_;
};

}  // namespace

Edge gradient_edge(const Tensor& t) {
  AutogradMeta* m = meta_if(t);
  const TensorImpl* impl = t.impl();
  if (impl->differentiable_view && impl->view_base->requires_grad &&
      (!m || !m->grad_fn || m->attr_version != t.version())) {
    // the data changed in place since this view's history was recorded (through the base or
    // another view), or the base got a history after the view was made: the view's gradient now
    // flows through the base's current history
    Tensor base = t.view_base();
    auto n = std::make_shared<AsStridedBackward>(base, t);
    n->next_edges.push_back(gradient_edge(base));
    n->add_output(t);
    set_history(t, n, 0);
    m = meta_if(t);
  }
  if (m && m->grad_fn) return Edge{m->grad_fn, m->output_nr};
  if (t.requires_grad()) return Edge{grad_accumulator(t), 0};
  return Edge{};
}

std::shared_ptr<Node> current_grad_fn(const Tensor& t) {
  if (t.is_view() && t.requires_grad()) gradient_edge(t);
  return grad_fn(t);
}

std::shared_ptr<FunctionNode> record(const char* name, const std::vector<Tensor>& inputs,
                                     const std::vector<Tensor>& outputs) {
  bool any_input = false;
  for (const Tensor& t : inputs) any_input = any_input || requires_grad(t);
  bool any_output = false;
  for (const Tensor& t : outputs) any_output = any_output || (t.defined() && is_differentiable(t.dtype()));
  if (!any_input || !any_output || !GradMode::is_enabled()) return nullptr;
  bool complex_seen = false;
  for (const Tensor& t : inputs) complex_seen = complex_seen || (requires_grad(t) && is_complex(t.dtype()));
  for (const Tensor& t : outputs) complex_seen = complex_seen || (t.defined() && is_complex(t.dtype()));
  if (complex_seen && !complex_rule_exists(name))
    throw NotImplementedError(std::string(name) + ": autograd for complex tensors is not supported "
                              "by tensorbridge for this operation (see docs/autograd.md)");
  // The edges first: gradient_edge may create a node (the regenerated history of a view changed in
  // place), which must be older than this one -- the engine relies on next nodes being created
  // before the nodes that point to them (mark_needed's creation-order walk).
  std::vector<Edge> edges;
  edges.reserve(inputs.size());
  for (const Tensor& t : inputs) edges.push_back(requires_grad(t) ? gradient_edge(t) : Edge{});
  auto node = std::make_shared<FunctionNode>(name);
  node->next_edges = std::move(edges);
  for (const Tensor& t : outputs) {
    uint32_t slot = node->add_output(t);
    if (t.defined() && is_differentiable(t.dtype())) set_history(t, node, slot);
  }
  return node;
}

std::shared_ptr<FunctionNode> record(const char* name, std::initializer_list<Tensor> inputs,
                                     std::initializer_list<Tensor> outputs) {
  return record(name, std::vector<Tensor>(inputs), std::vector<Tensor>(outputs));
}

void check_out_allowed(std::string_view fn, std::initializer_list<Tensor> args) {
  if (!GradMode::is_enabled()) return;
  for (const Tensor& t : args)
    if (requires_grad(t))
      throw RuntimeError(std::string(fn) + "(): functions with out=... arguments don't support automatic "
                         "differentiation, but one of the arguments requires grad.");
}

// ---- in-place ---------------------------------------------------------------------------------

void check_inplace(const Tensor& self) {
  if (!GradMode::is_enabled()) return;
  if (self.requires_grad() && is_leaf(self) && !self.is_view())
    throw RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.");
  if (self.is_view()) {
    Tensor base = self.view_base();
    if (base.requires_grad() && is_leaf(base))
      throw RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.");
  }
}

Tensor before_inplace(const Tensor& self, bool copy_value) {
  Tensor old = copy_value ? without_grad([&] { return clone(self); }) : self.detach();
  if (requires_grad(self)) {
    Edge e = gradient_edge(self);
    AutogradMeta& m = meta(old);
    m.grad_fn = e.fn;
    m.output_nr = e.input_nr;
    old.impl()->requires_grad = true;
  }
  return old;
}

void finish_inplace(const Tensor& self, const std::shared_ptr<FunctionNode>& node) {
  if (!node) return;
  if (!self.is_view()) return;  // record() already made node self's history
  Tensor base = self.view_base();
  Edge base_edge = requires_grad(base) ? gradient_edge(base) : Edge{};
  auto cs = std::make_shared<CopySlices>(base, self, node);
  cs->next_edges.push_back(base_edge);
  for (size_t i = 1; i < node->next_edges.size(); ++i) cs->next_edges.push_back(node->next_edges[i]);
  // node keeps its edge 0 (the view's old history): the engine never follows node's edges (cs
  // replaces it in the graph), but node's backward asks needs_input_grad(0) to decide whether to
  // compute the gradient of the old view values, which CopySlices writes into the base's slice.
  cs->add_output(base);
  set_history(base, cs, 0);
  auto as = std::make_shared<AsStridedBackward>(base, self);
  as->next_edges.push_back(Edge{cs, 0});
  as->add_output(self);
  set_history(self, as, 0);
}

// ---- helpers ----------------------------------------------------------------------------------

bool is_expandable_to(const Shape& shape, const Shape& desired) {
  if (shape.size() > desired.size()) return false;
  const size_t lead = desired.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] != desired[lead + i] && shape[i] != 1) return false;
  return true;
}

Tensor sum_to(const Tensor& g, const Shape& shape) {
  if (g.shape() == shape) return g;
  // Only sums, no reshape: the leading dims away, then the size-1 dims kept.
  const size_t lead = g.dim() - shape.size();
  Tensor r = g;
  if (lead > 0) {  // the dims broadcasting added in front go away
    DimVector dims;
    for (size_t i = 0; i < lead; ++i) dims.push_back(int64_t(i));
    r = sum(r, dims, /*keepdim=*/false);
  }
  DimVector ones;  // the dims broadcasting stretched from 1 stay, with size 1
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] == 1 && r.shape()[i] != 1) ones.push_back(int64_t(i));
  return ones.empty() ? r : sum(r, ones, /*keepdim=*/true);
}

}  // namespace tb::autograd
