"""Gradients of the reductions against torch (values, grad_fn names, gradients, gradcheck, second
derivatives), on hypothesis-generated float64 inputs: dims/keepdim/correction variations, zeros for
prod/cumprod, ties for the extrema (torch shares the gradient evenly for amax/amin/max()/min() and
the inf-norms, and gives it to the returned index for max(dim)/min(dim))."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import tensorbridge as tb
from grad_harness import check_grad

floats = st.floats(-3, 3, allow_nan=False, width=64)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
small_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)


@st.composite
def distinct(draw, shape, scale=0.5, positive=False):
    """Values of `shape`, pairwise distinct (spaced by `scale`, jittered): no ties, smooth points.
    positive: all > 0.25 (so that the absolute values are distinct too)."""
    n = int(np.prod(shape))
    perm = np.array(draw(st.permutations(range(n))), dtype=np.float64)
    jitter = draw(hnp.arrays("float64", (n,), elements=st.floats(0, scale * 0.4)))
    base = perm + 0.5 if positive else perm - n / 2
    return (base * scale + jitter).reshape(shape)


@st.composite
def tied(draw, shape):
    """Small integer values: many ties."""
    return draw(hnp.arrays("float64", shape, elements=st.integers(-2, 2).map(float)))


# |x| in [1e-3, 1.5]: products and their gradients stay well scaled (the gradients divide by x where
# torch does too; see docs/autograd_reduce_notes.md for the one place torch does not)
moderate = st.one_of(st.floats(1e-3, 1.5), st.floats(-1.5, -1e-3))


@st.composite
def with_zeros(draw, shape):
    """Values of moderate size with some exact zeros (none, one or several per slice)."""
    a = draw(hnp.arrays("float64", shape, elements=moderate))
    z = draw(hnp.arrays(np.bool_, shape, elements=st.booleans()))
    return np.where(z, 0.0, a)


@st.composite
def dims_for(draw, ndim, allow_tuple=True):
    """None, one dim (possibly negative) or a tuple of distinct dims."""
    if ndim == 0:
        return draw(st.sampled_from([None, 0, -1]))
    one = st.integers(-ndim, ndim - 1)
    options = [st.none(), one]
    if allow_tuple:
        options.append(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).flatmap(
            lambda ds: st.tuples(*[st.sampled_from([d, d - ndim]) for d in ds])))
    return draw(st.one_of(*options))


def _kw(dim, keepdim):
    return {} if dim is None else {"dim": dim, "keepdim": keepdim}


# ---- prod -------------------------------------------------------------------------------------

@given(data=st.data())
def test_prod(torch, data):
    shape = data.draw(small_shapes)
    a = data.draw(st.one_of(with_zeros(shape), hnp.arrays("float64", shape, elements=moderate)))
    dim = data.draw(dims_for(len(shape), allow_tuple=False))
    keepdim = data.draw(st.booleans())
    check_grad(lambda lib, x: x.prod(**_kw(dim, keepdim)), a, second_order=True)


@pytest.mark.parametrize("a", [
    [2.0, 3.0, 4.0], [2.0, 0.0, 4.0], [0.0, 3.0, 0.0], [0.0, 0.0, 0.0], [5.0], [0.0],
    [[1.5, 0.0, 2.0], [0.0, 0.0, 1.0]], [[0.0, 2.0], [3.0, 0.5]],
])
def test_prod_zeros(torch, a):
    a = np.array(a)
    check_grad(lambda lib, x: x.prod(), a, second_order=True)
    check_grad(lambda lib, x: x.prod(-1), a, second_order=True)
    check_grad(lambda lib, x: x.prod(0, keepdim=True), a, second_order=True)
    check_grad(lambda lib, x: (x.prod(0) * x.sum()).exp(), a, second_order=True)


def test_prod_dtype(torch):
    a = np.array([[1.5, -0.5, 2.0], [0.0, 3.0, 1.25]])
    check_grad(lambda lib, x: x.prod(dtype=lib.float32), a, rtol=1e-5, atol=1e-5, gradcheck=False)
    check_grad(lambda lib, x: x.prod(1, dtype=lib.float32), a, rtol=1e-5, atol=1e-5, gradcheck=False)
    check_grad(lambda lib, x: x.float().prod(0, dtype=lib.float64), a, rtol=1e-6, atol=1e-6, gradcheck=False)


# ---- amax / amin, max / min -------------------------------------------------------------------

@pytest.mark.parametrize("op", ["amax", "amin"])
@given(data=st.data())
def test_amax_amin(torch, op, data):
    shape = data.draw(shapes)
    ties = data.draw(st.booleans())
    a = data.draw(tied(shape) if ties else distinct(shape))
    dim = data.draw(dims_for(len(shape)))
    keepdim = data.draw(st.booleans())
    # gradcheck needs a smooth point: no ties
    check_grad(lambda lib, x: getattr(x, op)(**_kw(dim, keepdim)), a, gradcheck=not ties)


@pytest.mark.parametrize("op", ["max", "min"])
@given(data=st.data())
def test_max_min_all(torch, op, data):
    shape = data.draw(shapes)
    ties = data.draw(st.booleans())
    a = data.draw(tied(shape) if ties else distinct(shape))
    check_grad(lambda lib, x: getattr(x, op)(), a, gradcheck=not ties)


@pytest.mark.parametrize("op", ["max", "min"])
@given(data=st.data())
def test_max_min_dim(torch, op, data):
    shape = data.draw(shapes)
    ties = data.draw(st.booleans())
    a = data.draw(tied(shape) if ties else distinct(shape))
    nd = max(len(shape), 1)
    dim = data.draw(st.integers(-nd, nd - 1))
    keepdim = data.draw(st.booleans())

    def f(lib, x):
        r = getattr(lib, op)(x, dim, keepdim=keepdim)
        assert not r.indices.requires_grad and r.indices.grad_fn is None
        return r.values, r.indices
    check_grad(f, a, gradcheck=not ties)
    check_grad(lambda lib, x: getattr(x, op)(dim, keepdim)[0].exp(), a, second_order=True, gradcheck=not ties)


def test_extrema_tie_rules(torch):
    """torch's rules, made visible: amax/max() share among ties, max(dim) picks the returned index."""
    a = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    for f in (lambda lib, x: x.amax(), lambda lib, x: x.amax(1), lambda lib, x: x.amin(0),
              lambda lib, x: x.max(), lambda lib, x: x.min(), lambda lib, x: x.max(1)[0],
              lambda lib, x: x.min(0)[0], lambda lib, x: lib.norm(x, float("inf")),
              lambda lib, x: lib.norm(x, float("-inf"), dim=1)):
        check_grad(f, a, gradcheck=False)
    nan = np.array([1.0, math.nan, math.nan, 0.5])
    check_grad(lambda lib, x: x.max(), nan, gradcheck=False)
    check_grad(lambda lib, x: x.amax(), nan, gradcheck=False)


