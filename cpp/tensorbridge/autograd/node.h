// The autograd graph: nodes (one per recorded operation, torch's grad_fn objects), the edges between
// them, tensors saved for the backward pass, and the per-tensor autograd metadata.
//
// A node's "inputs" in the backward sense are the gradients of its forward outputs (one slot per
// forward output); its next_edges point at the nodes of its forward inputs. Leaves that require
// grad end in an AccumulateGrad node that adds into `.grad`.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tensorbridge/tensor.h"

namespace tb::autograd {
class Node;
using TensorHook = std::function<Tensor(const Tensor&)>;
}  // namespace tb::autograd

namespace tb {
// Per-tensor autograd state (TensorImpl::autograd); created on first need.
struct AutogradMeta {
  Tensor grad;
  std::shared_ptr<autograd::Node> grad_fn;  // null for leaves
  uint32_t output_nr = 0;
  std::weak_ptr<autograd::Node> grad_accumulator;
  std::vector<std::pair<int, autograd::TensorHook>> hooks;  // leaf hooks (non-leaf ones live on grad_fn)
  bool retains_grad = false;
  uint32_t attr_version = 0;  // the version when grad_fn was set (views: stale if it changed)
};

}  // namespace tb

namespace tb::autograd {

using TensorList = std::vector<Tensor>;

struct Edge {
  std::shared_ptr<Node> fn;  // null: this input needs no gradient
  uint32_t input_nr = 0;     // which gradient slot of fn
  bool valid() const { return fn != nullptr; }
};

// Hooks. A tensor hook sees the gradient of one tensor and may return a replacement (an undefined
// Tensor keeps it). A node pre-hook sees the gradients flowing into a node, a post-hook also the
// ones it produced; either may return replacements (an empty list keeps them).
using NodePreHook = std::function<TensorList(const TensorList& grad_outputs)>;
using NodePostHook = std::function<TensorList(const TensorList& grad_inputs, const TensorList& grad_outputs)>;

// Shape and dtype of one forward output: checks and fixes the gradients that arrive for it.
struct OutputMeta {
  Shape shape;
  DType dtype = DType::Float32;
};

class Node : public std::enable_shared_from_this<Node> {
 public:
  Node();
  virtual ~Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // torch's name() of the node, e.g. "MulBackward0" (C++-qualified for AccumulateGrad and
  // CopySlices, as torch); class_name() drops the qualification (printing, repr).
  virtual std::string name() const = 0;
  std::string class_name() const;
  // Gradients of the forward inputs (one per next edge; undefined = none) from the gradients of
  // the forward outputs (one per slot, all defined).
  virtual TensorList apply(TensorList&& grads) = 0;
  // Frees saved tensors after a backward pass without retain_graph.
  virtual void release_saved() {}
  // Hooks of the tensor whose gradient arrives in `slot` (AccumulateGrad: the leaf's hooks).
  virtual std::vector<std::pair<int, TensorHook>>* tensor_hooks(uint32_t slot);

  bool needs_input_grad(size_t i) const { return i < next_edges.size() && next_edges[i].valid(); }
  uint32_t add_output(const Tensor& t);  // appends a slot for forward output t; returns its index

  std::vector<Edge> next_edges;
  std::vector<OutputMeta> outputs;  // one per gradient slot
  uint64_t sequence_nr;             // creation order; the engine runs later nodes first
  // Hooks registered on non-leaf tensors, per slot: (slot, id, hook).
  std::vector<std::tuple<uint32_t, int, TensorHook>> slot_hooks;
  std::vector<std::pair<int, NodePreHook>> pre_hooks;
  std::vector<std::pair<int, NodePostHook>> post_hooks;
  // Non-leaf tensors whose .grad is kept (retain_grad), per slot.
  std::vector<std::pair<uint32_t, std::weak_ptr<TensorImpl>>> retained;
  std::string anomaly_trace;  // the forward traceback, recorded in anomaly mode
};

// A tensor kept for the backward pass. An input keeps the tensor (its history is needed for
// double backward); an output keeps its data only (the node itself is its history), which avoids
// a reference cycle. Either way the version counter is shared, so in-place changes are caught.
class SavedTensor {
 public:
  SavedTensor() = default;
  SavedTensor(const Tensor& t, bool is_output, const Node* owner);
  // The saved value; RuntimeError (torch's text) when it was modified in place since, or freed.
  Tensor unpack(Node& owner) const;
  void release() { data_ = Tensor(); released_ = true; }
  bool defined() const { return data_.defined() || released_; }

 private:
  Tensor data_;
  uint32_t version_ = 0;
  uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool released_ = false;
  std::string grad_fn_name_;  // the node that produced the saved tensor ("" for leaves)
};

// The node type behind every differentiable op: a name, saved tensors and a backward function.
class FunctionNode : public Node {
 public:
  using Backward = std::function<TensorList(FunctionNode& self, TensorList& grads)>;
  explicit FunctionNode(const char* name) : name_(name) {}
  std::string name() const override { return name_; }
  TensorList apply(TensorList&& grads) override;
  void release_saved() override;

  size_t save(const Tensor& t, bool is_output = false);
  Tensor saved(size_t i);
  void set_backward(Backward fn) { backward_ = std::move(fn); }

 private:
  const char* name_;
  std::vector<SavedTensor> saved_;
  Backward backward_;
  bool released_ = false;
};

// Adds incoming gradients into a leaf's .grad.
class AccumulateGrad : public Node {
 public:
  explicit AccumulateGrad(Tensor leaf);
  std::string name() const override { return "tensorbridge::autograd::AccumulateGrad"; }
  TensorList apply(TensorList&& grads) override;
  std::vector<std::pair<int, TensorHook>>* tensor_hooks(uint32_t slot) override;
  const Tensor& variable() const { return leaf_; }

 private:
  Tensor leaf_;
};

using tb::AutogradMeta;

AutogradMeta& meta(const Tensor& t);            // creates it
AutogradMeta* meta_if(const Tensor& t);         // null if none
const std::shared_ptr<Node>& grad_fn(const Tensor& t);
bool is_leaf(const Tensor& t);
// Where t's gradient goes: (grad_fn, output_nr), the leaf's AccumulateGrad, or nothing.
Edge gradient_edge(const Tensor& t);
std::shared_ptr<Node> grad_accumulator(const Tensor& t);
// Makes t output `slot` of node (requires_grad becomes true).
void set_history(const Tensor& t, const std::shared_ptr<Node>& node, uint32_t slot);
// The next hook id (ids let handles remove hooks).
int next_hook_id();
// torch's "[tensorbridge.FloatTensor [2, 3]]" used in error messages.
std::string tensor_desc(const Tensor& t);

}  // namespace tb::autograd
