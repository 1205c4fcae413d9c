"""Differential harness for autograd: the same computation in tensorbridge and torch, compared.

Stable interface (the test_autograd_*.py files import these names):

    check_grad(fn, *inputs, torch_fn=None, grad_fn_name=True, gradcheck=True, second_order=False,
               rtol=1e-7, atol=1e-7)
        ``fn(lib, *tensors)`` builds the computation with ``lib`` being the module ``tensorbridge``
        or ``torch`` (so one function serves both). Each float ndarray input becomes a leaf
        tensor with requires_grad=True (float64 / complex128 recommended); other inputs (ints, index arrays
        wrapped in ``Const(a)``, Python numbers) are passed as constants (ndarrays in Const
        become tensors without grad). The output (a tensor, or a tuple/list whose float tensors
        count, complex ones too) is compared with torch's: values, dtype, shape and -- with grad_fn_name -- the
        name of grad_fn (out.grad_fn.name(), torch:: read as tensorbridge::). Then the gradients of
        sum(out_i * w_i) (random fixed weights w_i) with respect to every leaf are compared, and
        with gradcheck ``tensorbridge.autograd.gradcheck`` must pass. With second_order the
        gradients are taken with create_graph=True and the gradient of their weighted sum is
        compared again (second derivatives). If torch raises, tensorbridge must raise the same
        exception type. Returns the tensorbridge output.

    Const(a)            marks an input that must not require grad
"""

from __future__ import annotations

import numpy as np

import tensorbridge as tb

__all__ = ["check_grad", "Const"]


class Const:
    """An input passed without requires_grad (an ndarray becomes a tensor, others unchanged)."""

    def __init__(self, obj):
        self.obj = obj


def _convert(lib, x):
    if isinstance(x, Const):
        o = x.obj
        if isinstance(o, np.ndarray):
            return lib.from_numpy(o.copy())
        return o
    if isinstance(x, np.ndarray):
        t = lib.from_numpy(x.copy())
        if t.is_floating_point() or t.is_complex():
            t.requires_grad_(True)
        return t
    if isinstance(x, (list, tuple)):
        return type(x)(_convert(lib, v) for v in x)
    return x


def _leaves(inputs):
    out = []
    for x in inputs:
        if isinstance(x, (list, tuple)):
            out.extend(_leaves(x))
        elif hasattr(x, "requires_grad") and x.requires_grad:
            out.append(x)
    return out


def _outputs(out):
    if isinstance(out, (list, tuple)):
        return [o for o in out if hasattr(o, "is_floating_point") and (o.is_floating_point() or o.is_complex())]
    return [out]


def _np(t):
    if t is None:
        return None
    if hasattr(t, "_is_zerotensor"):  # torch (its gradients may be "zero tensors")
        return t.detach().numpy(force=True)
    return t.detach().numpy()


def _weights(outs, seed=1234):
    rng = np.random.default_rng(seed)
    ws = []
    for o in outs:
        w = rng.standard_normal(tuple(o.shape))
        if o.is_complex():
            w = w + 1j * rng.standard_normal(tuple(o.shape))
        ws.append(w)
    return ws


def _weighted(lib, outs, ws):
    total = None
    for o, w in zip(outs, ws):
        term = (o * lib.from_numpy(w).to(o.dtype)).sum()
        total = term if total is None else total + term
    return total


def _grad(lib, outs, ws, leaves, create_graph=False):
    """Gradients of sum(out_i * w_i) (real outputs), or with complex outputs the vector-Jacobian
    product with grad_outputs w_i (the gradient of the real sum Re(sum conj(w_i) out_i))."""
    if any(o.is_complex() for o in outs):
        gos = [lib.from_numpy(np.asarray(w)).to(o.dtype) for o, w in zip(outs, ws)]
        return lib.autograd.grad(list(outs), leaves, grad_outputs=gos, allow_unused=True,
                                 create_graph=create_graph)
    return lib.autograd.grad(_weighted(lib, outs, ws), leaves, allow_unused=True, create_graph=create_graph)


def _compare(a, b, rtol, atol, what):
    a = np.asarray(a)
    b = np.asarray(b)
    assert a.shape == b.shape, f"{what}: shape {a.shape} != torch's {b.shape}"
    assert np.iscomplexobj(a) == np.iscomplexobj(b), f"{what}: complex {a.dtype} vs torch's {b.dtype}"
    kind = np.complex128 if np.iscomplexobj(a) else np.float64
    np.testing.assert_allclose(a.astype(kind), b.astype(kind), rtol=rtol, atol=atol,
                               equal_nan=True, err_msg=what)