# ---- var / std --------------------------------------------------------------------------------

@pytest.mark.parametrize("op", ["var", "std"])
@given(data=st.data())
def test_var_std(torch, op, data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
    a = data.draw(distinct(shape))
    dim = data.draw(dims_for(len(shape)))
    keepdim = data.draw(st.booleans())
    correction = data.draw(st.sampled_from([None, 0, 1, 2, 0.5]))
    kw = _kw(dim, keepdim)
    if correction is not None:
        kw["correction"] = correction
    n = int(np.prod(shape)) if dim is None or len(shape) == 0 else \
        int(np.prod([shape[d] for d in ((dim,) if isinstance(dim, int) else dim)]))
    dof = n - (1 if correction is None else correction)
    smooth = dof > 0 and n > 1  # 0 or fewer degrees of freedom: inf / nan gradients (compared, not checked)
    check_grad(lambda lib, x: getattr(x, op)(**kw), a, gradcheck=smooth, second_order=smooth)


def test_var_std_corners(torch):
    a = np.array([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]])
    check_grad(lambda lib, x: x.var(correction=6), a, gradcheck=False)        # dof 0: inf
    check_grad(lambda lib, x: x.var(correction=8), a, gradcheck=False)        # dof < 0
    check_grad(lambda lib, x: x.var(1, correction=3), a, gradcheck=False)     # dof 0 along dim
    check_grad(lambda lib, x: x.var(1, correction=4), a, gradcheck=False)     # dof < 0 along dim
    check_grad(lambda lib, x: x.std(1), a, gradcheck=False)                   # std 0 in row 1: grad 0
    check_grad(lambda lib, x: x.var(1, unbiased=False), a)
    check_grad(lambda lib, x: lib.var(x, 0, True), a)                         # (input, dim, unbiased)
    check_grad(lambda lib, x: x.std(0, keepdim=True, correction=0), a)


