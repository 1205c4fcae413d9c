// The backward engine. Single-threaded and deterministic: nodes run once all their gradients have
// arrived, later-created nodes first (torch's order on one device), gradients for the same slot
// are summed, and each node's gradients are checked against the shape/dtype of the forward value.
#include "tensorbridge/autograd/engine.h"

#include <algorithm>
#include <queue>
#include <unordered_map>

#include "tensorbridge/autograd/grad_mode.h"
#include "tensorbridge/autograd/record.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops.h"
#include "tensorbridge/ops/complex.h"

namespace tb::autograd {

namespace {

std::string size_str(const Shape& s) {
  std::string r = "tensorbridge.Size([";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "])";
}

struct Capture {
  uint32_t slot;
  size_t index;  // into the result list
};

struct NodeState {
  TensorList buffer;
  int deps = 0;
  bool exec = true;
  std::vector<Capture> captures;
};

// What a run produces besides .grad: the captured gradients of `inputs`.
struct GraphTask {
  bool keep_graph = false;
  bool accumulate = true;       // run AccumulateGrad nodes (backward) or not (grad)
  std::unordered_map<Node*, NodeState> state;
  std::vector<std::shared_ptr<Node>> nodes;  // every node reached, in discovery order
  TensorList captured;
};

void add_to(TensorList& buffer, size_t slot, const Tensor& g) {
  if (!g.defined()) return;
  if (buffer.size() <= slot) buffer.resize(slot + 1);
  buffer[slot] = buffer[slot].defined() ? add(buffer[slot], g) : g;
}

void discover(GraphTask& task, const std::vector<Edge>& roots) {
  std::vector<Node*> stack;
  for (const Edge& e : roots) {
    if (!task.state.count(e.fn.get())) {
      task.state[e.fn.get()];
      task.nodes.push_back(e.fn);
      stack.push_back(e.fn.get());
    }
  }
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const Edge& e : n->next_edges) {
      if (!e.valid()) continue;
      auto [it, fresh] = task.state.try_emplace(e.fn.get());
      it->second.deps++;
      if (fresh) {
        task.nodes.push_back(e.fn);
        stack.push_back(e.fn.get());
      }
    }
  }
}

// With captures, only nodes that lead to a captured slot run. A node's next nodes were created
// before it, so visiting in creation order sees every next node first (AccumulateGrad nodes, which
// have no next nodes but the largest sequence number, go first).
void mark_needed(GraphTask& task) {
  std::vector<Node*> order;
  for (auto& n : task.nodes) order.push_back(n.get());
  auto key = [](Node* n) { return n->next_edges.empty() ? 0 : n->sequence_nr + 1; };
  std::sort(order.begin(), order.end(), [&](Node* a, Node* b) { return key(a) < key(b); });
  std::unordered_map<Node*, bool> reaches;  // a capture at or below this node
  for (Node* n : order) {
    NodeState& s = task.state[n];
    bool below = false;
    for (const Edge& e : n->next_edges)
      if (e.valid() && reaches[e.fn.get()]) below = true;
    const bool is_acc = dynamic_cast<AccumulateGrad*>(n) != nullptr;
    s.exec = below || (is_acc && task.accumulate && !s.captures.empty());
    reaches[n] = below || !s.captures.empty();
  }
}

void run_tensor_hooks(Node& n, TensorList& grads) {
  for (auto& [slot, id, hook] : n.slot_hooks) {
    if (slot < grads.size() && grads[slot].defined())
      if (Tensor r = hook(grads[slot]); r.defined()) grads[slot] = r;
  }
  if (auto* hooks = n.tensor_hooks(0); hooks && !grads.empty() && grads[0].defined()) {
    for (auto& [id, hook] : *hooks)
      if (Tensor r = hook(grads[0]); r.defined()) grads[0] = r;
  }
}

void retain_grads(Node& n, const TensorList& grads) {
  for (auto& [slot, weak] : n.retained) {
    auto impl = weak.lock();
    if (!impl || slot >= grads.size() || !grads[slot].defined()) continue;
    Tensor t(impl);
    AutogradMeta& m = meta(t);
    Tensor g = GradMode::is_enabled() ? grads[slot] : grads[slot].detach();
    m.grad = m.grad.defined() ? add(m.grad, g) : clone(g);
  }
}

