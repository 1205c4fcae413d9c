"""Reductions compared with torch: one row per op, hypothesis-drawn dtypes, shapes (empty ones
included), dims (None, int, tuple, negative, duplicated), keepdim, dtype= and memory layouts."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import tensorbridge as tb
from op_harness import Dt, arrays, check_op, dtypes, elements_for, shapes

# float sums: both accumulate float32 pairwise, but in different orders
TOL = dict(rtol=1e-5, atol=1e-5)


def _tol(a):
    """float16 results: compositions (var, softmax, ...) round intermediate results to float16."""
    return dict(rtol=1e-2, atol=1e-2) if a.dtype == np.float16 else TOL


def _arr(data, kind="all", min_dims=0, max_dims=3, small=False, finite=True, min_side=0):
    dt = data.draw(dtypes(kind))
    shape = data.draw(shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side))
    return data.draw(arrays(dt, shape, elements=elements_for(dt, finite=finite, small=small)))


def _dims(data, ndim, allow_tuple=True):
    n = max(ndim, 1)
    one = st.integers(-n, n - 1)
    opts = [st.none(), one]
    if allow_tuple:
        opts.append(st.lists(one, min_size=0, max_size=n).map(tuple))
    return data.draw(st.one_of(*opts))


# (name, dtype kind, accepts tuple dims, small values?)
DIM_REDUCTIONS = [
    ("sum", "all", True, False), ("mean", "all", True, False), ("amax", "all", True, False),
    ("amin", "all", True, False), ("all", "all", True, False), ("any", "all", True, False),
    ("prod", "all", False, True), ("logsumexp", "real", True, True),
]


def _assume_torch_prod_loop_independent(torch, a, dim):
    """Known torch inconsistency (docs/ops.md): a complex prod with infinite parts depends on torch's
    loop -- its vectorised reduction (rows of 8+) starts several accumulators at 1+0j, and
    (1+0j) * (x+infj) is nan+infj -- while its sequential loop, like tensorbridge, multiplies
    1 * a0 * a1 ... in order. Skips only inputs where torch's two loops disagree."""
    if a.dtype.kind != "c" or np.all(np.isfinite(a)):
        return
    t = torch.from_numpy(np.array(a, copy=True))
    try:
        whole = t.prod() if dim is None else t.prod(dim)
    except (RuntimeError, IndexError):
        return
    rows = t.reshape(-1) if dim is None or t.dim() == 0 else t.movedim(dim, 0)
    acc = torch.ones(rows.shape[1:], dtype=t.dtype)
    for row in rows:
        acc = acc * row  # torch's element-wise product, one row at a time
    w, e = whole.reshape(-1), acc.reshape(-1)
    same = lambda x, y: (x == y) | (x.isnan() & y.isnan())  # noqa: E731
    assume(bool((same(w.real, e.real) & same(w.imag, e.imag)).all()))


@pytest.mark.parametrize("name,kind,tuples,small", DIM_REDUCTIONS, ids=[r[0] for r in DIM_REDUCTIONS])
@given(data=st.data())
def test_dim_reductions(torch, name, kind, tuples, small, data):
    a = _arr(data, kind, small=small, finite=data.draw(st.booleans()))
    # Known difference: torch returns an empty result for complex amax/amin over empty input
    # (no kernel runs); tensorbridge raises its NotImplementedError for complex anyway
    assume(not (name in ("amax", "amin") and a.dtype.kind == "c" and a.size == 0))
    dim = _dims(data, a.ndim, tuples)
    keepdim = data.draw(st.booleans())
    if name == "logsumexp" and (dim is None or dim == ()):
        dim = 0  # torch's logsumexp(dim=()) raises a shape error of its own
    if name == "prod":
        _assume_torch_prod_loop_independent(torch, a, dim)
    if dim is None:
        check_op(lambda x: getattr(tb, name)(x), lambda x: getattr(torch, name)(x), a, **_tol(a))
        check_op(lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), a, **_tol(a))
    else:
        check_op(lambda x: getattr(tb, name)(x, dim, keepdim), lambda x: getattr(torch, name)(x, dim, keepdim),
                 a, **_tol(a))
        check_op(lambda x: getattr(x, name)(dim, keepdim=keepdim), lambda x: getattr(x, name)(dim, keepdim=keepdim),
                 a, **_tol(a))