# ---- norm -------------------------------------------------------------------------------------

P_VALUES = [2, 1, math.inf, -math.inf, 0, 3, 0.5, 1.5, "fro"]


@pytest.mark.parametrize("p", P_VALUES, ids=str)
@given(data=st.data())
def test_norm(torch, p, data):
    shape = data.draw(shapes)
    mag = data.draw(distinct(shape, positive=True))  # distinct |x|, away from 0 (p <= 1 kinks)
    sign = data.draw(hnp.arrays(np.bool_, shape, elements=st.booleans()))
    a = np.where(sign, mag, -mag)
    dim = data.draw(dims_for(len(shape)))
    if p == "fro" and isinstance(dim, tuple) and len(dim) > 2:
        dim = dim[:2]  # torch: 'fro' over more than 2 dims is a matrix norm error (tensorbridge: vector norm)
    keepdim = data.draw(st.booleans())
    kw = _kw(dim, keepdim)
    second = p in (2, 3, 1.5, "fro")
    check_grad(lambda lib, x: lib.norm(x, p, **kw), a, second_order=second, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("p", P_VALUES, ids=str)
def test_norm_zeros_and_method(torch, p):
    a = np.array([[0.0, 0.0, 0.0], [1.5, -2.0, 0.0]])
    check_grad(lambda lib, x: x.norm(p, dim=1), a, gradcheck=False)
    check_grad(lambda lib, x: x.norm(p), a, gradcheck=False)
    check_grad(lambda lib, x: x.norm(p, 0, True), np.array([[0.5, -1.25, 2.0], [1.5, 0.75, -0.25]]))


def test_norm_dtype(torch):
    a = np.array([[0.5, -1.5, 2.0], [1.0, 3.0, -0.25]])
    check_grad(lambda lib, x: x.float().norm(2, dtype=lib.float64), a, rtol=1e-6, atol=1e-6, gradcheck=False)
    check_grad(lambda lib, x: x.float().norm(3, dim=1, dtype=lib.float64), a, rtol=1e-6, atol=1e-6,
               gradcheck=False)


# ---- logsumexp, softmax, log_softmax ----------------------------------------------------------

@given(data=st.data())
def test_logsumexp(torch, data):
    shape = data.draw(shapes)
    a = data.draw(hnp.arrays("float64", shape, elements=floats))
    nd = max(len(shape), 1)
    dim = data.draw(st.one_of(st.integers(-nd, nd - 1),
                              st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True).map(tuple)))
    if len(shape) == 0:
        dim = data.draw(st.sampled_from([0, -1]))
    keepdim = data.draw(st.booleans())
    check_grad(lambda lib, x: lib.logsumexp(x, dim, keepdim=keepdim), a, second_order=True)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@given(data=st.data())
def test_softmax(torch, op, data):
    shape = data.draw(shapes)
    a = data.draw(hnp.arrays("float64", shape, elements=floats))
    nd = max(len(shape), 1)
    dim = data.draw(st.integers(-nd, nd - 1))
    check_grad(lambda lib, x: getattr(x, op)(dim), a, second_order=True)
    check_grad(lambda lib, x: getattr(lib, op)(x * 2, dim) * x, a, second_order=True)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_dtype(torch, op):
    a = np.array([[0.5, -1.5, 2.0], [1.0, 3.0, -0.25]])
    check_grad(lambda lib, x: getattr(x, op)(1, dtype=lib.float32), a, rtol=1e-5, atol=1e-6, gradcheck=False)
    check_grad(lambda lib, x: getattr(x.float(), op)(0, dtype=lib.float64), a, rtol=1e-5, atol=1e-6,
               gradcheck=False)
    check_grad(lambda lib, x: getattr(x, op)(0, dtype=lib.float64), a, second_order=True)


# ---- cumsum, cumprod --------------------------------------------------------------------------

@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
@given(data=st.data())
def test_cumulative(torch, op, data):
    shape = data.draw(small_shapes)
    a = data.draw(st.one_of(with_zeros(shape), hnp.arrays("float64", shape, elements=moderate)))
    nd = max(len(shape), 1)
    dim = data.draw(st.integers(-nd, nd - 1))
    check_grad(lambda lib, x: getattr(x, op)(dim), a, second_order=True)


