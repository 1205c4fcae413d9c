// Backward rules of the view ops (ops/view.cpp) and of the copying shape ops (ops/shape.cpp).
//
// Views: the forward is the ordinary view op run with grad mode off, so the output is made by
// make_view and stays a view of the input's base: in-place ops on it are routed to the base by
// finish_inplace (CopySlices), exactly as for views recorded by torch. The backward of a view maps
// the output's gradient back to the input's geometry with other view/copy ops of tb, so the
// gradients themselves are recorded under create_graph (double backward works).
//
// Every call to an op inside this file is qualified with tb::: the unqualified names in
// tb::autograd are the recording versions declared in rules.h.
#include <functional>
#include <numeric>

#include "tensorbridge/autograd/rules.h"
#include "tensorbridge/ops.h"

namespace tb::autograd {

namespace {

using GradFn = std::function<Tensor(const Tensor&)>;

// Records the one-input, one-output op `name` that made y from x; the gradient of x is bwd(g).
Tensor record_single(const char* name, const Tensor& x, const Tensor& y, GradFn bwd) {
  if (auto n = record(name, {x}, {y}))
    n->set_backward([bwd = std::move(bwd)](FunctionNode&, TensorList& g) -> TensorList { return {bwd(g[0])}; });
  return y;
}

// The gradient of a non-overlapping view `view_of(input)` of an input of `shape`: zeros with g
// written where the view reads (torch's slice_backward / select_backward). It is recorded as an
// op of its own, whose backward is the view again, for double backward.
Tensor view_scatter(const char* name, const Tensor& g, const Shape& shape, const GradFn& view_of) {
  Tensor r = without_grad([&] {
    Tensor z = tb::zeros(shape, g.dtype(), g.device());
    tb::copy_(view_of(z), g);
    return z;
  });
  return record_single(name, g, r, view_of);
}

// g with a size-1 dim put back at each position marked in `dropped` (the inverse of a squeeze).
Tensor unsqueeze_marked(Tensor g, const std::vector<bool>& dropped) {
  for (size_t d = 0; d < dropped.size(); ++d)
    if (dropped[d]) g = tb::unsqueeze(g, int64_t(d));
  return g;
}

Tensor squeeze_rule(const char* name, const Tensor& x, const Tensor& y, std::vector<bool> dropped) {
  return record_single(name, x, y, [dropped = std::move(dropped)](const Tensor& g) {
    return unsqueeze_marked(g, dropped);
  });
}

// The gradient of a list of views of x along `dim` (split, chunk, unbind): the pieces joined back.
std::vector<Tensor> record_pieces(const char* name, const Tensor& x, std::vector<Tensor> ys, int64_t dim,
                                  bool stacked) {
  if (auto n = record(name, {x}, ys))
    n->set_backward([dim, stacked](FunctionNode&, TensorList& g) -> TensorList {
      // pieces whose gradient did not arrive were given zeros by the engine
      return {stacked ? tb::stack(g, dim) : tb::cat(g, dim)};
    });
  return ys;
}

}  // namespace

// ---- views ------------------------------------------------------------------------------------

Tensor view(const Tensor& x, const Shape& shape) {
  Tensor y = without_grad([&] { return tb::view(x, shape); });
  const Shape in = x.shape();
  return record_single("ViewBackward0", x, y, [in](const Tensor& g) { return tb::reshape(g, in); });
}

Tensor reshape(const Tensor& x, const Shape& shape) {
  Tensor y = without_grad([&] { return tb::reshape(x, shape); });
  const Shape in = x.shape();
  // torch's reshape: view() of a contiguous input, _reshape_alias() when the strides allow a view,
  // else a copy read with the new shape (_unsafe_view, not a view)
  const char* name = !y.is_view() ? "UnsafeViewBackward0" : (x.numel() == 0 || x.is_contiguous()) ? "ViewBackward0" : "ReshapeAliasBackward0";
  return record_single(name, x, y, [in](const Tensor& g) { return tb::reshape(g, in); });
}

Tensor unsafe_view(const Tensor& x, const Shape& shape) {
  Tensor y = x.as_strided(shape, contiguous_strides(shape), x.offset());
  const Shape in = x.shape();
  return record_single("UnsafeViewBackward0", x, y, [in](const Tensor& g) { return tb::reshape(g, in); });
}

Tensor alias(const Tensor& x) {
  Tensor y = without_grad([&] { return tb::alias(x); });
  return record_single("AliasBackward0", x, y, [](const Tensor& g) { return g; });
}

Tensor permute(const Tensor& x, const DimVector& dims) {
  Tensor y = without_grad([&] { return tb::permute(x, dims); });
  DimVector inverse(dims.size(), 0);
  for (size_t i = 0; i < dims.size(); ++i) inverse[size_t(wrap_dim(dims[i], x.dim()))] = int64_t(i);
  return record_single("PermuteBackward0", x, y, [inverse](const Tensor& g) { return tb::permute(g, inverse); });
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  Tensor y = without_grad([&] { return tb::transpose(x, dim0, dim1); });
  return record_single("TransposeBackward0", x, y,
                       [dim0, dim1](const Tensor& g) { return tb::transpose(g, dim0, dim1); });
}

Tensor t(const Tensor& x) {
  Tensor y = without_grad([&] { return tb::t(x); });
  return record_single("TBackward0", x, y, [](const Tensor& g) { return tb::t(g); });
}

Tensor reverse_dims(const Tensor& x) {
  Tensor y = without_grad([&] { return tb::reverse_dims(x); });
  return record_single("PermuteBackward0", x, y, [](const Tensor& g) { return tb::reverse_dims(g); });
}

Tensor mT(const Tensor& x) {
  Tensor y = without_grad([&] { return tb::mT(x); });
  return record_single("TransposeBackward0", x, y, [](const Tensor& g) { return tb::mT(g); });
}

Tensor squeeze(const Tensor& x) {
  Tensor y = without_grad([&] { return tb::squeeze(x); });
  std::vector<bool> dropped(size_t(x.dim()), false);
  for (int64_t d = 0; d < x.dim(); ++d) dropped[size_t(d)] = x.shape()[size_t(d)] == 1;
  return squeeze_rule("SqueezeBackward0", x, y, std::move(dropped));
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  Tensor y = without_grad([&] { return tb::squeeze(x, dim); });
  std::vector<bool> dropped(size_t(x.dim()), false);
  if (x.dim() > 0) {
    const int64_t d = wrap_dim(dim, x.dim());
    dropped[size_t(d)] = x.shape()[size_t(d)] == 1;
  }
  return squeeze_rule("SqueezeBackward1", x, y, std::move(dropped));
}

Tensor squeeze(const Tensor& x, const DimVector& dims) {
  Tensor y = without_grad([&] { return tb::squeeze(x, dims); });
  std::vector<bool> dropped(size_t(x.dim()), false);
  if (x.dim() > 0)
    for (int64_t dim : dims) {
      const int64_t d = wrap_dim(dim, x.dim());
      dropped[size_t(d)] = x.shape()[size_t(d)] == 1;
    }
  return squeeze_rule("SqueezeBackward2", x, y, std::move(dropped));
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  Tensor y = without_grad([&] { return tb::unsqueeze(x, dim); });
  const int64_t d = wrap_dim(dim, x.dim() + 1);
  return record_single("UnsqueezeBackward0", x, y, [d](const Tensor& g) { return tb::squeeze(g, d); });
}

Tensor expand(const Tensor& x, const Shape& sizes) {
  Tensor y = without_grad([&] { return tb::expand(x, sizes); });
  const Shape in = x.shape();
  return record_single("ExpandBackward0", x, y, [in](const Tensor& g) { return sum_to(g, in); });
}

Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t length, int64_t step) {
  Tensor y = without_grad([&] { return tb::slice(x, dim, start, length, step); });
  // A negative step (our extension: torch refuses it) is the same node with a negative step.
  const int64_t d = wrap_dim(dim, x.dim());
  const Shape in = x.shape();
  return record_single("SliceBackward0", x, y, [=](const Tensor& g) {
    return view_scatter("SliceBackwardBackward0", g, in,
                        [=](const Tensor& t) { return tb::slice(t, d, start, length, step); });
  });
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  Tensor y = without_grad([&] { return tb::narrow(x, dim, start, length); });  // checks the arguments
  const int64_t d = wrap_dim(dim, x.dim());
  if (start < 0) start += x.shape()[size_t(d)];
  const Shape in = x.shape();
  return record_single("SliceBackward0", x, y, [=](const Tensor& g) {
    return view_scatter("SliceBackwardBackward0", g, in,
                        [=](const Tensor& t) { return tb::slice(t, d, start, length, 1); });
  });
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  Tensor y = without_grad([&] { return tb::select(x, dim, index); });  // checks the arguments
  const int64_t d = wrap_dim(dim, x.dim());
  if (index < 0) index += x.shape()[size_t(d)];
  const Shape in = x.shape();
  return record_single("SelectBackward0", x, y, [=](const Tensor& g) {
    return view_scatter("SelectBackwardBackward0", g, in,
                        [=](const Tensor& t) { return tb::select(t, d, index); });
  });
}

