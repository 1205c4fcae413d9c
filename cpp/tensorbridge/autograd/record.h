// Recording the tape: how an op front end hands itself to autograd.
//
// Each differentiable op's front end starts with
//     if (autograd::needs_grad(x, y)) return autograd::op(x, y);
// and the autograd version (autograd/rules_*.cpp, the table of backward rules) computes the op
// with grad mode off, then records one node:
//     Tensor y = without_grad([&] { return tb::exp(x); });
//     if (auto n = record("ExpBackward0", {x}, {y})) { ... n->save(y, true); n->set_backward(...); }
// In-place ops go through record_inplace (leaf checks, views of a base via CopySlices).
#pragma once
#include <initializer_list>
#include <memory>
#include <string_view>

#include "tensorbridge/autograd/grad_mode.h"
#include "tensorbridge/autograd/node.h"

namespace tb::autograd {

inline bool requires_grad(const Tensor& t) { return t.defined() && t.requires_grad(); }
// True when grad mode is on and some input requires grad: the op must be recorded.
template <typename... Ts>
bool needs_grad(const Ts&... ts) {
  return GradMode::is_enabled() && (requires_grad(ts) || ...);
}
inline bool needs_grad_list(const std::vector<Tensor>& ts) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor& t : ts)
    if (requires_grad(t)) return true;
  return false;
}

template <typename F>
decltype(auto) without_grad(F&& f) {
  GradModeGuard g(false);
  return f();
}

bool is_differentiable(DType dt);

// t's grad_fn as torch reports it: for a view whose data was changed in place (or whose base got
// a history after it was made), the regenerated AsStridedBackward0 (see gradient_edge).
std::shared_ptr<Node> current_grad_fn(const Tensor& t);

// A node named `name` whose next edges come from `inputs` (undefined tensors give empty edges)
// and whose slots are the differentiable `outputs` (their history is set to it). Null when no
// input needs a gradient or no output is differentiable: nothing is recorded then.
std::shared_ptr<FunctionNode> record(const char* name, std::initializer_list<Tensor> inputs,
                                     std::initializer_list<Tensor> outputs);
std::shared_ptr<FunctionNode> record(const char* name, const std::vector<Tensor>& inputs,
                                     const std::vector<Tensor>& outputs);

// torch refuses out= when grad mode is on and an argument requires grad (RuntimeError).
void check_out_allowed(std::string_view fn, std::initializer_list<Tensor> args);

// ---- in-place ops ---------------------------------------------------------------------------
// Raises torch's errors for an in-place op on self (a leaf that requires grad, or a view of one).
void check_inplace(const Tensor& self);
// A tensor standing for self before an in-place op: the same history; with copy_value, a copy of
// its current values (for rules that need them after self is overwritten).
Tensor before_inplace(const Tensor& self, bool copy_value);
// Records the in-place op done on self: `node` was recorded with self's old history as input 0 and
// self as output. For views, the base takes a CopySlices node and self an AsStridedBackward0.
void finish_inplace(const Tensor& self, const std::shared_ptr<FunctionNode>& node);

// ---- helpers used by backward rules ---------------------------------------------------------
// Sums g down to `shape` (the reverse of broadcasting).
Tensor sum_to(const Tensor& g, const Shape& shape);
bool is_expandable_to(const Shape& shape, const Shape& desired);

}  // namespace tb::autograd