@pytest.mark.parametrize("name", ["sum", "mean", "prod"])
@given(data=st.data())
def test_reduction_dtype_argument(torch, name, data):
    a = _arr(data, "all", small=True)
    dt = data.draw(st.sampled_from(["float32", "float64", "int64", "complex64", "int32"]))
    dim = data.draw(st.one_of(st.none(), st.integers(-max(a.ndim, 1), max(a.ndim, 1) - 1)))
    if dim is None:
        check_op(lambda x, d: getattr(tb, name)(x, dtype=d), lambda x, d: getattr(torch, name)(x, dtype=d),
                 a, Dt(dt), **_tol(a))
        return
    check_op(lambda x, d: getattr(tb, name)(x, dim, dtype=d), lambda x, d: getattr(torch, name)(x, dim, dtype=d),
             a, Dt(dt), **_tol(a))


@pytest.mark.parametrize("name", ["max", "min"])
@given(data=st.data())
def test_max_min(torch, name, data):
    a = _arr(data, "all", finite=data.draw(st.booleans()))
    check_op(lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), a)
    dim = data.draw(st.integers(-max(a.ndim, 1), max(a.ndim, 1) - 1))
    keepdim = data.draw(st.booleans())
    # indices: torch returns the first occurrence on CPU as well
    check_op(lambda x: getattr(tb, name)(x, dim, keepdim), lambda x: getattr(torch, name)(x, dim, keepdim), a)
    check_op(lambda x: getattr(x, name)(dim=dim), lambda x: getattr(x, name)(dim=dim), a)
    b = np.array(a[..., ::-1] if a.ndim else a)
    check_op(lambda x, y: getattr(tb, name)(x, y), lambda x, y: getattr(torch, name)(x, y), a, b)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@given(data=st.data())
def test_argmax_argmin(torch, name, data):
    a = _arr(data, "all", finite=data.draw(st.booleans()))
    dim = _dims(data, a.ndim, allow_tuple=False)
    keepdim = data.draw(st.booleans())
    check_op(lambda x: getattr(tb, name)(x, dim, keepdim), lambda x: getattr(torch, name)(x, dim, keepdim), a)
    check_op(lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), a)


@pytest.mark.parametrize("name", ["var", "std"])
@given(data=st.data())
def test_var_std(torch, name, data):
    a = _arr(data, "all", small=True)
    dim = _dims(data, a.ndim)
    keepdim = data.draw(st.booleans())
    correction = data.draw(st.sampled_from([0, 1, 2, 0.5]))
    # Known difference: complex var with zero degrees of freedom (torch adds var(real) + var(imag))
    assume(not (a.dtype.kind == "c" and correction == 2))
    unbiased = data.draw(st.booleans())
    tb_f, t_f = getattr(tb, name), getattr(torch, name)
    check_op(lambda x: tb_f(x, dim, correction=correction, keepdim=keepdim),
             lambda x: t_f(x, dim, correction=correction, keepdim=keepdim), a, **_tol(a))
    check_op(lambda x: tb_f(x, dim, unbiased, keepdim), lambda x: t_f(x, dim, unbiased, keepdim), a, **_tol(a))
    check_op(lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), a, **_tol(a))
    check_op(lambda x: tb_f(x, unbiased), lambda x: t_f(x, unbiased), a, **_tol(a))


@given(data=st.data())
def test_norm(torch, data):
    a = _arr(data, "all", small=True)
    p = data.draw(st.sampled_from([2, 1, 3, 0.5, 0, math.inf, -math.inf, "fro"]))
    dim = _dims(data, a.ndim)
    keepdim = data.draw(st.booleans())
    if p == "fro" and dim is not None:
        return  # torch routes fro+dim through matrix norms
    check_op(lambda x: tb.norm(x, p, dim, keepdim), lambda x: torch.norm(x, p, dim, keepdim), a, **_tol(a))
    check_op(lambda x: x.norm(), lambda x: x.norm(), a, **_tol(a))


@given(data=st.data())
def test_nuclear_norm(torch, data):
    kind = data.draw(st.sampled_from(["float", "complex", "all"]))
    a = _arr(data, kind, min_dims=data.draw(st.sampled_from([2, 0])), max_dims=4, small=True)
    nd = max(a.ndim, 1)
    dim = data.draw(st.one_of(st.none(), st.tuples(st.integers(-nd, nd - 1), st.integers(-nd, nd - 1)),
                              st.integers(-nd, nd - 1)))
    keepdim = data.draw(st.booleans())
    dtype = data.draw(st.sampled_from([None, "float64", "complex128", "float16"]))
    # singular values come from different LAPACKs (torch: MKL; tensorbridge: OpenBLAS)
    tol = dict(rtol=1e-4, atol=1e-4)

    def run(lib):
        def f(x):
            kw = {} if dtype is None else {"dtype": getattr(lib, dtype)}
            return lib.norm(x, "nuc", dim, keepdim, **kw)
        return f
    check_op(run(tb), run(torch), a, **tol)
    check_op(lambda x: x.norm(p="nuc"), lambda x: x.norm(p="nuc"), a, **tol)


