"""Gradients of the view ops, the copying shape ops and the matrix products against torch (values,
grad_fn names, gradients, gradcheck, second derivatives), on hypothesis-generated float64 inputs,
plus in-place ops through views of non-leaf tensors (CopySlices) and the Python indexing paths."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tensorbridge as tb
from grad_harness import check_grad, Const
from op_harness import arrays, shapes

floats = st.floats(-3, 3, allow_nan=False, width=64)


def _arr(data, shape):
    return data.draw(arrays("float64", st.just(tuple(shape)), elements=floats, layout="contiguous"))


@st.composite
def laid_out(draw, shape):
    """(ndarray, to_view): the leaf is made from the ndarray and to_view(x) is a view of the leaf
    with `shape` and a drawn memory layout (contiguous, transposed, strided, offset), so the op
    under test sees non-contiguous inputs (the harness makes contiguous leaves)."""
    shape = tuple(shape)
    n = len(shape)
    layout = draw(st.sampled_from(["contiguous", "transposed", "strided", "offset"]))
    el = dict(elements=floats, layout="contiguous")
    if layout == "transposed" and n >= 2:
        a = draw(arrays("float64", st.just(shape[::-1]), **el))
        return a, lambda x: x.permute(*range(n - 1, -1, -1))
    if layout == "strided" and n >= 1:
        a = draw(arrays("float64", st.just(shape[:-1] + (2 * shape[-1],)), **el))
        return a, lambda x: x[..., ::2]
    if layout == "offset" and n >= 1:
        a = draw(arrays("float64", st.just((shape[0] + 1,) + shape[1:]), **el))
        return a, lambda x: x[1:]
    return draw(arrays("float64", st.just(shape), **el)), lambda x: x


def _dim(data, n):
    return data.draw(st.integers(-max(n, 1), max(n, 1) - 1))


# ---- view ops: name -> (min_dims, max_dims, draw(data, shape) -> op(lib, x)) --------------------

def _target(data, shape):
    k = data.draw(st.integers(0, len(shape)))
    lead = math.prod(shape[:k])
    return data.draw(st.sampled_from([(lead, -1), (-1,), (math.prod(shape),), (1, math.prod(shape), 1)]))


def _expand_target(data, shape):
    tgt = [data.draw(st.sampled_from([1, 3, -1])) if s == 1 else data.draw(st.sampled_from([s, -1]))
           for s in shape]
    return tuple([2] * data.draw(st.integers(0, 2))) + tuple(tgt)


def _basic_index(data, shape):
    """A tuple of basic indices (ints, slices with positive steps, None, at most one Ellipsis)."""
    items, d, used_ellipsis = [], 0, False
    while True:
        kind = data.draw(st.sampled_from(["stop", "int", "slice", "none", "ellipsis"]))
        if kind == "stop":
            break
        if kind == "none":
            items.append(None)
        elif kind == "ellipsis" and not used_ellipsis:
            used_ellipsis = True
            items.append(Ellipsis)
            d = len(shape)  # what follows indexes trailing dims: keep it simple, stop here
            break
        elif kind == "int" and d < len(shape) and shape[d] > 0:
            items.append(data.draw(st.integers(-shape[d], shape[d] - 1)))
            d += 1
        elif kind == "slice" and d < len(shape):
            items.append(slice(data.draw(st.none() | st.integers(-4, 4)), data.draw(st.none() | st.integers(-4, 4)),
                               data.draw(st.none() | st.integers(1, 3))))
            d += 1
    return tuple(items)


def _split_sizes(data, size):
    sizes = []
    while size > 0:
        s = data.draw(st.integers(0, size))
        sizes.append(s)
        size -= s
    return sizes + [0] * data.draw(st.integers(0, 1))


def _resolved(shape, tgt):
    lead = len(tgt) - len(shape)
    return tuple(shape[i - lead] if v == -1 else v for i, v in enumerate(tgt))


# Each drawer takes (data, shape) and returns op(lib, x).
def _d_view(data, s):
    t = _target(data, s)
    return lambda lib, x: x.view(*t)


def _d_reshape(data, s):
    t = _target(data, s)
    return lambda lib, x: x.reshape(*t)


def _d_reshape_fn(data, s):
    t = _target(data, s)
    return lambda lib, x: lib.reshape(x, t)


def _d_flatten(data, s):
    a, b = _dim(data, len(s)), _dim(data, len(s))
    return lambda lib, x: x.flatten(a, b)


def _d_unflatten(data, s):
    d = data.draw(st.integers(0, len(s) - 1))
    sizes = (2, -1) if s[d] % 2 == 0 and s[d] else (s[d], 1)
    return lambda lib, x: x.unflatten(d, sizes)


def _d_permute(data, s):
    p = data.draw(st.permutations(range(len(s))))
    return lambda lib, x: x.permute(*p)


def _d_transpose(data, s):
    a, b = _dim(data, len(s)), _dim(data, len(s))
    return lambda lib, x: x.transpose(a, b)


def _d_squeeze_dim(data, s):
    d = _dim(data, len(s))
    return lambda lib, x: x.squeeze(d)


def _d_squeeze_dims(data, s):
    ds = tuple(data.draw(st.sets(st.integers(0, len(s) - 1))))
    return lambda lib, x: x.squeeze(ds)


def _d_unsqueeze(data, s):
    d = data.draw(st.integers(-len(s) - 1, len(s)))
    return lambda lib, x: x.unsqueeze(d)


def _d_expand(data, s):
    t = _expand_target(data, s)
    return lambda lib, x: x.expand(*t)


def _d_expand_as(data, s):
    t = _resolved(s, _expand_target(data, s))
    return lambda lib, x: x.expand_as(lib.zeros(t, dtype=lib.float64))


def _d_narrow(data, s):
    d = data.draw(st.integers(0, len(s) - 1))
    start = data.draw(st.integers(-s[d], s[d]))
    length = data.draw(st.integers(0, s[d] - (start + s[d] if start < 0 else start)))
    return lambda lib, x: x.narrow(d, start, length)


def _d_select(data, s):
    d = data.draw(st.integers(0, len(s) - 1))
    i = data.draw(st.integers(-s[d], s[d] - 1)) if s[d] else 0
    return lambda lib, x: x.select(d, i)


def _d_getitem(data, s):
    idx = _basic_index(data, s)
    return lambda lib, x: x[idx]


def _d_unbind(data, s):
    d = _dim(data, len(s))
    return lambda lib, x: x.unbind(d)


def _d_split(data, s):
    d, k = data.draw(st.integers(0, len(s) - 1)), data.draw(st.integers(1, 3))
    return lambda lib, x: x.split(k, d)


def _d_split_sizes(data, s):
    d = data.draw(st.integers(0, len(s) - 1))
    sizes = _split_sizes(data, s[d])
    return lambda lib, x: x.split(sizes, d)


def _d_split_fn(data, s):
    k = data.draw(st.integers(1, 3))
    return lambda lib, x: lib.split(x, k, -1)


def _d_chunk(data, s):
    d, k = _dim(data, len(s)), data.draw(st.integers(1, 4))
    return lambda lib, x: x.chunk(k, d)


def _const(op):
    return lambda data, s: op


# name -> (min_dims, max_dims, drawer)
VIEWS = {
    "view": (0, 3, _d_view),
    "view_as": (1, 3, lambda data, s: lambda lib, x: x.view_as(lib.zeros(math.prod(s), dtype=lib.float64))),
    "reshape": (0, 3, _d_reshape),
    "reshape_fn": (0, 3, _d_reshape_fn),
    "flatten": (0, 4, _d_flatten),
    "unflatten": (1, 3, _d_unflatten),
    "permute": (0, 4, _d_permute),
    "transpose": (0, 4, _d_transpose),
    "swapaxes": (2, 3, _const(lambda lib, x: lib.swapaxes(x, 0, -1))),
    "t": (0, 2, _const(lambda lib, x: x.t())),
    "T": (0, 4, _const(lambda lib, x: x.T)),
    "mT": (2, 4, _const(lambda lib, x: x.mT)),
    "squeeze": (0, 4, _const(lambda lib, x: x.squeeze())),
    "squeeze_dim": (0, 4, _d_squeeze_dim),
    "squeeze_dims": (1, 4, _d_squeeze_dims),
    "unsqueeze": (0, 3, _d_unsqueeze),
    "expand": (0, 3, _d_expand),
    "expand_as": (0, 3, _d_expand_as),
    "narrow": (1, 3, _d_narrow),
    "select": (1, 3, _d_select),
    "getitem": (0, 4, _d_getitem),
    "ellipsis": (0, 3, _const(lambda lib, x: x[...])),
    "none": (0, 3, _const(lambda lib, x: x[None])),
    "unbind": (1, 3, _d_unbind),
    "split": (1, 3, _d_split),
    "split_sizes": (1, 3, _d_split_sizes),
    "split_fn": (1, 3, _d_split_fn),
    "chunk": (1, 3, _d_chunk),
}


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", sorted(VIEWS))
@given(data=st.data())
def test_view_grad(torch, name, data):
    lo, hi, draw_op = VIEWS[name]
    shape = data.draw(shapes(min_dims=lo, max_dims=hi, min_side=0, max_side=3))
    a, to_view = data.draw(laid_out(shape))
    op = draw_op(data, shape)
    check_grad(lambda lib, x: op(lib, to_view(x)), a)


def _squared(op):
    def f(lib, x):
        y = op(lib, x)
        return tuple(v * v for v in y) if isinstance(y, (tuple, list)) else y * y
    return f


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("name", ["view", "reshape", "permute", "transpose", "expand", "select", "getitem",
                                  "squeeze", "unsqueeze", "unbind", "split", "narrow"])
@given(data=st.data())
def test_view_second_order(torch, name, data):
    # y * y makes the gradient reaching the view depend on x: its backward must be recorded
    lo, hi, draw_op = VIEWS[name]
    shape = data.draw(shapes(min_dims=max(lo, 1), max_dims=hi, min_side=1, max_side=3))
    a, to_view = data.draw(laid_out(shape))
    op = draw_op(data, shape)
    check_grad(_squared(lambda lib, x: op(lib, to_view(x))), a, second_order=True)


@given(data=st.data())
def test_negative_step_slice(torch, data):
    # our extension (torch refuses negative steps): compared with flip + positive step
    shape = data.draw(shapes(min_dims=1, max_dims=3, min_side=0, max_side=4))
    a, to_view = data.draw(laid_out(shape))
    d = data.draw(st.integers(0, len(shape) - 1))
    step = data.draw(st.integers(1, 3))
    pre = (slice(None),) * d
    # grad_fn names: torch's full slice in a tuple index is an alias (see test_negative_step_name)
    check_grad(lambda lib, x: to_view(x)[pre + (slice(None, None, -step),)], a, grad_fn_name=False,
               torch_fn=lambda lib, x: to_view(x).flip(d)[pre + (slice(None, None, step),)])
    check_grad(_squared(lambda lib, x: to_view(x)[pre + (slice(None, None, -step),)]), a, gradcheck=False,
               torch_fn=_squared(lambda lib, x: to_view(x).flip(d)[pre + (slice(None, None, step),)]),
               second_order=True)


@pytest.mark.filterwarnings("ignore")
def test_negative_step_name():
    x = tb.arange(6, dtype=tb.float64).requires_grad_() * 1
    assert x[::-2].grad_fn.name() == "SliceBackward0"
    assert x.view(2, 3)[:, ::-1].grad_fn.name() == "SliceBackward0"


@pytest.mark.filterwarnings("ignore")
def test_view_names_fixed(torch):
    a = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 7
    for f in [lambda lib, x: x.reshape(-1), lambda lib, x: x.transpose(0, 1).reshape(-1),
              lambda lib, x: x.transpose(0, 1).flatten(), lambda lib, x: x.flatten(1, 1),
              lambda lib, x: x[:1].squeeze(), lambda lib, x: x[:1].squeeze(0), lambda lib, x: x[:1].squeeze((0,)),
              lambda lib, x: x[:1].squeeze((0, 1)), lambda lib, x: x[0].t(), lambda lib, x: x[0].T,
              lambda lib, x: x[0, 0].t(), lambda lib, x: x.mT, lambda lib, x: x[0, 0, 0].mT,
              lambda lib, x: x[:], lambda lib, x: x[...], lambda lib, x: x[None, ..., None],
              lambda lib, x: x[0, 1:], lambda lib, x: x[None, 0], lambda lib, x: x[1:, ..., 2],
              lambda lib, x: x[lib.tensor(1)], lambda lib, x: x.narrow(-1, -3, 2),
              lambda lib, x: x.unflatten(-1, (2, 2)), lambda lib, x: x.expand(2, 2, 3, 4),
              lambda lib, x: x.transpose(1, 1), lambda lib, x: x.view(2, 3, 4),
              lambda lib, x: x[0, 0, 0].reshape(()), lambda lib, x: x[0, 0, 0].flatten()]:
        check_grad(lambda lib, x: f(lib, x * 1), a)
        check_grad(f, a)


def test_views_stay_views(torch):
    x = tb.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=tb.float64, requires_grad=True)
    y = x * 1
    for v in [y.view(-1), y.reshape(6), y.t(), y.T, y.mT, y[0], y[:, 1:], y[..., None], y.unsqueeze(0),
              y.expand(2, 2, 3), y.narrow(1, 0, 2), y.permute(1, 0), y.transpose(0, 1), y[...],
              y.unbind(0)[1], y.split(2, 1)[0], y.chunk(3, 1)[2], y.squeeze(), y.flatten(), y.select(1, 2)]:
        before = y._version
        v.detach()  # no copy: writing through v's storage reaches y
        assert v.requires_grad and not v.is_leaf
        if any(st == 0 and n > 1 for st, n in zip(v.stride(), v.shape)):  # expand: elements share memory
            with pytest.raises(RuntimeError, match="single memory location"), tb.no_grad():
                v.mul_(1)
            continue
        with tb.no_grad():
            v.mul_(1)
        assert y._version == before + 1
    with tb.no_grad():
        z = y.view(-1)
    assert z.grad_fn is None and not z.requires_grad
    w = tb.tensor([1.0, 2.0]).view(2, 1)
    assert w.grad_fn is None and not w.requires_grad


# ---- copying shape ops --------------------------------------------------------------------------

@given(data=st.data())
def test_cat_stack_grad(torch, data):
    base = data.draw(shapes(min_dims=1, max_dims=3, min_side=0, max_side=3))
    n = len(base)
    d = data.draw(st.integers(-n, n - 1))
    k = data.draw(st.integers(1, 3))
    parts = []
    for _ in range(k):
        s = list(base)
        s[d] = data.draw(st.integers(0, 3))
        parts.append(_arr(data, s))
    which = data.draw(st.lists(st.booleans(), min_size=k, max_size=k))
    ins = [p if w else Const(p) for p, w in zip(parts, which)]
    check_grad(lambda lib, *xs: lib.cat(list(xs), d), *ins)
    check_grad(lambda lib, *xs: lib.cat([x.mT if x.dim() >= 2 else x for x in xs], dim=-1), *ins)
    same = [_arr(data, base) for _ in range(k)]
    ds = data.draw(st.integers(-n - 1, n))
    check_grad(lambda lib, *xs: lib.stack(xs, ds), *same)


def test_cat_legacy_empty_and_dtypes(torch):
    a = np.linspace(-1, 1, 6).reshape(2, 3)
    check_grad(lambda lib, x, e: lib.cat([e, x, e], 1), a, np.zeros(0))
    check_grad(lambda lib, x, y: lib.cat([x, y.float()]), a, a[:1], rtol=1e-6, atol=1e-6, gradcheck=False)
    check_grad(lambda lib, x: lib.concat([x, x * 2], -1), a)
    check_grad(lambda lib, x: lib.stack([x]), a)


@pytest.mark.parametrize("name", ["cat", "stack"])
def test_cat_stack_second_order(torch, name):
    a, b = np.linspace(-1, 1, 6).reshape(2, 3), np.linspace(0.5, 2, 3).reshape(1, 3)
    if name == "cat":
        check_grad(lambda lib, x, y: lib.cat([x * y, y]) ** 2, a, b, second_order=True)
    else:
        check_grad(lambda lib, x, y: lib.stack([x, x * y], 1) ** 2, a, np.broadcast_to(b, (2, 3)).copy(),
                   second_order=True)


@given(data=st.data())
def test_flip_roll_repeat_grad(torch, data):
    shape = data.draw(shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
    n = len(shape)
    a, to_view = data.draw(laid_out(shape))
    dims = tuple(data.draw(st.sets(st.integers(0, max(n - 1, 0)), max_size=n)))
    check_grad(lambda lib, x: to_view(x).flip(dims), a)
    if n:
        shifts = tuple(data.draw(st.integers(-5, 5)) for _ in dims)
        if dims:
            check_grad(lambda lib, x: to_view(x).roll(shifts, dims), a)
        s = data.draw(st.integers(-7, 7))
        check_grad(lambda lib, x: lib.roll(to_view(x), s), a)
    reps = tuple(data.draw(st.integers(0, 3)) for _ in range(n + data.draw(st.integers(0, 2))))
    check_grad(lambda lib, x: to_view(x).repeat(*reps), a)
    short = reps[: data.draw(st.integers(0, len(reps)))]
    check_grad(lambda lib, x: to_view(x).tile(short), a)
    check_grad(lambda lib, x: lib.tile(to_view(x), short), a)


def test_flip_roll_repeat_second_order(torch):
    a = np.linspace(-1, 1, 6).reshape(2, 3)
    check_grad(lambda lib, x: x.flip(0) * x, a, second_order=True)
    check_grad(lambda lib, x: x.roll(1, 1) * x, a, second_order=True)
    check_grad(lambda lib, x: x.repeat(2, 1, 2) ** 2, a, second_order=True)


# ---- matrix products ----------------------------------------------------------------------------

sizes = st.integers(0, 3)


@given(data=st.data())
def test_dot_mv_mm_bmm_outer(torch, data):
    n, m, p, b = (data.draw(sizes) for _ in range(4))
    v, w = _arr(data, (m,)), _arr(data, (m,))
    A, B = _arr(data, (n, m)), _arr(data, (m, p))
    A3, B3 = _arr(data, (b, n, m)), _arr(data, (b, m, p))
    check_grad(lambda lib, x, y: lib.dot(x, y), v, w, second_order=True)
    check_grad(lambda lib, x, y: x.dot(y), v, Const(w))
    check_grad(lambda lib, x, y: lib.mv(x, y), A, v, second_order=True)
    check_grad(lambda lib, x, y: x.mv(y), Const(A), v)
    check_grad(lambda lib, x, y: lib.mm(x, y), A, B, second_order=True)
    check_grad(lambda lib, x, y: x.mT.mm(y.t()), B, A)
    check_grad(lambda lib, x, y: lib.bmm(x, y), A3, B3, second_order=True)
    check_grad(lambda lib, x, y: x.bmm(y), A3, Const(B3))
    check_grad(lambda lib, x, y: x.mT.bmm(y.mT), B3, A3)
    check_grad(lambda lib, x, y: lib.outer(x, y), v, _arr(data, (p,)), second_order=True)
    check_grad(lambda lib, x, y: lib.ger(x, y), Const(v), _arr(data, (p,)))
    check_grad(lambda lib, x, y: x.outer(y), v, Const(np.arange(3)))


@st.composite
def matmul_shapes(draw):
    ra, rb = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    n, m, p = draw(sizes), draw(sizes), draw(sizes)
    batch = [draw(st.integers(1, 3)) for _ in range(max(ra, rb) - 2)]
    def batch_of(r):
        k = max(r - 2, 0)
        bs = batch[len(batch) - k:] if k else []
        return [s if draw(st.booleans()) else 1 for s in bs]
    sa = tuple(batch_of(ra)) + ((n, m) if ra >= 2 else (m,))
    sb = tuple(batch_of(rb)) + ((m, p) if rb >= 2 else (m,))
    return sa, sb


@given(shp=matmul_shapes(), which=st.sampled_from(["both", "a", "b"]), data=st.data())
def test_matmul(torch, shp, which, data):
    sa, sb = shp
    a, b = _arr(data, sa), _arr(data, sb)
    a_in = a if which in ("both", "a") else Const(a)
    b_in = b if which in ("both", "b") else Const(b)
    check_grad(lambda lib, x, y: x @ y, a_in, b_in)
    check_grad(lambda lib, x, y: lib.matmul(x, y), a_in, b_in, second_order=True, gradcheck=False)


@pytest.mark.parametrize("ra", [1, 2, 3, 4])
@pytest.mark.parametrize("rb", [1, 2, 3, 4])
@pytest.mark.parametrize("which", ["both", "a", "b"])
def test_matmul_rank_names(torch, ra, rb, which):
    # every rank combination, with batch broadcasting (a batch of one against a batch of two)
    for ba, bb in [(2, 2), (1, 2), (2, 1)]:
        sa = (ba, 5, 4, 3)[4 - ra:] if ra > 1 else (3,)
        sb = (bb, 5, 3, 2)[4 - rb:] if rb > 1 else (3,)
        rng = np.random.default_rng(ra * 10 + rb)
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        a_in = a if which in ("both", "a") else Const(a)
        b_in = b if which in ("both", "b") else Const(b)
        check_grad(lambda lib, x, y: x @ y, a_in, b_in, gradcheck=False)
        # non-contiguous operands
        check_grad(lambda lib, x, y: x.mT.contiguous().mT @ y if x.dim() >= 2 else x @ y.mT.contiguous().mT
                   if y.dim() >= 2 else x @ y, a_in, b_in, gradcheck=False)


def test_matmul_errors(torch):
    check_grad(lambda lib, x, y: x @ y, np.ones((2, 3)), np.ones((4, 2)))
    check_grad(lambda lib, x, y: x @ y, np.ones((2, 2, 3)), np.ones((4, 2)))
    check_grad(lambda lib, x, y: x @ y, np.ones((2, 2, 3)), np.ones((3, 3, 2)))
    check_grad(lambda lib, x, y: x @ y, np.ones(3), np.ones(4))


# ---- in-place ops through views of non-leaf tensors ----------------------------------------------

A = np.linspace(-1.5, 2.0, 12).reshape(3, 4)
Y = np.linspace(0.5, 1.5, 4)


def _inplace_cases():
    def c1(lib, a, y):
        b = a * 1
        b[0].mul_(2)
        b[:, 1] = y[:3]
        return b

    def c2(lib, a, y):
        buf = lib.zeros(3, dtype=lib.float64)
        buf[0] = y[0] * 2
        buf[1:] += a[0, :2]
        return buf

    def c3(lib, a, y):  # a view of a view
        b = a * 1
        v = b[1:]
        v[:, 0].add_(y[:2])
        return b, v

    def c4(lib, a, y):
        b = a * 1
        b.t().mul_(y[:3])
        return b

    def c5(lib, a, y):  # a view whose base changed: its grad_fn is regenerated
        b = a * 1
        v = b[0]
        b.mul_(y)
        return v * 1, v

    def c6(lib, a, y):
        b = a * 1
        b[...] = a * 3
        c = a * 1
        c[:] = y
        return b, c

    def c7(lib, a, y):
        b = a * 1
        b[None][0, 1] = y
        b.view(-1)[::5].mul_(y[0])
        return b

    def c8(lib, a, y):
        b = a * 1
        x = b.view(2, 6)
        x.mul_(2)
        b.unsqueeze(0).transpose(1, 2)[0, 1].zero_()
        return b, x

    def c9(lib, a, y):
        b = a * 1
        b[::2, 1:3] = y[1:3]
        b.narrow(1, 1, 2).mul_(y[0])
        return b

    def c10(lib, a, y):
        b = a.sin()
        b.select(1, 0).exp_()
        return b.sum(0)

    def c11(lib, a, y):  # in-place on a view of a leaf: an error in both
        a[0].mul_(2)
        return a

    def c12(lib, a, y):
        b = a * 1
        b.permute(1, 0)[2] = y[:3]
        b[1] = y
        return b.mean()

    return [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12]


# c3 and c5 return a view taken while its base did not require grad yet: see
# test_view_of_base_that_gets_history_later
_BASE_GETS_GRAD_LATER = ("c3", "c5")


@pytest.mark.parametrize("case", _inplace_cases(), ids=lambda f: f.__name__)
def test_inplace_through_views(torch, case):
    check_grad(case, A, Y)
    check_grad(case, A, Const(Y))
    if case.__name__ not in _BASE_GETS_GRAD_LATER:
        check_grad(case, Const(A), Y)


def test_view_of_base_that_gets_history_later(torch):
    def f(lib, y):
        buf = lib.zeros(3, dtype=lib.float64)
        v = buf[1:]
        buf.mul_(y)
        return v
    check_grad(f, Y[:3])


@given(data=st.data())
def test_setitem_and_inplace_basic_index(torch, data):
    shape = data.draw(shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    idx = _basic_index(data, shape)
    vshape = np.empty(shape)[idx].shape
    a = _arr(data, shape)
    y = _arr(data, vshape)

    def assign(lib, x, v):
        b = x * 1
        b[idx] = v
        return b

    def inplace(lib, x, v):
        b = x * 1
        b[idx].mul_(v)
        return b, b[idx]

    for f in (assign, inplace):
        check_grad(f, a, y)
        check_grad(f, Const(a), y)


def test_negative_step_inplace(torch):
    def f(lib, a, y):
        b = a * 1
        b[::-1][0].mul_(y)
        return b

    def g(lib, a, y):
        b = a * 1
        b[-1].mul_(y)
        return b
    check_grad(f, A, Y, torch_fn=g)


def test_no_grad_views_and_multi_output(torch):
    x = tb.tensor([1.0, 2.0, 3.0, 4.0], dtype=tb.float64, requires_grad=True)
    p, q = (x * 2).split(2)
    (p * q).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [12.0, 16.0, 4.0, 8.0])
    # only one piece reaches the loss: the others get zero gradients
    x.grad = None
    (x * 1).chunk(2)[1].sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0, 1.0, 1.0])
