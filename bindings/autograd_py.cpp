// Autograd bindings: the grad_fn node objects, Tensor.backward/grad/grad_fn/register_hook/
// retain_grad, and the engine and mode switches used by python/tensorbridge/autograd/.
#include <Python.h>

#include <nanobind/stl/function.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/vector.h>

#include <cstdio>

#include "bindings.h"
#include "interop/interop.h"
#include "tensorbridge/autograd/engine.h"
#include "tensorbridge/autograd/grad_mode.h"
#include "tensorbridge/autograd/node.h"
#include "tensorbridge/autograd/record.h"
#include "tensorbridge/ops.h"

namespace ag = tb::autograd;

namespace tbpy {

namespace {

// A Python callable kept by a C++ hook or setting. The callable itself lives in the dict
// _core._callables (id -> callable), which Python's garbage collector sees; C++ keeps only the id.
// So a hook whose closure refers to its own tensor makes no reference cycle hidden in C++ (such a
// cycle would never be freed). The entry is dropped when the C++ owner dies (with the GIL; not
// after the interpreter has gone, when the dict is gone too).
PyObject* g_callables = nullptr;  // owned by the module
long g_next_callable = 0;

struct PyCallable {
  explicit PyCallable(nb::handle f) : key(nb::int_(++g_next_callable)) {
    if (PyDict_SetItem(g_callables, key.ptr(), f.ptr()) < 0) throw nb::python_error();
  }
  PyCallable(const PyCallable&) = delete;
  ~PyCallable() {
    if (!python_can_run()) {
      (void)key.release();  // the interpreter is gone: nothing to free
      return;
    }
    PyGILState_STATE s = PyGILState_Ensure();
    if (PyDict_DelItem(g_callables, key.ptr()) < 0) PyErr_Clear();
    key.reset();
    PyGILState_Release(s);
  }
  nb::object fn() const {
    PyObject* f = PyDict_GetItem(g_callables, key.ptr());
    if (!f) throw tb::RuntimeError("autograd hook called after it was removed");
    return nb::borrow(f);
  }
  nb::object key;
};

ag::TensorHook tensor_hook(nb::handle fn) {
  auto c = std::make_shared<PyCallable>(fn);
  return [c](const tb::Tensor& g) -> tb::Tensor {
    nb::gil_scoped_acquire gil;
    nb::object r = c->fn()(wrap(g));
    if (r.is_none()) return tb::Tensor();
    return tensor_from_py(r, "hook", "return value");
  };
}

nb::object tensors_to_tuple(const ag::TensorList& ts) {
  nb::list l;
  for (const tb::Tensor& t : ts) l.append(t.defined() ? wrap(t) : nb::none());
  return nb::tuple(l);
}

// Any iterable of tensors or None (None: no tensor there).
ag::TensorList tensors_from_seq(nb::handle seq, const char* fn) {
  TensorSequenceArg arg;
  arg.none_as_undefined = true;
  arg.bad_element = [fn](size_t, const std::string& type) {
    return std::string(fn) + "(): argument 'tensors' must be Tensor, not " + type;
  };
  return tensors_from_sequence(seq, arg);
}

// torch's RemovableHandle: removes one hook (by id) from wherever it was registered.
struct HookHandle {
  std::function<void(int)> remover;
  int id;
  void remove() {
    if (remover) remover(id);
    remover = nullptr;
  }
};

template <typename V>
std::function<void(int)> remover_for(std::weak_ptr<void> owner, V* list) {
  return [owner, list](int id) {
    if (owner.expired()) return;
    std::erase_if(*list, [id](const auto& e) {
      if constexpr (std::tuple_size_v<std::decay_t<decltype(e)>> == 3) return std::get<1>(e) == id;
      else return e.first == id;
    });
  };
}

std::string node_repr(const ag::Node& n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, " object at %p>", static_cast<const void*>(&n));
  return "<" + n.class_name() + buf;
}

nb::object next_functions(const ag::Node& n) {
  nb::list l;
  for (const ag::Edge& e : n.next_edges)
    l.append(nb::make_tuple(e.fn ? nb::cast(e.fn) : nb::none(), e.input_nr));
  return nb::tuple(l);
}

// retain_grad(): the node of a non-leaf keeps its gradient in .grad on each backward.
void retain_grad(const tb::Tensor& t) {
  if (!t.requires_grad())
    throw tb::RuntimeError("can't retain_grad on Tensor that has requires_grad=False");
  if (ag::is_leaf(t)) return;
  ag::AutogradMeta& m = ag::meta(t);
  if (m.retains_grad) return;
  m.retains_grad = true;
  m.grad_fn->retained.emplace_back(m.output_nr, t.impl_ptr());
}

HookHandle register_tensor_hook(const tb::Tensor& t, nb::handle fn) {
  if (!t.requires_grad())
    throw tb::RuntimeError("cannot register a hook on a tensor that doesn't require gradient");
  const int id = ag::next_hook_id();
  if (ag::is_leaf(t)) {
    auto& hooks = ag::meta(t).hooks;
    hooks.emplace_back(id, tensor_hook(fn));
    return HookHandle{remover_for(std::weak_ptr<void>(t.impl()->autograd), &hooks), id};
  }
  ag::Edge e = ag::gradient_edge(t);
  e.fn->slot_hooks.emplace_back(e.input_nr, id, tensor_hook(fn));
  return HookHandle{remover_for(std::weak_ptr<void>(e.fn), &e.fn->slot_hooks), id};
}

}  // namespace

