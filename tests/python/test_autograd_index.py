"""Gradients of the indexing ops against torch (values, grad_fn names, gradients, gradcheck, second
derivatives), on hypothesis-generated float64 inputs. Repeated indices accumulate their gradients
(t[idx], index_select, gather, take, scatter_add, index_put_(accumulate=True)); written positions
lose theirs (t[idx] = v, scatter, masked_fill)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import tensorbridge as tb
from grad_harness import Const, check_grad

floats = st.floats(-3, 3, allow_nan=False, width=64)
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def values(data, shape):
    return data.draw(hnp.arrays("float64", shape, elements=floats))


def int_index(data, n, shape, negative=True):
    """An int64 index array into a dim of size n (repeats allowed, negative ones if asked)."""
    lo = -n if negative else 0
    return data.draw(hnp.arrays(np.int64, shape, elements=st.integers(lo, n - 1)))


def unique_index(data, n, max_len=None):
    """A 1-D int64 index without repeats (so that writes do not collide)."""
    k = data.draw(st.integers(1, n if max_len is None else min(n, max_len)))
    perm = data.draw(st.permutations(range(n)))
    return np.array(perm[:k], dtype=np.int64)


# ---- t[idx] -----------------------------------------------------------------------------------

@given(data=st.data())
def test_index_int(torch, data):
    shape = data.draw(shapes)
    a = values(data, shape)
    nd = len(shape)
    k = data.draw(st.integers(1, 5))
    # (a 0-d integer tensor index is a select(): basic indexing, a view -- not tested here)
    i0 = int_index(data, shape[0], data.draw(st.sampled_from([(k,), (2, k), (1,)])))
    check_grad(lambda lib, x, i: x[i], a, Const(i0))
    check_grad(lambda lib, x, i: x[i] ** 2, a, Const(i0), second_order=True)
    if nd >= 2:
        i1 = int_index(data, shape[1], (k,))
        j0 = int_index(data, shape[0], data.draw(st.sampled_from([(k,), (1,)])))
        check_grad(lambda lib, x, i: x[:, i], a, Const(i1))
        check_grad(lambda lib, x, i, j: x[i, j], a, Const(j0), Const(i1))
        check_grad(lambda lib, x, i: x[..., i, :] if nd == 3 else x[i, ...], a, Const(i1 if nd == 3 else i0))
    if nd == 3:
        i2 = int_index(data, shape[2], (k,))
        j0 = int_index(data, shape[0], (k,))
        check_grad(lambda lib, x, i, j: x[i, :, j], a, Const(j0), Const(i2))  # not adjacent: in front
        check_grad(lambda lib, x, i, j: (x[i, :, j] * x[i, :, j].sum()).exp(), a, Const(j0), Const(i2),
                   second_order=True)


@given(data=st.data())
def test_index_mask(torch, data):
    shape = data.draw(shapes)
    a = values(data, shape)
    k = data.draw(st.integers(1, len(shape)))
    m = data.draw(hnp.arrays(np.bool_, shape[:k], elements=st.booleans()))
    check_grad(lambda lib, x, m: x[m], a, Const(m))
    away = np.where(np.abs(a) < 0.1, 0.5, a)  # x > 0 must not change under gradcheck's steps
    check_grad(lambda lib, x: x[x > 0] * x[x > 0], away, second_order=True)
    if len(shape) >= 2:
        mc = data.draw(hnp.arrays(np.bool_, shape[1:2], elements=st.booleans()))
        check_grad(lambda lib, x, m: x[:, m], a, Const(mc))


def test_index_grad_fn_and_repeats(torch):
    a = np.arange(12.0).reshape(3, 4) / 7
    check_grad(lambda lib, x: x[lib.tensor([0, 0, 2, 0])], a)
    check_grad(lambda lib, x: x[lib.tensor([[1, 1], [2, -3]]), lib.tensor([3, 3])], a)
    check_grad(lambda lib, x: x[[0, 0, 1]], a)
    check_grad(lambda lib, x: x[lib.tensor([True, False, True])], a)
    check_grad(lambda lib, x: x[lib.tensor([], dtype=lib.int64)], a)


# ---- t[idx] = v, index_put_ -------------------------------------------------------------------

@given(data=st.data())
def test_setitem(torch, data):
    shape = data.draw(shapes)
    a = values(data, shape)
    i = unique_index(data, shape[0])
    v = values(data, (len(i),) + shape[1:])
    row = values(data, shape[1:])

    def put(lib, x, v, i):
        z = x * 1
        z[i] = v
        return z
    check_grad(put, a, v, Const(i))
    check_grad(put, a, row, Const(i))  # broadcast value: its gradient sums over the rows
    check_grad(put, a, Const(v), Const(i))
    check_grad(put, Const(a), v, Const(i))
    check_grad(lambda lib, x, v, i: put(lib, x, v, i) ** 2, a, v, Const(i), second_order=True)
    r = int_index(data, shape[0], (data.draw(st.integers(1, 5)),))

    def put_scalar(lib, x, i):  # repeated positions: one value, no collision question
        z = x * 1
        z[i] = 2.5
        return z
    check_grad(put_scalar, a, Const(r))
    if len(shape) >= 2:
        c = unique_index(data, shape[1])
        col = values(data, (shape[0], len(c)) + shape[2:])

        def put_cols(lib, x, v, i):
            z = x * 1
            z[:, i] = v
            return z
        check_grad(put_cols, a, col, Const(c))


@given(data=st.data())
def test_setitem_mask(torch, data):
    shape = data.draw(shapes)
    a = values(data, shape)
    m = data.draw(hnp.arrays(np.bool_, shape, elements=st.booleans()))
    v0 = np.array(data.draw(floats))

    def put(lib, x, v, m):
        z = x * 1
        z[m] = v
        return z
    check_grad(put, a, v0, Const(m))

    def zero_pos(lib, x):
        z = x * 1
        z[z > 0] = 0.0
        return z
    check_grad(zero_pos, np.where(np.abs(a) < 0.1, 0.5, a))  # away from the jump at 0


@pytest.mark.parametrize("accumulate", [False, True])
@given(data=st.data())
def test_index_put(torch, accumulate, data):
    shape = data.draw(shapes)
    a = values(data, shape)
    if accumulate:  # repeats add up
        i = int_index(data, shape[0], (data.draw(st.integers(1, 6)),))
    else:
        i = unique_index(data, shape[0])
    v = values(data, (len(i),) + shape[1:])

    def inplace(lib, x, v, i):
        z = x * 1
        z.index_put_((i,), v, accumulate=accumulate)
        return z
    check_grad(inplace, a, v, Const(i))
    check_grad(lambda lib, x, v, i: x.index_put((i,), v, accumulate=accumulate), a, v, Const(i))
    check_grad(lambda lib, x, v, i: lib.index_put(x, (i,), v, accumulate) * v.sum(), a, v, Const(i),
               second_order=True)


def test_index_put_errors(torch):
    a = np.arange(6.0).reshape(2, 3)
    v = np.ones(3)

    def leaf(lib, x, v):
        x[lib.tensor([0])] = v  # in place on a leaf that requires grad: RuntimeError
        return x
    check_grad(leaf, a, v)

    def leaf_put(lib, x, v):
        x.index_put_((lib.tensor([1]),), v)
        return x
    check_grad(leaf_put, a, v)


# ---- index_select, gather, take ---------------------------------------------------------------

@given(data=st.data())
def test_index_select(torch, data):
    shape = data.draw(shapes)
    a = values(data, shape)
    nd = len(shape)
    d = data.draw(st.integers(-nd, nd - 1))
    i = int_index(data, shape[d], (data.draw(st.integers(1, 6)),), negative=False)
    check_grad(lambda lib, x, i: x.index_select(d, i), a, Const(i))
    check_grad(lambda lib, x, i: lib.index_select(x, d, i).exp(), a, Const(i), second_order=True)
    check_grad(lambda lib, x, i: x.index_select(d, i[0]), a, Const(i))  # 0-d index


@st.composite
def gather_case(draw):
    shape = draw(shapes)
    nd = len(shape)
    d = draw(st.integers(-nd, nd - 1))
    ishape = tuple(draw(st.integers(1, 4)) if k == d % nd else draw(st.integers(1, shape[k]))
                   for k in range(nd))
    idx = draw(hnp.arrays(np.int64, ishape, elements=st.integers(0, shape[d] - 1)))
    return shape, d, idx


@given(data=st.data())
def test_gather(torch, data):
    shape, d, idx = data.draw(gather_case())
    a = values(data, shape)
    check_grad(lambda lib, x, i: x.gather(d, i), a, Const(idx))
    check_grad(lambda lib, x, i: lib.gather(x, d, i) ** 2, a, Const(idx), second_order=True)
    check_grad(lambda lib, x, i: (x.gather(d, i) * x.gather(d, i).sum()).sin(), a, Const(idx), second_order=True)


@given(data=st.data())
def test_take(torch, data):
    shape = data.draw(st.one_of(st.just(()), shapes))
    a = values(data, shape)
    n = max(int(np.prod(shape)), 1)
    idx = int_index(data, n, data.draw(st.sampled_from([(), (3,), (2, 3)])))
    check_grad(lambda lib, x, i: x.take(i), a, Const(idx))
    check_grad(lambda lib, x, i: lib.take(x, i) ** 3, a, Const(idx), second_order=True)


def test_scalar_inputs(torch):
    a = np.array(1.5)
    check_grad(lambda lib, x: x.index_select(0, lib.tensor([0])), a)
    check_grad(lambda lib, x: x.gather(0, lib.tensor(0)), a)
    check_grad(lambda lib, x: x.take(lib.tensor([0, 0, -1])), a)
    check_grad(lambda lib, x: x.masked_fill(lib.tensor([True, False]), 0.0), a)


# ---- scatter, scatter_add ---------------------------------------------------------------------

@st.composite
def scatter_case(draw, collide):
    """(shape, dim, index) with index no larger than the shape; without collisions each fiber along
    dim holds distinct positions (torch leaves the winner of a collision unspecified)."""
    shape = draw(shapes)
    nd = len(shape)
    d = draw(st.integers(-nd, nd - 1)) % nd
    ishape = tuple(draw(st.integers(1, shape[k])) for k in range(nd))
    if collide:
        idx = draw(hnp.arrays(np.int64, ishape, elements=st.integers(0, shape[d] - 1)))
    else:
        seed = draw(st.integers(0, 2**32 - 1))
        rng = np.random.default_rng(seed)
        idx = np.argsort(rng.random(ishape[:d] + (shape[d],) + ishape[d + 1:]), axis=d)
        idx = np.take(idx, np.arange(ishape[d]), axis=d).astype(np.int64)
    return shape, d, idx


@given(data=st.data())
def test_scatter_src(torch, data):
    shape, d, idx = data.draw(scatter_case(collide=False))
    a = values(data, shape)
    src = values(data, idx.shape)
    check_grad(lambda lib, x, s, i: x.scatter(d, i, s), a, src, Const(idx))
    check_grad(lambda lib, x, s, i: lib.scatter(x, d, i, s), Const(a), src, Const(idx))

    def inplace(lib, x, s, i):
        z = x * 1
        z.scatter_(d, i, s)
        return z
    check_grad(inplace, a, src, Const(idx))
    check_grad(lambda lib, x, s, i: inplace(lib, x, s, i) ** 2, a, src, Const(idx), second_order=True)


@given(data=st.data())
def test_scatter_value(torch, data):
    shape, d, idx = data.draw(scatter_case(collide=True))
    a = values(data, shape)
    check_grad(lambda lib, x, i: x.scatter(d, i, 1.25), a, Const(idx))
    check_grad(lambda lib, x, i: x.scatter(d, i, value=-2.0), a, Const(idx))

    def inplace(lib, x, i):
        z = x * 1
        z.scatter_(d, i, 0.5)
        return z
    check_grad(inplace, a, Const(idx))


@given(data=st.data())
def test_scatter_add(torch, data):
    shape, d, idx = data.draw(scatter_case(collide=True))
    a = values(data, shape)
    src = values(data, idx.shape)
    check_grad(lambda lib, x, s, i: x.scatter_add(d, i, s), a, src, Const(idx))
    check_grad(lambda lib, x, s, i: lib.scatter_add(x, d, i, s) ** 2, a, src, Const(idx), second_order=True)

    def inplace(lib, x, s, i):
        z = x * 1
        z.scatter_add_(d, i, s)
        return z
    check_grad(inplace, a, src, Const(idx))


REDUCTIONS = ["sum", "prod", "mean", "amax", "amin"]


@pytest.mark.parametrize("reduce", REDUCTIONS)
@pytest.mark.parametrize("include_self", [True, False])
@given(data=st.data())
def test_scatter_reduce(torch, data, reduce, include_self):
    shape, d, idx = data.draw(scatter_case(collide=True))
    a = values(data, shape)
    src = values(data, idx.shape)
    if reduce == "prod":  # zeros in self and src take the masked-product paths
        a.flat[0] = 0.0
        src.flat[-1] = 0.0
    check_grad(lambda lib, x, s, i: x.scatter_reduce(d, i, s, reduce, include_self=include_self), a, src, Const(idx),
               gradcheck=reduce in ("sum", "mean", "prod"), second_order=reduce in ("sum", "mean"))
    check_grad(lambda lib, x, s, i: lib.scatter_reduce(x, d, i, s, reduce=reduce, include_self=include_self),
               Const(a), src, Const(idx), gradcheck=False)

    def inplace(lib, x, s, i):
        z = x * 1
        z.scatter_reduce_(d, i, s, reduce, include_self=include_self)
        return z
    check_grad(inplace, a, src, Const(idx), gradcheck=False)


@pytest.mark.parametrize("reduce", REDUCTIONS)
def test_scatter_reduce_ties_and_zeros(torch, reduce):
    """Ties (amax/amin share the gradient) and one or two zeros meeting at a position (prod)."""
    a = np.array([[1.0, 0.0, 2.0], [3.0, 2.0, 0.0]])
    src = np.array([[1.0, 0.0, 2.0, 0.0], [3.0, 2.0, 0.0, 0.5]])
    idx = np.array([[0, 1, 2, 1], [2, 1, 0, 0]])
    for include_self in (True, False):
        check_grad(lambda lib, x, s, i: x.scatter_reduce(1, i, s, reduce, include_self=include_self), a, src,
                   Const(idx), gradcheck=False)


@pytest.mark.parametrize("value", [False, True])
@pytest.mark.parametrize("reduce", ["add", "multiply"])
def test_scatter_with_reduce_has_no_derivative(torch, reduce, value):
    """torch records a NotImplemented node for scatter(reduce=) and fails in backward."""
    names, errors = [], []
    for lib in (torch, tb):
        x = lib.ones(3, 4, dtype=lib.float64, requires_grad=True)
        src = 2.5 if value else lib.ones(2, 4, dtype=lib.float64, requires_grad=True)
        y = x.scatter(0, lib.tensor([[0, 1, 2, 0], [2, 1, 0, 0]]), src, reduce=reduce)
        names.append(y.grad_fn.name().replace("torch::", "tensorbridge::"))
        with pytest.raises(RuntimeError) as e:
            y.sum().backward()
        errors.append(str(e.value))
    assert names[0] == names[1]
    assert errors[0] == errors[1]


def test_scatter_add_values(torch):
    """The accumulate kernels themselves (forward), dtypes included."""
    for dt in ("float64", "float32", "float16", "int64", "int8", "bool"):
        for lib in (torch, tb):
            z = lib.zeros(4, dtype=getattr(lib, dt))
            src = lib.ones(5, dtype=getattr(lib, dt))
            i = lib.tensor([0, 0, 3, 0, 1])
            r = z.scatter_add(0, i, src)
            p = z.index_put((i,), src, accumulate=True)
            z2 = lib.zeros(2, 3, dtype=getattr(lib, dt))
            q = z2.index_put((lib.tensor([1, 1, 0]),), lib.ones(3, 3, dtype=getattr(lib, dt)), accumulate=True)
            out = [np.asarray(t.numpy()) for t in (r, p, q)]
            if lib is torch:
                want = out
        for o, w in zip(out, want):
            np.testing.assert_array_equal(o, w)


# ---- masked_fill ------------------------------------------------------------------------------

@given(data=st.data())
def test_masked_fill(torch, data):
    shape = data.draw(shapes)
    a = values(data, shape)
    k = data.draw(st.integers(0, len(shape)))
    mshape = tuple(data.draw(st.sampled_from([1, s])) for s in shape[len(shape) - k:])  # broadcasts to shape
    m = data.draw(hnp.arrays(np.bool_, mshape, elements=st.booleans()))
    big = data.draw(hnp.arrays(np.bool_, (2,) + shape, elements=st.booleans()))
    check_grad(lambda lib, x, m: x.masked_fill(m, 0.5), a, Const(m))
    check_grad(lambda lib, x, m: lib.masked_fill(x, m, -1.0), a, Const(big))  # x broadcast to the mask
    check_grad(lambda lib, x, m: x.masked_fill(m, 0.0) ** 2, a, Const(m), second_order=True)

    def inplace(lib, x, m):
        z = x * 1
        z.masked_fill_(m, 3.0)
        return z
    check_grad(inplace, a, Const(m))
    v = np.array(data.draw(floats))
    check_grad(lambda lib, x, v, m: x.masked_fill(m, v), a, v, Const(m))  # MaskedFillBackward1
    check_grad(lambda lib, x, v, m: x.masked_fill(m, v), a, Const(v), Const(m))

    def inplace_tensor(lib, x, v, m):
        z = x * 1
        z.masked_fill_(m, v)
        return z
    check_grad(inplace_tensor, a, v, Const(m))
    check_grad(inplace_tensor, Const(a), v, Const(m))


# ---- not differentiable -----------------------------------------------------------------------

def test_nonzero_not_differentiable(torch):
    a = np.array([[0.0, 1.5], [-2.0, 0.0]])
    for lib in (torch, tb):
        x = lib.from_numpy(a.copy()).requires_grad_(True)
        for r in (x.nonzero(), *x.nonzero(as_tuple=True), lib.nonzero(x.t())):
            assert not r.requires_grad and r.grad_fn is None


def test_saved_index_modified_in_place(torch):
    a = np.arange(6.0).reshape(2, 3)
    for lib in (torch, tb):
        x = lib.from_numpy(a.copy()).requires_grad_(True)
        i = lib.tensor([[0, 1, 1]])
        out = x.gather(0, i)
        i.add_(0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()
        j = lib.tensor([1, 0])
        out = x[j]
        j.zero_()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()
