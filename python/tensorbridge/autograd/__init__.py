"""Automatic differentiation with torch.autograd's API: backward, grad, grad-mode switches,
anomaly detection and gradcheck. The engine and the backward rules are C++
(cpp/tensorbridge/autograd/)."""
from .. import _core
from .._core import Node  # noqa: F401
from .grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode  # noqa: F401
from .anomaly_mode import detect_anomaly, set_detect_anomaly  # noqa: F401
from .gradcheck import gradcheck, gradgradcheck  # noqa: F401


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, _core.Tensor):
        return (x,)
    return tuple(x)


def _grads_for(outputs, grads):
    grads = _as_tuple(grads)
    if not grads:
        return (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"grad can be implicitly created only for scalar outputs" if not grads else
                           f"Mismatch in number of gradients: got {len(grads)} for {len(outputs)} outputs")
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulates the gradients of `tensors` into the .grad of the leaves (or of `inputs`)."""
    tensors = _as_tuple(tensors)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if len(inputs) == 0:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    if retain_graph is None:
        retain_graph = create_graph
    _core._run_backward(tensors, _grads_for(tensors, grad_tensors), bool(retain_graph), bool(create_graph),
                        inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs` (a tuple), without touching .grad."""
    if is_grads_batched:
        raise NotImplementedError("tensorbridge.autograd.grad: is_grads_batched=True is not supported")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _as_tuple(outputs)
    single = isinstance(inputs, _core.Tensor)
    inputs = _as_tuple(inputs)
    if retain_graph is None:
        retain_graph = create_graph
    result = _core._run_grad(outputs, inputs, _grads_for(outputs, grad_outputs), bool(retain_graph),
                             bool(create_graph), bool(allow_unused))
    if materialize_grads:
        result = tuple(_core.zeros_like(i) if r is None else r for i, r in zip(inputs, result))
    return result


def _tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Computes the gradient of this tensor with respect to the graph leaves (torch's
    Tensor.backward)."""
    backward(self, gradient, retain_graph, create_graph, inputs=inputs)


_core.Tensor.backward = _tensor_backward