void bind_autograd(nb::module_& m, TensorClass& cls) {
  nb::dict callables;
  m.attr("_callables") = callables;
  g_callables = callables.ptr();
  nb::class_<HookHandle>(m, "RemovableHandle", "Removes the hook it was returned for.")
      .def("remove", &HookHandle::remove, "Removes the hook.")
      .def("__enter__", [](nb::handle self) { return nb::borrow(self); })
      .def("__exit__", [](HookHandle& h, nb::args) { h.remove(); });

  nb::class_<ag::Node>(m, "Node", "An autograd graph node (a tensor's grad_fn).")
      .def("name", &ag::Node::name, "torch's name of the node, e.g. 'MulBackward0'.")
      .def_prop_ro("next_functions", &next_functions,
                   "((node or None, input_nr), ...): where the gradients of the inputs go.")
      .def_prop_ro("variable",
                   [](ag::Node& n) -> nb::object {
                     if (auto* a = dynamic_cast<ag::AccumulateGrad*>(&n)) return wrap(a->variable());
                     throw nb::attribute_error(("'" + n.name() + "' object has no attribute 'variable'").c_str());
                   },
                   "AccumulateGrad: the leaf tensor it accumulates into.")
      .def(
          "register_hook",
          [](ag::Node& n, nb::handle fn) {
            const int id = ag::next_hook_id();
            auto c = std::make_shared<PyCallable>(fn);
            n.post_hooks.emplace_back(id, [c](const ag::TensorList& gin, const ag::TensorList& gout) {
              nb::gil_scoped_acquire gil;
              nb::object r = c->fn()(tensors_to_tuple(gin), tensors_to_tuple(gout));
              return r.is_none() ? ag::TensorList{} : tensors_from_seq(r, "hook");
            });
            return HookHandle{remover_for(std::weak_ptr<void>(n.shared_from_this()), &n.post_hooks), id};
          },
          nb::arg("fn"), "fn(grad_inputs, grad_outputs) runs after the node; may return new grad_inputs.")
      .def(
          "register_prehook",
          [](ag::Node& n, nb::handle fn) {
            const int id = ag::next_hook_id();
            auto c = std::make_shared<PyCallable>(fn);
            n.pre_hooks.emplace_back(id, [c](const ag::TensorList& gout) {
              nb::gil_scoped_acquire gil;
              nb::object r = c->fn()(tensors_to_tuple(gout));
              return r.is_none() ? ag::TensorList{} : tensors_from_seq(r, "hook");
            });
            return HookHandle{remover_for(std::weak_ptr<void>(n.shared_from_this()), &n.pre_hooks), id};
          },
          nb::arg("fn"), "fn(grad_outputs) runs before the node; may return new grad_outputs.")
      .def("__repr__", &node_repr);

  // ---- Tensor: autograd attributes ----
  cls.def_prop_ro("grad_fn", &ag::current_grad_fn, "The node that produced this tensor (None for leaves).")
      .def_prop_ro("is_leaf", &ag::is_leaf,
                   "True for tensors not produced by a recorded operation.")
      .def_prop_rw(
          "grad",
          [](const tb::Tensor& t) -> nb::object {
            const ag::AutogradMeta* mt = ag::meta_if(t);
            if (!mt || !mt->grad.defined()) {
              if (!ag::is_leaf(t) && !(mt && mt->retains_grad))
                PyErr_WarnEx(PyExc_UserWarning,
                             "The .grad attribute of a Tensor that is not a leaf Tensor is being "
                             "accessed. Its .grad attribute won't be populated during "
                             "autograd.backward(). If you indeed want the .grad field to be populated "
                             "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
                             "access the non-leaf Tensor by mistake, make sure you access the leaf "
                             "Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more "
                             "information.",
                             1);
              return nb::none();
            }
            return wrap(mt->grad);
          },
          [](const tb::Tensor& t, nb::handle g) {
            if (g.is_none()) {
              if (ag::AutogradMeta* mt = ag::meta_if(t)) mt->grad = tb::Tensor();
              return;
            }
            const tb::Tensor& gt = tensor_from_py(g, "grad", "value");
            if (gt.dtype() != t.dtype())
              throw tb::RuntimeError("assigned grad has data of a different type");
            if (gt.shape() != t.shape())
              throw tb::RuntimeError("assigned grad has data of a different size");
            ag::meta(t).grad = gt;
          },
          nb::arg("value").none(), "The accumulated gradient (None until a backward pass reaches it).")
      .def_prop_rw(
          "requires_grad", &tb::Tensor::requires_grad,
          [](tb::Tensor& t, bool r) {
            if (!ag::is_leaf(t) && !r)
              throw tb::RuntimeError(
                  "you can only change requires_grad flags of leaf variables. If you want to use a "
                  "computed variable in a subgraph that doesn't require differentiation use "
                  "var_no_grad = var.detach().");
            if (!ag::is_leaf(t)) return;
            t.set_requires_grad(r, "only Tensors of floating point and complex dtype can require gradients");
          },
          "Whether gradients are recorded for this tensor.")
      .def(
          "requires_grad_",
          [](nb::handle self, bool r) {
            tb::Tensor& t = nb::cast<tb::Tensor&>(self);
            if (!ag::is_leaf(t)) {
              if (!r)
                throw tb::RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a "
                    "computed variable in a subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach().");
              return nb::borrow(self);
            }
            t.set_requires_grad(r, "only Tensors of floating point dtype can require gradients");
            return nb::borrow(self);
          },
          nb::arg("requires_grad") = true, "Sets requires_grad in place and returns self.")
      .def("retain_grad", &retain_grad, "Keeps the gradient of this non-leaf tensor in .grad.")
      .def_prop_ro("retains_grad",
                   [](const tb::Tensor& t) {
                     const ag::AutogradMeta* mt = ag::meta_if(t);
                     return mt && mt->retains_grad;
                   },
                   "True if retain_grad() was called on this non-leaf tensor.")
      .def("register_hook", &register_tensor_hook, nb::arg("hook"),
           "hook(grad) runs when this tensor's gradient is computed; may return a replacement.")
      .def_prop_ro("output_nr",
                   [](const tb::Tensor& t) {
                     const ag::AutogradMeta* mt = ag::meta_if(t);
                     return mt ? mt->output_nr : 0u;
                   },
                   "Which output of grad_fn this tensor is.")
      .def(
          "detach_",
          [](nb::handle self) {
            tb::Tensor& t = nb::cast<tb::Tensor&>(self);
            if (t.is_view())
              throw tb::RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                                     "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view "
                                     "is set as True, gradients are views of DDP buckets, and hence detach_() "
                                     "cannot be called on these gradients. To fix this error, please refer to "
                                     "the Optimizer.zero_grad() function in torch/optim/optimizer.py as the "
                                     "solution.");
            if (ag::AutogradMeta* mt = ag::meta_if(t)) {
              mt->grad_fn.reset();
              mt->output_nr = 0;
            }
            t.impl()->requires_grad = false;
            return nb::borrow(self);
          },
          "Detaches this tensor from the graph in place.")
      .def(
          "zero_",
          [](nb::handle self) {
            tb::zero_(nb::cast<tb::Tensor&>(self));
            return nb::borrow(self);
          },
          "Fills with zeros in place; returns self.")
      .def(
          "fill_",
          [](nb::handle self, nb::handle v) {
            const tb::Tensor& t = nb::cast<tb::Tensor&>(self);
            if (is_tensor(v)) {
              const tb::Tensor& vt = tensor_from_py(v, "fill_", "value");
              if (vt.dim() != 0)
                throw tb::RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with " +
                                       std::to_string(vt.dim()) + " dimensions.");
              tb::copy_(t, vt);
            } else {
              tb::fill_(t, scalar_from_py(v));
            }
            return nb::borrow(self);
          },
          nb::arg("value"), "Fills with value in place; returns self.");

  // ---- engine and modes (wrapped by python/tensorbridge/autograd) ----
  m.def(
      "_run_backward",
      [](nb::handle tensors, nb::handle grads, bool retain_graph, bool create_graph, nb::handle inputs) {
        ag::TensorList ts = tensors_from_seq(tensors, "backward");
        ag::TensorList gs = tensors_from_seq(grads, "backward");
        ag::TensorList in = inputs.is_none() ? ag::TensorList{} : tensors_from_seq(inputs, "backward");
        ag::backward(ts, gs, retain_graph, create_graph, in);
      },
      nb::arg("tensors"), nb::arg("grad_tensors"), nb::arg("retain_graph"), nb::arg("create_graph"),
      nb::arg("inputs").none());
  m.def(
      "_run_grad",
      [](nb::handle outputs, nb::handle inputs, nb::handle grads, bool retain_graph, bool create_graph,
         bool allow_unused) {
        ag::TensorList r = ag::grad(tensors_from_seq(outputs, "grad"), tensors_from_seq(inputs, "grad"),
                                    tensors_from_seq(grads, "grad"), retain_graph, create_graph, allow_unused);
        return tensors_to_tuple(r);
      },
      nb::arg("outputs"), nb::arg("inputs"), nb::arg("grad_outputs"), nb::arg("retain_graph"),
      nb::arg("create_graph"), nb::arg("allow_unused"));
  m.def("is_grad_enabled", &tb::GradMode::is_enabled, "True if operations record the autograd graph.");
  m.def("_set_grad_enabled", &tb::GradMode::set_enabled, nb::arg("mode"));
  m.def("is_inference_mode_enabled", &tb::InferenceMode::is_enabled, "True inside inference_mode().");
  m.def("_set_inference_mode", &tb::InferenceMode::set_enabled, nb::arg("mode"));
  m.def("is_anomaly_enabled", &tb::AnomalyMode::is_enabled);
  m.def("is_anomaly_check_nan_enabled", &tb::AnomalyMode::check_nan);
  m.def(
      "_set_anomaly_enabled",
      [](bool enabled, bool check_nan, nb::handle trace, nb::handle report) {
        tb::AnomalyMode::set_enabled(enabled, check_nan);
        if (!enabled) {  // drop the Python callables now, with the GIL held
          tb::AnomalyMode::trace_provider = nullptr;
          tb::AnomalyMode::report = nullptr;
          return;
        }
        auto t = std::make_shared<PyCallable>(trace);
        auto r = std::make_shared<PyCallable>(report);
        tb::AnomalyMode::trace_provider = [t]() {
          nb::gil_scoped_acquire gil;
          return nb::cast<std::string>(t->fn()());
        };
        tb::AnomalyMode::report = [r](const std::string& name, const std::string& trace) {
          nb::gil_scoped_acquire gil;
          r->fn()(name, trace);
        };
      },
      nb::arg("enabled"), nb::arg("check_nan"), nb::arg("trace").none(), nb::arg("report").none());
}

}  // namespace tbpy
