"""gradcheck / gradgradcheck: compare the analytical Jacobian (from the backward pass) with central
finite differences, as torch.autograd.gradcheck does (use float64 or complex128 inputs; complex
inputs and outputs are checked as pairs of reals, real and imaginary part)."""
import warnings

import numpy as np

from .. import _core


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the Jacobians disagree (a RuntimeError, as torch's)."""


def _tuple(x):
    return (x,) if isinstance(x, _core.Tensor) else tuple(x)


def _differentiable_outputs(outputs):
    return [o for o in outputs if isinstance(o, _core.Tensor) and o.requires_grad]


def _flat(o):
    """An output's values as float64, complex ones as interleaved (real, imag) pairs."""
    a = o.detach().numpy()
    if np.iscomplexobj(a):
        return np.stack([a.real, a.imag], axis=-1).astype(np.float64).ravel().copy()
    return a.astype(np.float64).ravel().copy()


def _numerical_jacobians(func, inputs, diff_idx, out_idx, n_out_elems, eps):
    """One (output reals x input reals) matrix per (output, differentiable input); out_idx: the
    positions (in func's result) of the outputs checked, those that require grad. A complex
    element counts as two reals (real part, imaginary part), for inputs and outputs alike: as
    torch's gradcheck, both the real and the imaginary perturbations are checked."""
    jac = {}
    for i in diff_idx:
        x = inputs[i]
        arr = x.detach().numpy()  # writes go straight to x's memory
        steps = (eps, eps * 1j) if np.iscomplexobj(arr) else (eps,)
        cols = []
        for idx in np.ndindex(arr.shape):
            orig = arr[idx].item()
            for step in steps:
                arr[idx] = orig + step
                plus = [_flat(o) for o in _outputs(func, inputs, out_idx)]
                arr[idx] = orig - step
                minus = [_flat(o) for o in _outputs(func, inputs, out_idx)]
                arr[idx] = orig
                cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
        for k, n in enumerate(n_out_elems):
            jac[(k, i)] = (np.stack([c[k] for c in cols], axis=1) if cols else np.zeros((n, 0)))
    return jac


def _n_reals(t):
    return t.numel() * (2 if t.is_complex() else 1)


def _outputs(func, inputs, out_idx):
    outs = _tuple(func(*inputs))
    return [outs[k] for k in out_idx]


def _analytical_jacobians(outputs, inputs, diff_idx):
    """Rows from backward passes. A real output element gives one row (grad_output 1 there); a
    complex one two: grad_output 1 differentiates its real part and 1j its imaginary part (torch's
    convention: the gradient of a real L is dL/dRe(x) + 1j dL/dIm(x), split here into the two
    columns of x's element)."""
    from . import grad
    diff_inputs = [inputs[i] for i in diff_idx]
    jac = {}
    for k, o in enumerate(outputs):
        rows = []
        seeds = (1.0, 1j) if o.is_complex() else (1.0,)
        for j in range(o.numel()):
            for seed in seeds:
                onehot = np.zeros(o.numel(), dtype=np.complex128 if o.is_complex() else np.float64)
                onehot[j] = seed
                go = _core.from_numpy(onehot.reshape(tuple(o.shape))).to(o.dtype)
                gs = grad([o], diff_inputs, [go], retain_graph=True, allow_unused=True)
                row = []
                for i, g in zip(diff_idx, gs):
                    if g is None:
                        row.append(np.zeros(_n_reals(inputs[i])))
                    else:
                        row.append(_flat(g))
                rows.append(row)
        for pos, i in enumerate(diff_idx):
            jac[(k, i)] = (np.stack([r[pos] for r in rows], axis=0) if rows
                           else np.zeros((0, _n_reals(inputs[i]))))
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
        if inputs[i].dtype not in (_core.float64, _core.complex128):
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point "
                          "or complex. "
                          "This check will likely fail if all the inputs are not of double precision "
                          "floating point. ", UserWarning, stacklevel=2)
    all_outputs = _tuple(func(*inputs))
    out_idx = [k for k, o in enumerate(all_outputs) if isinstance(o, _core.Tensor) and o.requires_grad]
    outputs = [all_outputs[k] for k in out_idx]
    analytical = _analytical_jacobians(outputs, inputs, diff_idx)
    numerical = _numerical_jacobians(func, inputs, diff_idx, out_idx, [_n_reals(o) for o in outputs], eps)
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
        def _random(o):
            a = rng.standard_normal(tuple(o.shape))
            if o.is_complex():
                a = a + 1j * rng.standard_normal(tuple(o.shape))
            return _core.from_numpy(a).to(o.dtype).requires_grad_()
        grad_outputs = tuple(_random(o) for o in outputs)
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
