"""Views and shape operations compared with torch: values, dtype, shape, strides where torch
defines them, error types, and view-ness (writes through a view reach the base)."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tensorbridge as tb
from op_harness import Dt, arrays, check_op, dtypes, shapes


def _pair(torch, a):
    """The same data as a tensorbridge tensor and a torch tensor (torch gets a C-order copy)."""
    return tb.from_numpy(a), torch.from_numpy(np.array(a, copy=True, order="C"))


# ---- reshaping ---------------------------------------------------------------------------------

def _candidate_shapes(shape):
    n = int(np.prod(shape))
    cands = [(-1,), (n,), (1, n, 1), tuple(reversed(shape)), (n, -1) if n else (0, 1), shape + (1,)]
    if len(shape) >= 2:
        cands.append((shape[0] * shape[1],) + tuple(shape[2:]))
        cands.append((-1, shape[-1]))
    cands.append((-1, -1))  # error: only one dimension can be inferred
    cands.append((n + 1,))  # error: invalid for input of size
    return cands


@given(a=arrays(dtypes("all"), shapes(max_dims=4)), data=st.data())
def test_reshape(torch, a, data):
    new = data.draw(st.sampled_from(_candidate_shapes(a.shape)))
    check_op(lambda x: x.reshape(new), lambda x: x.reshape(new), a)
    check_op(lambda x: tb.reshape(x, new), lambda x: torch.reshape(x, new), a)


@given(shape=shapes(min_dims=1, max_dims=4, min_side=1), perm_seed=st.randoms(use_true_random=False),
       data=st.data())
def test_view_same_strides_as_torch(torch, shape, perm_seed, data):
    # Build the same non-contiguous geometry on both sides, then view(): results, strides and
    # errors (non-viewable layouts) must agree.
    base = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    perm = list(range(len(shape)))
    perm_seed.shuffle(perm)
    x_tb = tb.from_numpy(base.copy()).permute(*perm)
    x_t = torch.from_numpy(base.copy()).permute(*perm)
    new = data.draw(st.sampled_from(_candidate_shapes(tuple(x_t.shape))))
    try:
        expected = x_t.view(new)
    except RuntimeError:
        with pytest.raises(RuntimeError):
            x_tb.view(new)
        return
    got = x_tb.view(new)
    assert tuple(got.shape) == tuple(expected.shape)
    assert got.stride() == expected.stride()
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
    assert got.data_ptr() == x_tb.data_ptr()


def test_view_error_message(torch):
    x = tb.zeros(2, 3).t()
    with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
        x.view(6)
    with pytest.raises(RuntimeError, match=r"shape '\[4, 2\]' is invalid for input of size 6"):
        tb.zeros(2, 3).view(4, 2)


@given(a=arrays(dtypes("all"), shapes(max_dims=4)), data=st.data())
def test_flatten_unflatten(torch, a, data):
    nd = max(a.ndim, 1)
    s, e = sorted([data.draw(st.integers(-nd, nd - 1)), data.draw(st.integers(-nd, nd - 1))],
                  key=lambda d: d % nd)
    check_op(lambda x: x.flatten(s, e), lambda x: x.flatten(s, e), a)
    check_op(lambda x: tb.flatten(x, e, s), lambda x: torch.flatten(x, e, s), a)
    if a.ndim:
        d = data.draw(st.integers(-a.ndim, a.ndim - 1))
        size = a.shape[d]
        sizes = data.draw(st.sampled_from([(size,), (1, size), (-1, 1), (size, -1), (2, -1), (3, 5)]))
        check_op(lambda x: x.unflatten(d, sizes), lambda x: x.unflatten(d, sizes), a)


# ---- pure views --------------------------------------------------------------------------------

def _view_ops(nd):
    """(name, fn(lib, x)) pairs of view operations valid or invalid for an nd-dim input."""
    d = st.integers(-nd - 1, nd)
    return st.one_of(
        st.builds(lambda p: ("permute", lambda lib, x: x.permute(*p)), st.permutations(range(nd))),
        st.builds(lambda p: ("permute_fn", lambda lib, x: lib.permute(x, p)), st.permutations(range(nd))),
        st.builds(lambda a, b: ("transpose", lambda lib, x: x.transpose(a, b)), d, d),
        st.just(("t", lambda lib, x: x.t())),
        st.just(("mT", lambda lib, x: x.mT)),
        st.just(("squeeze", lambda lib, x: x.squeeze())),
        st.builds(lambda a: ("squeeze_dim", lambda lib, x: x.squeeze(a)), d),
        st.builds(lambda a, b: ("squeeze_dims", lambda lib, x: lib.squeeze(x, (a, b))), d, d),
        st.builds(lambda a: ("unsqueeze", lambda lib, x: x.unsqueeze(a)), st.integers(-nd - 2, nd + 1)),
        st.builds(lambda a, s, n: ("narrow", lambda lib, x: x.narrow(a, s, n)), d, st.integers(-4, 4),
                  st.integers(0, 4)),
        st.builds(lambda a, i: ("select", lambda lib, x: x.select(a, i)), d, st.integers(-4, 4)),
        st.builds(lambda a: ("unbind", lambda lib, x: x.unbind(a)), d),
        st.builds(lambda n, a: ("split", lambda lib, x: x.split(n, a)), st.integers(1, 3), d),
        st.builds(lambda sz, a: ("split_sizes", lambda lib, x: lib.split(x, sz, a)),
                  st.lists(st.integers(0, 3), max_size=3), d),
        st.builds(lambda n, a: ("chunk", lambda lib, x: x.chunk(n, a)), st.integers(0, 4), d),
        st.builds(lambda s: ("expand", lambda lib, x: x.expand(*s)),
                  st.lists(st.integers(-1, 3), min_size=0, max_size=nd + 2)),
        st.just(("expand_as", lambda lib, x: x.expand_as(lib.zeros((2,) + tuple(x.shape))))),
        st.just(("T", lambda lib, x: x.T if x.ndim in (0, 2) else x.permute(*reversed(range(x.ndim))))),
        st.just(("swapaxes", lambda lib, x: lib.swapaxes(x, 0, -1))),
    )


def _first_tensor(r):
    return r[0] if isinstance(r, (tuple, list)) else r


@given(a=arrays(dtypes("all"), shapes(max_dims=4)), data=st.data())
def test_view_ops_match_torch(torch, a, data):
    name, fn = data.draw(_view_ops(a.ndim))
    try:
        r = _first_tensor(fn(torch, torch.from_numpy(np.array(a))))
        if any(s < 0 for s in r.shape):
            return  # torch bug: expand(0, -1) of an empty tensor yields size -1; we raise
    except Exception:
        pass
    got = check_op(lambda x: fn(tb, x), lambda x: fn(torch, x), a)
    # View-ness: every result shares memory with the input.
    if isinstance(got, Exception):
        return
    base = tb.from_numpy(a)
    res = fn(tb, base)
    for r in (res if isinstance(res, (tuple, list)) else [res]):
        if r.numel():
            assert np.shares_memory(r.numpy(), a), name


@given(shape=shapes(min_dims=1, max_dims=3, min_side=1), data=st.data())
def test_write_through_view_reaches_base(torch, shape, data):
    name, fn = data.draw(_view_ops(len(shape)).filter(lambda p: p[0] not in ("expand", "expand_as")))
    n = int(np.prod(shape))
    b_tb = tb.arange(n).reshape(shape)
    b_t = torch.arange(n).reshape(shape)
    try:
        v_t = _first_tensor(fn(torch, b_t))
    except (RuntimeError, IndexError, ValueError):
        return
    v_tb = _first_tensor(fn(tb, b_tb))
    before = b_tb._version
    v_t[...] = -1
    v_tb[...] = -1
    assert b_tb.tolist() == b_t.tolist(), name
    assert b_tb._version == before + 1  # the view shares the base's version counter


VIEW_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64", "float16",
               "bfloat16", "float32", "float64", "complex64", "complex128"]
# layouts built the same way in both libraries from a contiguous base (check_op gives torch a
# contiguous copy, so an ndarray's own strides would not be torch's)
VIEW_LAYOUTS = {
    "same": lambda x: x,
    "tail": lambda x: x[..., 1:] if x.dim() else x,
    "head": lambda x: x[..., :-1] if x.dim() else x,
    "step": lambda x: x[..., ::2] if x.dim() else x,
    "rows": lambda x: x[1:] if x.dim() > 1 else x,
    "transposed": lambda x: x.transpose(0, -1) if x.dim() > 1 else x,
    "expanded": lambda x: x.unsqueeze(0).expand(2, *x.shape),
    "unit_last": lambda x: x.unsqueeze(-1),
}


@pytest.mark.parametrize("layout", VIEW_LAYOUTS, ids=list(VIEW_LAYOUTS))
@given(a=arrays(dtypes("all"), shapes(max_dims=3, min_side=1), layout="contiguous"), data=st.data())
def test_view_dtype(torch, layout, a, data):
    # (non-empty: torch.from_numpy gives empty arrays other strides, which decide view's checks)
    dt = data.draw(st.sampled_from(VIEW_DTYPES))
    start = data.draw(st.sampled_from([None, "bfloat16"]))  # (no bfloat16 ndarrays: cast first)
    lay = VIEW_LAYOUTS[layout]

    def run(lib, kw):
        def f(x):
            x = lay(x.to(getattr(lib, start)) if start else x)
            return x.view(dtype=getattr(lib, dt)) if kw else x.view(getattr(lib, dt))
        return f
    kw = data.draw(st.booleans())
    got = check_op(run(tb, kw), run(torch, kw), a, check_stride=True)
    if isinstance(got, Exception):
        return
    # a view: same memory, shared version counter
    base = tb.from_numpy(np.array(a, copy=True))
    src = lay(base.to(tb.bfloat16) if start else base)
    v = src.view(getattr(tb, dt))
    if v.numel() and layout != "expanded":
        before = src._version
        v[...] = 0
        assert src._version == before + 1
        assert not src.to(tb.bool).any().item()


@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 4), (2, 0, 2)])
@pytest.mark.parametrize("dt", ["int8", "float32", "complex128"])
def test_view_dtype_empty(torch, shape, dt):
    def run(lib):
        return lambda: lib.zeros(shape, dtype=lib.int16).view(getattr(lib, dt))
    check_op(run(tb), run(torch), check_stride=True)


def test_negative_stride_view_from_numpy_is_shared(torch):
    a = np.arange(6.0).reshape(2, 3)[:, ::-1]
    x = tb.from_numpy(a)
    v = x.t()
    v[0, 0] = 100.0
    assert a[0, 0] == 100.0


# ---- copying shape ops -------------------------------------------------------------------------

@given(data=st.data())
def test_cat_stack(torch, data):
    nd = data.draw(st.integers(1, 3))
    shape = data.draw(shapes(min_dims=nd, max_dims=nd))
    d = data.draw(st.integers(-nd, nd - 1))
    parts = []
    for _ in range(data.draw(st.integers(1, 3))):
        s = list(shape)
        s[d] = data.draw(st.integers(0, 3))
        if data.draw(st.booleans()) and data.draw(st.booleans()):
            s[(d + 1) % nd] += 1  # sometimes a mismatching size: an error in both
        parts.append(data.draw(arrays(dtypes("all"), st.just(tuple(s)))))
    if data.draw(st.booleans()):
        parts.append(np.zeros((0,), dtype=np.float32))  # legacy skipped empty tensor
    check_op(lambda *ts: tb.cat(ts, d), lambda *ts: torch.cat(ts, d), *parts)
    check_op(lambda *ts: tb.cat(list(ts), dim=d), lambda *ts: torch.concat(list(ts), dim=d), *parts)
    same = [parts[0]] * 2 + parts[1:2]
    check_op(lambda *ts: tb.stack(ts, d), lambda *ts: torch.stack(ts, d), *same)


@pytest.mark.parametrize("bad", ["empty", "zero_dim", "ndim"])
def test_cat_errors(torch, bad):
    args = {"empty": [], "zero_dim": [np.float32(1.0) * np.ones(())],
            "ndim": [np.ones((2, 3)), np.ones((2, 3, 1))]}[bad]
    check_op(lambda *ts: tb.cat(list(ts)), lambda *ts: torch.cat(list(ts)), *args)
    check_op(lambda *ts: tb.stack(list(ts)), lambda *ts: torch.stack(list(ts)), *args)


@given(a=arrays(dtypes("all"), shapes(max_dims=4)), data=st.data())
def test_flip_roll_repeat_tile(torch, a, data):
    nd = max(a.ndim, 1)
    dims = tuple(data.draw(st.lists(st.integers(-nd, nd - 1), max_size=3)))
    check_op(lambda x: x.flip(dims), lambda x: x.flip(dims), a)
    check_op(lambda x: tb.flip(x, dims), lambda x: torch.flip(x, dims), a)
    shifts = tuple(data.draw(st.lists(st.integers(-7, 7), min_size=1, max_size=3)))
    rdims = tuple(data.draw(st.lists(st.integers(-nd, nd - 1), min_size=0, max_size=3)))
    check_op(lambda x: x.roll(shifts, rdims), lambda x: x.roll(shifts, rdims), a)
    check_op(lambda x: tb.roll(x, shifts[0]), lambda x: torch.roll(x, shifts[0]), a)
    reps = tuple(data.draw(st.lists(st.integers(0, 3), min_size=0, max_size=a.ndim + 2)))
    check_op(lambda x: x.repeat(*reps), lambda x: x.repeat(*reps), a)
    check_op(lambda x: x.tile(reps), lambda x: x.tile(reps), a)
    check_op(lambda x: tb.tile(x, reps), lambda x: torch.tile(x, reps), a)


def test_copies_do_not_alias(torch):
    x = tb.arange(6).reshape(2, 3)
    for y in (x.flip(0), x.roll(1), x.repeat(1, 1), x.tile((1,)), tb.cat([x]), tb.stack([x])):
        y[...] = 0
    assert x.tolist() == [[0, 1, 2], [3, 4, 5]]


# ---- conversions -------------------------------------------------------------------------------

CASTS = ["float", "double", "half", "bfloat16", "int", "long", "short", "char", "byte", "bool",
         "cfloat", "cdouble"]


@pytest.mark.parametrize("method", CASTS)
@given(a=arrays(dtypes("all"), shapes(max_dims=3), elements=None))
def test_cast_methods(torch, method, a):
    if a.dtype.kind == "c" and method not in ("cfloat", "cdouble", "bool"):
        return  # torch warns (discarding the imaginary part) — covered by copy_ tests
    check_op(lambda x: getattr(x, method)(), lambda x: getattr(x, method)(), a)


@pytest.mark.parametrize("dt", ["float32", "float64", "int64", "bool", "complex64"])
def test_to_and_type(torch, dt):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    check_op(lambda x, d: x.to(d), lambda x, d: x.to(d), a, Dt(dt))
    check_op(lambda x, d: x.to("cpu", d), lambda x, d: x.to("cpu", d), a, Dt(dt))
    check_op(lambda x, d: x.to(dtype=d, copy=True), lambda x, d: x.to(dtype=d, copy=True), a, Dt(dt))
    check_op(lambda x, d: x.type(d), lambda x, d: x.type(d), a, Dt(dt))
    x = tb.from_numpy(a)
    other = tb.zeros(1, dtype=getattr(tb, dt))
    assert x.to(other).dtype == getattr(tb, dt)


def test_to_returns_self_when_nothing_changes(torch):
    x = tb.zeros(2, 3)
    assert x.to(tb.float32) is x
    assert x.to("cpu") is x
    assert x.to(x) is x
    assert x.float() is x
    assert x.type(tb.float32) is x
    assert x.to(tb.float32, copy=True) is not x
    assert x.double() is not x


def test_type_strings(torch):
    for name in ["float32", "float64", "int64", "int32", "uint8", "bool", "float16", "complex64"]:
        ours = tb.zeros(1, dtype=getattr(tb, name)).type()
        theirs = torch.zeros(1, dtype=getattr(torch, name)).type()
        assert ours == theirs.replace("torch.", "tensorbridge.")
    assert tb.zeros(1).type("tensorbridge.IntTensor").dtype == tb.int32
    assert tb.zeros(1).type("torch.LongTensor").dtype == tb.int64


# ---- the blocked transpose fast path of copy_ ---------------------------------------------------

@pytest.mark.parametrize("dtype", ["bool", "int8", "float16", "float32", "int64", "complex128"])
@pytest.mark.parametrize("shape", [(8, 8), (37, 129), (128, 64), (3, 33, 70)])
def test_transposed_contiguous_copy(torch, dtype, shape):
    a = (np.arange(int(np.prod(shape))) % 251).astype(dtype).reshape(shape)
    perm = tuple(range(len(shape) - 2)) + (len(shape) - 1, len(shape) - 2)
    check_op(lambda x: x.permute(*perm).contiguous(), lambda x: x.permute(*perm).contiguous(), a)
    check_op(lambda x: x.mT.clone(), lambda x: x.mT.clone(), a)
    # a sliced source (leading dimension larger than the rows) and a reversed batch
    check_op(lambda x: x[..., 1:, 2:].mT.contiguous(), lambda x: x[..., 1:, 2:].mT.contiguous(), a)
    if len(shape) == 3:
        r = tb.from_numpy(a).flip(0).mT.contiguous()
        np.testing.assert_array_equal(r.numpy(), np.ascontiguousarray(np.swapaxes(a[::-1], 1, 2)))


@pytest.mark.parametrize("call", [
    "L.cat(3)", "L.cat(L.ones(2))", "L.cat('ab')", "L.cat(iter([L.ones(1)]))", "L.cat(range(0))",
    "L.cat([L.ones(1), 3])", "L.stack((L.ones(1), 'a'))",
    "L.stack([L.ones(1), None])", "L.cat([L.ones(1), [1.0]])", "L.concat([L.ones(1), 2.5])",
])
def test_tensor_tuple_argument_messages(torch, call):
    # torch's "tuple of Tensors" parameters: only a tuple or a list; elements must be tensors
    want = pytest.raises(TypeError)
    with want:
        eval(call, {"L": torch})
    with pytest.raises(TypeError) as got:
        eval(call, {"L": tb})
    assert str(got.value) == str(want.excinfo.value)
