"""gradcheck / gradgradcheck: compare the analytical Jacobian (from the backward pass) with central
finite differences, as torch.autograd.gradcheck does (use float64 inputs)."""
import warnings

import numpy as np

from .. import _core


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the Jacobians disagree (a RuntimeError, as torch's)."""


def _tuple(x):
    return (x,) if isinstance(x, _core.Tensor) else tuple(x)


def _differentiable_outputs(outputs):
    return [o for o in outputs if isinstance(o, _core.Tensor) and o.requires_grad]


def _numerical_jacobians(func, inputs, diff_idx, out_idx, n_out_elems, eps):
    """One (output elements x input elements) matrix per (output, differentiable input); out_idx:
    the positions (in func's result) of the outputs checked, those that require grad."""
    jac = {}
    for i in diff_idx:
        x = inputs[i]
        arr = x.detach().numpy()  # writes go straight to x's memory
        cols = []
        for idx in np.ndindex(arr.shape):
            orig = arr[idx].item()
            arr[idx] = orig + eps
            plus = [o.detach().numpy().astype(np.float64).ravel().copy() for o in _outputs(func, inputs, out_idx)]
            arr[idx] = orig - eps
            minus = [o.detach().numpy().astype(np.float64).ravel().copy() for o in _outputs(func, inputs, out_idx)]
            arr[idx] = orig
            cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
        for k, n in enumerate(n_out_elems):
            jac[(k, i)] = (np.stack([c[k] for c in cols], axis=1) if cols else np.zeros((n, 0)))
    return jac


def _outputs(func, inputs, out_idx):
    outs = _tuple(func(*inputs))
    return [outs[k] for k in out_idx]


def _analytical_jacobians(outputs, inputs, diff_idx):
    from . import grad
    diff_inputs = [inputs[i] for i in diff_idx]
    jac = {}
    for k, o in enumerate(outputs):
        rows = []
        for j in range(o.numel()):
            onehot = np.zeros(o.numel())
            onehot[j] = 1.0
            go = _core.from_numpy(onehot.reshape(tuple(o.shape))).to(o.dtype)
            gs = grad([o], diff_inputs, [go], retain_graph=True, allow_unused=True)
            rows.append([np.zeros(inputs[i].numel()) if g is None else
                         g.detach().numpy().astype(np.float64).ravel().copy() for i, g in zip(diff_idx, gs)])
        for pos, i in enumerate(diff_idx):
            jac[(k, i)] = (np.stack([r[pos] for r in rows], axis=0) if rows
                           else np.zeros((0, inputs[i].numel())))
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """True if the gradients of func at inputs match finite differences; else GradcheckError
    (or False with raise_exception=False)."""
    inputs = _tuple(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, _core.Tensor) and x.requires_grad]
    if not diff_idx:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of "
                         "the them have requires_grad=True.")
    for i in diff_idx:
        if inputs[i].dtype != _core.float64:
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point. "
                          "This check will likely fail if all the inputs are not of double precision "
                          "floating point. ", UserWarning, stacklevel=2)
    all_outputs = _tuple(func(*inputs))
    out_idx = [k for k, o in enumerate(all_outputs) if isinstance(o, _core.Tensor) and o.requires_grad]
    outputs = [all_outputs[k] for k in out_idx]
    analytical = _analytical_jacobians(outputs, inputs, diff_idx)
    numerical = _numerical_jacobians(func, inputs, diff_idx, out_idx, [o.numel() for o in outputs], eps)
    for (k, i), a in analytical.items():
        n = numerical[(k, i)]
        if a.shape != n.shape or not np.allclose(a, n, rtol=rtol, atol=atol):
            if not raise_exception:
                return False
            raise GradcheckError(f"Jacobian mismatch for output {k} with respect to input {i},\n"
                                 f"numerical:{n}\nanalytical:{a}\n")
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """gradcheck of the gradients of func (second derivatives through create_graph=True)."""
    from . import grad
    inputs = _tuple(inputs)
    outputs = _differentiable_outputs(_tuple(func(*inputs)))
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(_core.from_numpy(rng.standard_normal(tuple(o.shape))).to(o.dtype)
                             .requires_grad_() for o in outputs)
    grad_outputs = _tuple(grad_outputs)
    n = len(inputs)

    def first_grads(*args):
        inp, gos = args[:n], args[n:]
        outs = _differentiable_outputs(_tuple(func(*inp)))
        diff = [x for x in inp if isinstance(x, _core.Tensor) and x.requires_grad]
        gs = grad(outs, diff, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grads, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