std::vector<Tensor> unbind(const Tensor& x, int64_t dim) {
  std::vector<Tensor> ys = without_grad([&] { return tb::unbind(x, dim); });
  return record_pieces("UnbindBackward0", x, std::move(ys), wrap_dim(dim, x.dim()), true);
}

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim) {
  std::vector<Tensor> ys = without_grad([&] { return tb::split(x, split_size, dim); });
  return record_pieces("SplitBackward0", x, std::move(ys), wrap_dim(dim, x.dim()), false);
}

std::vector<Tensor> split_with_sizes(const Tensor& x, const Shape& sizes, int64_t dim) {
  std::vector<Tensor> ys = without_grad([&] { return tb::split_with_sizes(x, sizes, dim); });
  return record_pieces("SplitWithSizesBackward0", x, std::move(ys), wrap_dim(dim, x.dim()), false);
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  std::vector<Tensor> ys = without_grad([&] { return tb::chunk(x, chunks, dim); });
  // torch: chunks of an empty dim come from split_with_sizes, the others from split
  const int64_t d = x.dim() > 0 ? wrap_dim(dim, x.dim()) : 0;
  const bool empty_dim = x.dim() > 0 && x.shape()[size_t(d)] == 0;
  return record_pieces(empty_dim ? "SplitWithSizesBackward0" : "SplitBackward0", x, std::move(ys), d, false);
}

