#include "tensorbridge/autograd/node.h"

#include <atomic>

#include "tensorbridge/autograd/grad_mode.h"
#include "tensorbridge/autograd/record.h"
#include "tensorbridge/error.h"
#include "tensorbridge/ops/elementwise.h"

namespace tb::autograd {

namespace {
std::atomic<uint64_t> g_sequence{0};
std::atomic<int> g_hook_id{0};

// "ExpBackward0" -> "Exp": how torch names a node in the in-place error message.
std::string short_name(const std::string& name) {
  size_t pos = name.rfind("Backward");
  if (pos == std::string::npos) return name;
  for (size_t i = pos + 8; i < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return name;
  return name.substr(0, pos);
}
}  // namespace

int next_hook_id() { return ++g_hook_id; }

std::string tensor_desc(const Tensor& t) {
  return "[tensorbridge." + std::string(dtype_legacy_name(t.dtype())) + "Tensor " + shape_str(t.shape()) + "]";
}

Node::Node() : sequence_nr(g_sequence.fetch_add(1, std::memory_order_relaxed)) {
  if (AnomalyMode::is_enabled() && AnomalyMode::trace_provider) anomaly_trace = AnomalyMode::trace_provider();
}

std::vector<std::pair<int, TensorHook>>* Node::tensor_hooks(uint32_t) { return nullptr; }

std::string Node::class_name() const {
  std::string n = name();
  size_t p = n.rfind("::");
  return p == std::string::npos ? n : n.substr(p + 2);
}

uint32_t Node::add_output(const Tensor& t) {
  outputs.push_back(OutputMeta{t.shape(), t.dtype()});
  return uint32_t(outputs.size() - 1);
}

// ---- SavedTensor ------------------------------------------------------------------------------

SavedTensor::SavedTensor(const Tensor& t, bool is_output, const Node* owner)
    : version_(t.version()), is_output_(is_output) {
  if (t.is_inference() && !InferenceMode::is_enabled())
    throw RuntimeError(
        "Inference tensors cannot be saved for backward. Please do not use Tensors created in inference mode "
        "in computation tracked by autograd. To work around this, you can make a clone to get a normal tensor "
        "and use it in autograd, or use `tensorbridge.no_grad()` instead of `tensorbridge.inference_mode()`.");
  if (is_output) {
    data_ = t.detach();
    grad_fn_name_ = owner->name();
    if (const AutogradMeta* m = meta_if(t); m && m->grad_fn.get() == owner) output_nr_ = m->output_nr;
  } else {
    data_ = t;
    if (const AutogradMeta* m = meta_if(t); m && m->grad_fn) {
      grad_fn_name_ = m->grad_fn->name();
      output_nr_ = m->output_nr;
    }
  }
}

Tensor SavedTensor::unpack(Node& owner) const {
  if (released_)
    throw RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved tensors after "
        "they have already been freed). Saved intermediate values of the graph are freed when you "
        "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
        "through the graph a second time or if you need to access saved tensors after calling "
        "backward.");
  if (!data_.defined()) return data_;
  if (data_.version() != version_) {
    std::string msg =
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: " + tensor_desc(data_);
    // torch names the node the saved value now belongs to (its producer, for saved outputs)
    std::string fn_name = grad_fn_name_;
    uint32_t nr = output_nr_;
    if (!is_output_) {
      const AutogradMeta* m = meta_if(data_);
      fn_name = m && m->grad_fn ? m->grad_fn->name() : "";
      nr = m ? m->output_nr : 0;
    }
    if (!fn_name.empty()) msg += ", which is output " + std::to_string(nr) + " of " + short_name(fn_name) + ",";
    msg += " is at version " + std::to_string(data_.version()) + "; expected version " +
           std::to_string(version_) + " instead. Hint: ";
    msg += AnomalyMode::is_enabled()
               ? "the backtrace further above shows the operation that failed to compute its "
                 "gradient. The variable in question was changed in there or anywhere later. Good luck!"
               : "enable anomaly detection to find the operation that failed to compute its "
                 "gradient, with tensorbridge.autograd.set_detect_anomaly(True, check_nan=False).";
    throw RuntimeError(msg);
  }
  if (is_output_ && GradMode::is_enabled()) {
    // double backward: the output again, with this node as its history
    Tensor t = data_.detach();
    set_history(t, owner.shared_from_this(), output_nr_);
    return t;
  }
  return data_;
}

// ---- FunctionNode -----------------------------------------------------------------------------

size_t FunctionNode::save(const Tensor& t, bool is_output) {
  saved_.emplace_back(t, is_output, this);
  return saved_.size() - 1;
}

Tensor FunctionNode::saved(size_t i) { return saved_.at(i).unpack(*this); }

void FunctionNode::release_saved() {
  for (auto& s : saved_) s.release();
  released_ = true;
}

TensorList FunctionNode::apply(TensorList&& grads) {
  return backward_(*this, grads);
}

// ---- AccumulateGrad ---------------------------------------------------------------------------

AccumulateGrad::AccumulateGrad(Tensor leaf) : leaf_(std::move(leaf)) {
  sequence_nr = UINT64_MAX;  // run as soon as ready (torch does the same)
  add_output(leaf_);
}

std::vector<std::pair<int, TensorHook>>* AccumulateGrad::tensor_hooks(uint32_t) {
  return &meta(leaf_).hooks;
}

TensorList AccumulateGrad::apply(TensorList&& grads) {
  Tensor& g = grads.at(0);
  AutogradMeta& m = meta(leaf_);
  if (!g.defined()) return {};
  if (!m.grad.defined()) {
    if (GradMode::is_enabled()) {
      m.grad = g;  // create_graph: keep the gradient's own history
    } else {
      // Take the buffer when nobody else can see it, else copy (a.grad must not alias b.grad).
      const bool exclusive = g.impl_ptr().use_count() == 1 && g.storage().use_count() == 1 &&
                             g.is_contiguous() && !g.requires_grad();
      m.grad = exclusive ? g : clone(g.detach());
    }
  } else if (GradMode::is_enabled()) {
    m.grad = add(m.grad, g);
  } else {
    add_(m.grad, g.detach());
  }
  return {};
}

// ---- per-tensor metadata ----------------------------------------------------------------------

AutogradMeta& meta(const Tensor& t) {
  auto& p = t.impl()->autograd;
  if (!p) p = std::make_shared<AutogradMeta>();
  return *p;
}

AutogradMeta* meta_if(const Tensor& t) { return t.impl()->autograd.get(); }

const std::shared_ptr<Node>& grad_fn(const Tensor& t) {
  static const std::shared_ptr<Node> none;
  const AutogradMeta* m = meta_if(t);
  return m ? m->grad_fn : none;
}

bool is_leaf(const Tensor& t) { return current_grad_fn(t) == nullptr; }

std::shared_ptr<Node> grad_accumulator(const Tensor& t) {
  AutogradMeta& m = meta(t);
  if (auto acc = m.grad_accumulator.lock()) return acc;
  // The node holds the leaf; the leaf only a weak reference to the node (no cycle).
  auto acc = std::make_shared<AccumulateGrad>(Tensor(t.impl_ptr()));
  m.grad_accumulator = acc;
  return acc;
}

void set_history(const Tensor& t, const std::shared_ptr<Node>& node, uint32_t slot) {
  AutogradMeta& m = meta(t);
  m.grad_fn = node;
  m.output_nr = slot;
  m.attr_version = t.version();
  t.impl()->requires_grad = true;
  if (t.is_view()) t.impl()->differentiable_view = true;
}

}  // namespace tb::autograd