// Makes each gradient fit the value it is the gradient of (torch's validate_outputs).
void validate(Node& n, TensorList& grads) {
  if (grads.size() > n.next_edges.size())
    throw RuntimeError("function " + n.name() + " returned an incorrect number of gradients (expected " +
                       std::to_string(n.next_edges.size()) + ", got " + std::to_string(grads.size()) + ")");
  grads.resize(n.next_edges.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    const Edge& e = n.next_edges[i];
    if (!e.valid() || !grads[i].defined()) {
      if (!e.valid()) grads[i] = Tensor();
      continue;
    }
    const OutputMeta& m = e.fn->outputs.at(e.input_nr);
    if (grads[i].shape() != m.shape) {
      if (!is_expandable_to(m.shape, grads[i].shape()))
        throw RuntimeError("Function " + n.name() + " returned an invalid gradient at index " +
                           std::to_string(i) + " - got " + shape_str(grads[i].shape()) +
                           " but expected shape compatible with " + shape_str(m.shape));
      grads[i] = sum_to(grads[i], m.shape);
    }
    if (grads[i].dtype() != m.dtype) {
      // a real input whose gradient came out complex (e.g. real * complex): the imaginary part
      // is the derivative along a direction the real input cannot move in, so only the real part
      // counts (torch's handle_r_to_c)
      if (is_complex(grads[i].dtype()) && !is_complex(m.dtype)) grads[i] = tb::real(grads[i]);
      if (grads[i].dtype() != m.dtype) grads[i] = to_dtype(grads[i], m.dtype);
    }
  }
}

void check_nan(Node& n, const TensorList& grads) {
  for (size_t i = 0; i < grads.size(); ++i) {
    const Tensor& g = grads[i];
    if (g.defined() && (is_floating_point(g.dtype()) || is_complex(g.dtype())) &&
        item(any(isnan(g))).to_bool())
      throw RuntimeError("Function '" + n.name() + "' returned nan values in its " + std::to_string(i) +
                         "th output.");
  }
}

TensorList call_node(Node& n, TensorList&& inputs) {
  for (auto& [id, hook] : n.pre_hooks)
    if (TensorList r = hook(inputs); !r.empty()) inputs = std::move(r);
  const bool anomaly = AnomalyMode::is_enabled();
  TensorList grads;
  TensorList hook_inputs = n.post_hooks.empty() ? TensorList{} : inputs;
  try {
    grads = n.apply(std::move(inputs));
    validate(n, grads);
    if (anomaly && AnomalyMode::check_nan()) check_nan(n, grads);
  } catch (...) {
    if (anomaly && AnomalyMode::report) AnomalyMode::report(n.name(), n.anomaly_trace);
    throw;
  }
  for (auto& [id, hook] : n.post_hooks)
    if (TensorList r = hook(grads, hook_inputs); !r.empty()) grads = std::move(r);
  return grads;
}

void execute(GraphTask& task, const std::vector<Edge>& roots, const TensorList& root_grads) {
  for (size_t i = 0; i < roots.size(); ++i)
    add_to(task.state[roots[i].fn.get()].buffer, roots[i].input_nr, root_grads[i]);
  auto later_first = [](Node* a, Node* b) { return a->sequence_nr < b->sequence_nr; };
  std::priority_queue<Node*, std::vector<Node*>, decltype(later_first)> ready(later_first);
  for (const Edge& e : roots) {
    NodeState& s = task.state[e.fn.get()];
    if (s.deps == 0) {
      s.deps = -1;  // queued once
      ready.push(e.fn.get());
    }
  }
  while (!ready.empty()) {
    Node* n = ready.top();
    ready.pop();
    NodeState& s = task.state[n];
    TensorList inputs = std::move(s.buffer);
    inputs.resize(n->outputs.size());
    run_tensor_hooks(*n, inputs);
    if (task.accumulate) retain_grads(*n, inputs);
    for (const Capture& c : s.captures) task.captured[c.index] = inputs[c.slot];
    const bool any = std::any_of(inputs.begin(), inputs.end(), [](const Tensor& t) { return t.defined(); });
    const bool is_acc = dynamic_cast<AccumulateGrad*>(n) != nullptr;
    TensorList grads;
    if (s.exec && any && !(is_acc && !task.accumulate)) {
      for (size_t i = 0; i < inputs.size(); ++i)
        if (!inputs[i].defined()) inputs[i] = zeros(n->outputs[i].shape, n->outputs[i].dtype);
      grads = call_node(*n, std::move(inputs));
      if (!task.keep_graph) n->release_saved();
    }
    grads.resize(n->next_edges.size());
    for (size_t i = 0; i < n->next_edges.size(); ++i) {
      const Edge& e = n->next_edges[i];
      if (!e.valid()) continue;
      NodeState& c = task.state[e.fn.get()];
      add_to(c.buffer, e.input_nr, grads[i]);
      if (--c.deps == 0) ready.push(e.fn.get());
    }
  }
}