def check_grad(fn, *inputs, torch_fn=None, grad_fn_name=True, gradcheck=True, second_order=False,
               rtol=1e-7, atol=1e-7):
    import torch
    torch_fn = torch_fn or fn
    t_in = [_convert(torch, x) for x in inputs]
    try:
        t_out = torch_fn(torch, *t_in)
    except Exception as e:  # torch refuses: so must we, with the same exception type
        kind = next(k for k in (IndexError, ValueError, TypeError, NotImplementedError, RuntimeError)
                    if isinstance(e, k))
        b_in = [_convert(tb, x) for x in inputs]
        try:
            fn(tb, *b_in)
        except kind:
            return None
        raise AssertionError(f"torch raised {type(e).__name__}: {e}; tensorbridge did not")
    b_in = [_convert(tb, x) for x in inputs]
    b_out = fn(tb, *b_in)

    t_outs, b_outs = _outputs(t_out), _outputs(b_out)
    assert len(t_outs) == len(b_outs)
    for i, (to, bo) in enumerate(zip(t_outs, b_outs)):
        assert str(bo.dtype).split(".")[-1] == str(to.dtype).split(".")[-1], f"output {i} dtype"
        _compare(_np(bo), _np(to), rtol, atol, f"output {i} values")
        assert bo.requires_grad == to.requires_grad, f"output {i} requires_grad"
        if grad_fn_name and to.grad_fn is not None:
            want = to.grad_fn.name().replace("torch::", "tensorbridge::")
            assert bo.grad_fn is not None and bo.grad_fn.name() == want, \
                f"output {i} grad_fn: {bo.grad_fn} vs torch's {want}"
    t_leaves, b_leaves = _leaves(t_in), _leaves(b_in)
    t_diff = [o for o in t_outs if o.requires_grad]
    b_diff = [o for o in b_outs if o.requires_grad]
    if not t_diff or not t_leaves:
        return b_out
    ws = _weights(t_diff)
    t_grads = _grad(torch, t_diff, ws, t_leaves, create_graph=second_order)
    b_grads = _grad(tb, b_diff, ws, b_leaves, create_graph=second_order)
    for i, (tg, bg) in enumerate(zip(t_grads, b_grads)):
        if tg is None:
            assert bg is None or not np.any(_np(bg)), f"grad {i}: torch has none"
            continue
        assert bg is not None, f"grad {i}: tensorbridge has none, torch has one"
        _compare(_np(bg), _np(tg), rtol, atol, f"grad of input {i}")
    if second_order:
        # second derivatives of the weighted first gradients; a first gradient without a graph
        # in tensorbridge is fine where torch's second derivative through it is zero
        t_sel = [i for i, g in enumerate(t_grads) if g is not None and g.requires_grad]
        ws2 = _weights([t_grads[i] for i in t_sel], seed=99)
        if t_sel:
            t_gg = _grad(torch, [t_grads[i] for i in t_sel], ws2, t_leaves)
            b_sel = [(i, w) for i, w in zip(t_sel, ws2) if b_grads[i] is not None and b_grads[i].requires_grad]
            b_gg = (_grad(tb, [b_grads[i] for i, _ in b_sel], [w for _, w in b_sel], b_leaves)
                    if b_sel else [None] * len(b_leaves))
            for i, (tg, bg) in enumerate(zip(t_gg, b_gg)):
                want = np.zeros(tuple(t_leaves[i].shape)) if tg is None else _np(tg)
                have = np.zeros(tuple(b_leaves[i].shape)) if bg is None else _np(bg)
                _compare(have, want, max(rtol, 1e-6), max(atol, 1e-6), f"second grad of input {i}")
    if gradcheck:
        leaves = b_leaves

        def f(*ls):
            it = iter(ls)

            def rebuild(x):
                if isinstance(x, (list, tuple)):
                    return type(x)(rebuild(v) for v in x)
                if hasattr(x, "requires_grad") and x.requires_grad:
                    return next(it)
                return x
            return tuple(_outputs(fn(tb, *[rebuild(x) for x in b_in])))
        assert tb.autograd.gradcheck(f, tuple(leaves), atol=1e-5, rtol=1e-3)
    return b_out