// ---- copying shape ops ------------------------------------------------------------------------

Tensor cat(const std::vector<Tensor>& xs, int64_t dim) {
  Tensor y = without_grad([&] { return tb::cat(xs, dim); });  // checks the arguments
  auto n = record("CatBackward0", xs, {y});
  if (!n) return y;
  // where each input lies along dim; 1-D empty inputs are skipped by cat (legacy) and get an
  // empty gradient
  struct Piece {
    bool skipped;
    int64_t start, length;
    DType dtype;
  };
  std::vector<Piece> pieces;
  int64_t d = 0;
  for (const Tensor& x : xs)
    if (!(x.dim() == 1 && x.shape()[0] == 0)) {
      d = wrap_dim(dim, x.dim());
      break;
    }
  int64_t pos = 0;
  for (const Tensor& x : xs) {
    const bool skipped = x.dim() == 1 && x.shape()[0] == 0;
    const int64_t len = skipped ? 0 : x.shape()[size_t(d)];
    pieces.push_back(Piece{skipped, pos, len, x.dtype()});
    pos += len;
  }
  n->set_backward([pieces, d](FunctionNode& self, TensorList& g) -> TensorList {
    TensorList r(pieces.size());
    for (size_t i = 0; i < pieces.size(); ++i) {
      if (!self.needs_input_grad(i)) continue;
      const Piece& p = pieces[i];
      r[i] = p.skipped ? tb::zeros({0}, p.dtype, g[0].device()) : tb::slice(g[0], d, p.start, p.length, 1);
    }
    return r;
  });
  return y;
}

Tensor stack(const std::vector<Tensor>& xs, int64_t dim) {
  Tensor y = without_grad([&] { return tb::stack(xs, dim); });  // checks the arguments
  auto n = record("StackBackward0", xs, {y});
  if (!n) return y;
  const int64_t d = wrap_dim(dim, xs[0].dim() + 1);
  n->set_backward([d](FunctionNode& self, TensorList& g) -> TensorList {
    TensorList r(self.next_edges.size());
    for (size_t i = 0; i < r.size(); ++i)
      if (self.needs_input_grad(i)) r[i] = tb::select(g[0], d, int64_t(i));
    return r;
  });
  return y;
}

Tensor flip(const Tensor& x, const DimVector& dims) {
  Tensor y = without_grad([&] { return tb::flip(x, dims); });
  return record_single("FlipBackward0", x, y, [dims](const Tensor& g) { return tb::flip(g, dims); });
}

Tensor roll(const Tensor& x, const DimVector& shifts, const DimVector& dims) {
  Tensor y = without_grad([&] { return tb::roll(x, shifts, dims); });
  DimVector back;
  for (int64_t s : shifts) back.push_back(-s);
  return record_single("RollBackward0", x, y, [back, dims](const Tensor& g) { return tb::roll(g, back, dims); });
}

// The output is x (padded with leading size-1 dims) tiled: read the gradient as
// [r0, s0, r1, s1, ...] and sum over the repeat dims r_i.
Tensor repeat(const Tensor& x, const Shape& repeats) {
  Tensor y = without_grad([&] { return tb::repeat(x, repeats); });
  const Shape in = x.shape();
  const int64_t m = int64_t(repeats.size()), lead = m - x.dim();
  Shape split_shape;
  DimVector repeat_dims;
  for (int64_t i = 0; i < m; ++i) {
    repeat_dims.push_back(int64_t(split_shape.size()));
    split_shape.push_back(repeats[size_t(i)]);
    split_shape.push_back(i < lead ? 1 : in[size_t(i - lead)]);
  }
  return record_single("RepeatBackward0", x, y, [=](const Tensor& g) {
    if (repeat_dims.empty()) return tb::reshape(g, in);
    Tensor s = tb::sum(tb::reshape(g, split_shape), repeat_dims, /*keepdim=*/false);
    return tb::reshape(s, in);
  });
}

}  // namespace tb::autograd