def test_nuclear_norm_non_finite(torch):
    nan, inf = math.nan, math.inf
    for a in ([[nan, 1.0], [1.0, 1.0]], [[inf, 1.0], [1.0, 1.0]], [[[inf, 1.0], [1.0, 1.0]], [[1.0, 2.0], [3.0, 4.0]]],
              [[[1.0, 2.0], [3.0, 4.0]], [[nan, 1.0], [1.0, 1.0]]]):
        a = np.array(a, dtype=np.float32)
        e = check_op(lambda x: tb.norm(x, "nuc", (-2, -1)), lambda x: torch.norm(x, "nuc", (-2, -1)), a)
        if isinstance(e, Exception):
            assert "non-finite" in str(e)
    check_op(lambda x: tb.norm(x, "abc"), lambda x: torch.norm(x, "abc"), np.ones((2, 2)))


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@given(data=st.data())
def test_cumulative(torch, name, data):
    a = _arr(data, "all", small=True)
    dim = data.draw(st.integers(-max(a.ndim, 1), max(a.ndim, 1) - 1))
    check_op(lambda x: getattr(tb, name)(x, dim), lambda x: getattr(torch, name)(x, dim), a, **_tol(a))
    check_op(lambda x: getattr(x, name)(dim, dtype=tb.float64), lambda x: getattr(x, name)(dim, dtype=torch.float64),
             a, **_tol(a))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(data=st.data())
def test_softmax(torch, name, data):
    a = _arr(data, "all", finite=data.draw(st.booleans()))
    dim = data.draw(st.integers(-max(a.ndim, 1), max(a.ndim, 1) - 1))
    check_op(lambda x: getattr(tb, name)(x, dim), lambda x: getattr(torch, name)(x, dim), a, **_tol(a))
    check_op(lambda x: getattr(x, name)(dim, dtype=tb.float64), lambda x: getattr(x, name)(dim, dtype=torch.float64),
             a, **_tol(a))


def test_reduction_errors_and_named_tuples(torch):
    e = np.zeros((0, 3), dtype=np.float32)
    check_op(lambda x: x.max(), lambda x: x.max(), e)
    check_op(lambda x: x.amax(0), lambda x: x.amax(0), e)
    check_op(lambda x: x.argmax(), lambda x: x.argmax(), e)
    check_op(lambda x: x.sum((0, 0)), lambda x: x.sum((0, 0)), e)
    check_op(lambda x: x.sum(2), lambda x: x.sum(2), e)
    check_op(lambda x: x.mean(), lambda x: x.mean(), np.arange(3))
    check_op(lambda x: x.std(), lambda x: x.std(), np.arange(3))
    check_op(lambda x: x.argmax(), lambda x: x.argmax(), np.array([True, False]))
    r = tb.from_numpy(np.array([[1.0, 5.0], [7.0, 2.0]])).max(1)
    assert r.values.tolist() == [5.0, 7.0] and r.indices.tolist() == [1, 0]
    v, i = tb.from_numpy(np.array([3, 1, 2])).min(0)
    assert v.item() == 1 and i.item() == 1


def test_large_reductions_use_all_paths(torch):
    # big enough to be split among threads: inner, outer and full reductions, strided input
    rng = np.random.default_rng(0)
    a = rng.standard_normal((300, 257)).astype(np.float32)
    for fn in (lambda x: x.sum(), lambda x: x.sum(0), lambda x: x.sum(1), lambda x: x.amax(0),
               lambda x: x.mean((0, 1)), lambda x: x.T.sum(1), lambda x: x[:, ::2].sum(0),
               lambda x: x.argmax(0), lambda x: x.cumsum(0), lambda x: x.softmax(1)):
        check_op(fn, fn, a, rtol=1e-4, atol=1e-4)
        check_op(fn, fn, a[::-1], rtol=1e-4, atol=1e-4)  # negative strides (torch gets a copy)
    b = rng.integers(-100, 100, size=(513, 129), dtype=np.int64)
    for fn in (lambda x: x.sum(), lambda x: x.sum(0), lambda x: x.prod(1), lambda x: x.amin(1)):
        check_op(fn, fn, b)