std::vector<Edge> root_edges(const TensorList& outputs) {
  std::vector<Edge> roots;
  for (size_t i = 0; i < outputs.size(); ++i) {
    Edge e = requires_grad(outputs[i]) ? gradient_edge(outputs[i]) : Edge{};
    if (!e.valid())
      throw RuntimeError("element " + std::to_string(i) +
                         " of tensors does not require grad and does not have a grad_fn");
    roots.push_back(e);
  }
  return roots;
}

TensorList root_grads(const TensorList& outputs, const TensorList& grad_outputs) {
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size())
    throw RuntimeError("grad requires one gradient per output: got " + std::to_string(grad_outputs.size()) +
                       " gradients for " + std::to_string(outputs.size()) + " outputs");
  TensorList grads;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& o = outputs[i];
    Tensor g = grad_outputs.empty() ? Tensor() : grad_outputs[i];
    if (!g.defined()) {
      if (o.numel() != 1) throw RuntimeError("grad can be implicitly created only for scalar outputs");
      if (!is_floating_point(o.dtype()))
        throw RuntimeError("grad can be implicitly created only for real scalar outputs but got tensorbridge." +
                           std::string(dtype_name(o.dtype())));
      g = ones(o.shape(), o.dtype());
    } else if (is_complex(g.dtype()) != is_complex(o.dtype())) {
      throw RuntimeError("For complex Tensors, both grad_output and output are required to have the same "
                         "dtype. Mismatch in dtype: grad_output[" + std::to_string(i) + "] has a dtype of tensorbridge." +
                         std::string(dtype_name(g.dtype())) + " and output[" + std::to_string(i) +
                         "] has a dtype of tensorbridge." + std::string(dtype_name(o.dtype())) + ".");
    } else if (g.shape() != o.shape()) {
      throw RuntimeError("Mismatch in shape: grad_output[" + std::to_string(i) + "] has a shape of " +
                         size_str(g.shape()) + " and output[" + std::to_string(i) + "] has a shape of " +
                         size_str(o.shape()) + ".");
    }
    grads.push_back(g);
  }
  return grads;
}

TensorList run(const TensorList& outputs, const TensorList& grad_outputs, bool keep_graph,
               bool create_graph, const TensorList& inputs, bool accumulate) {
  std::vector<Edge> roots = root_edges(outputs);
  TensorList seeds = root_grads(outputs, grad_outputs);
  GraphTask task;
  task.keep_graph = keep_graph;
  task.accumulate = accumulate;
  discover(task, roots);
  task.captured.resize(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!requires_grad(inputs[i])) throw RuntimeError("One of the differentiated Tensors does not require grad");
    Edge e = gradient_edge(inputs[i]);
    auto it = task.state.find(e.fn.get());
    if (it != task.state.end()) it->second.captures.push_back(Capture{e.input_nr, i});
  }
  if (!inputs.empty()) mark_needed(task);
  GradModeGuard mode(create_graph);
  execute(task, roots, seeds);
  return std::move(task.captured);
}

}  // namespace

void backward(const TensorList& outputs, const TensorList& grad_outputs, bool retain_graph,
              bool create_graph, const TensorList& inputs) {
  TensorList captured = run(outputs, grad_outputs, retain_graph, create_graph, inputs, true);
  // non-leaf `inputs` of backward(inputs=...) accumulate their captured gradient into .grad
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (is_leaf(inputs[i]) || !captured[i].defined()) continue;
    AutogradMeta& m = meta(inputs[i]);
    Tensor g = create_graph ? captured[i] : captured[i].detach();
    m.grad = m.grad.defined() ? add(m.grad, g) : clone(g);
  }
}

TensorList grad(const TensorList& outputs, const TensorList& inputs, const TensorList& grad_outputs,
                bool retain_graph, bool create_graph, bool allow_unused) {
  TensorList r = run(outputs, grad_outputs, retain_graph, create_graph, inputs, false);
  for (size_t i = 0; i < r.size(); ++i) {
    if (!r[i].defined() && !allow_unused)
      throw RuntimeError("The differentiated Tensor at index " + std::to_string(i) +
                         " appears to not have been used in the graph. Set allow_unused=True if this "
                         "is the desired behavior.");
    if (r[i].defined() && !create_graph) r[i] = r[i].detach();
  }
  return r;
}

}  // namespace tb::autograd