@pytest.mark.parametrize("a", [
    [2.0, 0.0, 3.0, 4.0], [0.0, 2.0, 3.0], [1.5, 2.0, 0.0], [0.0, 0.0, 2.0], [2.0, 0.0, 0.0, 3.0],
    [[0.0, 1.5, 2.0], [1.0, -2.0, 0.0]],
])
def test_cumprod_zeros(torch, a):
    a = np.array(a)
    check_grad(lambda lib, x: x.cumprod(-1), a, second_order=True)
    check_grad(lambda lib, x: x.cumprod(0) * x, a, second_order=True)


@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_cumulative_dtype(torch, op):
    a = np.array([[0.5, -1.5, 2.0], [1.0, 0.0, -0.25]])
    check_grad(lambda lib, x: getattr(x, op)(1, dtype=lib.float32), a, rtol=1e-5, atol=1e-6, gradcheck=False)
    check_grad(lambda lib, x: getattr(x.float(), op)(0, dtype=lib.float64), a, rtol=1e-6, atol=1e-6,
               gradcheck=False)


# ---- sum / mean with dtype= ---------------------------------------------------------------------

@pytest.mark.parametrize("op", ["sum", "mean"])
@given(data=st.data())
def test_sum_mean_dtype(torch, op, data):
    shape = data.draw(shapes)
    a = data.draw(hnp.arrays("float64", shape, elements=floats))
    dim = data.draw(dims_for(len(shape)))
    keepdim = data.draw(st.booleans())
    dt = data.draw(st.sampled_from(["float32", "float64"]))
    tol = 1e-5 if dt == "float32" else 1e-7
    check_grad(lambda lib, x: getattr(x, op)(**_kw(dim, keepdim), dtype=getattr(lib, dt)), a,
               rtol=tol, atol=tol, gradcheck=dt == "float64")
    check_grad(lambda lib, x: getattr(x.float(), op)(**_kw(dim, keepdim), dtype=lib.float64), a,
               rtol=1e-6, atol=1e-6, gradcheck=False)


def test_sum_mean_second_order(torch):
    a = np.array([[0.5, -1.5, 2.0], [1.0, 3.0, -0.25]])
    check_grad(lambda lib, x: (x.sum(0) ** 2).exp(), a, second_order=True)
    check_grad(lambda lib, x: x.mean(1, keepdim=True) * x, a, second_order=True)


# ---- not differentiable -----------------------------------------------------------------------

def test_not_differentiable(torch):
    a = np.array([[0.5, -1.5, 2.0], [1.0, 3.0, -0.25]])
    for lib in (torch, tb):
        x = lib.from_numpy(a.copy()).requires_grad_(True)
        xt = x.t()  # non-contiguous: argmax would copy it
        for r in (x.all(), x.any(1), x.argmax(), xt.argmin(0), xt.argmax(), x.nonzero(),
                  lib.all(x, 0, keepdim=True)):
            assert not r.requires_grad and r.grad_fn is None
    # max(dim)'s indices are not differentiable either
    y = tb.from_numpy(a.copy()).requires_grad_(True)
    r = y.max(0)
    assert r.values.grad_fn.name() == "MaxBackward0" and r.indices.grad_fn is None


def test_saved_values_modified_in_place(torch):
    """The rules save what they read, as torch's do: changing the input in place before backward
    is torch's error exactly when torch saved it (softmax keeps only its output)."""
    a = np.array([[0.5, -1.5, 2.0], [1.0, 3.0, -0.25]])
    for make in (lambda y: y.prod(), lambda y: y.amax(1), lambda y: y.cumprod(0), lambda y: y.softmax(1),
                 lambda y: y.logsumexp(0), lambda y: y.norm(3), lambda y: y.var(0), lambda y: y.sum(0)):
        raised = []
        for lib in (torch, tb):
            x = lib.from_numpy(a.copy()).requires_grad_(True)
            y = x * 1
            out = make(y)
            y.mul_(2)
            try:
                out.sum().backward()
                raised.append(False)
            except RuntimeError as e:
                assert "modified by an inplace operation" in str(e)
                raised.append(True)
        assert raised[0] == raised[1]
