"""Indexing compared with torch: t[...] (ints, slices, None, Ellipsis, bools, integer and bool
tensors, lists, ndarrays), t[...] = v, index_select, gather, scatter, masked_fill, nonzero, take.
Negative slice steps are a tensorbridge extension (numpy's behaviour) and are checked against numpy."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tensorbridge as tb
from op_harness import arrays, check_op, dtypes, elements_for, same_outcome, shapes

WRITABLE = st.sampled_from(["contiguous", "transposed", "strided", "reversed"])


@st.composite
def index_tuples(draw, shape, allow_advanced=True, negative_steps=False):
    """A torch-valid-or-invalid index for `shape`: a tuple of ints, slices, None, Ellipsis and
    (optionally) int lists, int arrays, bool masks and bools, walking the dims left to right."""
    items, d, used_ellipsis = [], 0, False
    n_items = draw(st.integers(0, len(shape) + 2))
    for _ in range(n_items):
        size = shape[d] if d < len(shape) else 1
        kinds = ["int", "slice", "none"] + (["ellipsis"] if not used_ellipsis else [])
        if allow_advanced:
            kinds += ["list", "intarray", "mask", "bool", "int0d"]
        kind = draw(st.sampled_from(kinds))
        if kind == "int":
            items.append(draw(st.integers(-size - 1, size)))
            d += 1
        elif kind == "slice":
            b = st.one_of(st.none(), st.integers(-size - 2, size + 2))
            steps = st.integers(-3, 3).filter(bool) if negative_steps else st.integers(1, 3)
            items.append(slice(draw(b), draw(b), draw(st.one_of(st.none(), steps))))
            d += 1
        elif kind == "none":
            items.append(None)
        elif kind == "ellipsis":
            items.append(Ellipsis)
            used_ellipsis = True
            d = max(d, len(shape) - (n_items - len(items)))
        elif kind == "list":
            items.append(draw(st.lists(st.integers(-size, size - 1) if size else st.just(0),
                                       min_size=1, max_size=3)))
            d += 1
        elif kind == "intarray":
            dt = draw(st.sampled_from([np.int64, np.int32]))
            shp = draw(shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
            lo, hi = (-size, size - 1) if size else (0, 0)
            items.append(np.asarray(draw(st.lists(st.integers(lo, hi), min_size=int(np.prod(shp)),
                                                  max_size=int(np.prod(shp))))).astype(dt).reshape(shp))
            d += 1
        elif kind == "mask":
            k = draw(st.integers(1, max(1, min(2, len(shape) - d))))
            mshape = tuple(shape[d:d + k]) if d + k <= len(shape) else (size,)
            items.append(draw(arrays("bool", st.just(mshape), layout="contiguous")))
            d += len(mshape)
        elif kind == "bool":
            items.append(draw(st.booleans()))
        elif kind == "int0d":
            items.append(np.array(draw(st.integers(-size, max(size - 1, 0))), dtype=np.int64))
            d += 1
    if len(items) == 1 and draw(st.booleans()):
        return items[0]
    return tuple(items)


@given(data=st.data())
def test_getitem_matches_torch(torch, data):
    a = data.draw(arrays(dtypes("all"), shapes(max_dims=4)))
    idx = data.draw(index_tuples(a.shape))
    check_op(lambda x, i: x[i], lambda x, i: x[i], a, idx)


@given(data=st.data())
def test_basic_getitem_is_a_view(torch, data):
    a = data.draw(arrays(dtypes("all"), shapes(max_dims=4), layout=WRITABLE))
    idx = data.draw(index_tuples(a.shape, allow_advanced=False, negative_steps=True))
    try:
        expected = a[idx]
    except IndexError:
        with pytest.raises(IndexError):
            tb.from_numpy(a)[idx]
        return
    x = tb.from_numpy(a)
    got = x[idx]
    assert tuple(got.shape) == expected.shape
    np.testing.assert_array_equal(got.numpy(), expected)
    if got.numel():
        assert np.shares_memory(got.numpy(), a)


def test_negative_step_is_a_view_not_an_error(torch):
    x = tb.arange(10)
    y = x[::-2]
    assert y.tolist() == [9, 7, 5, 3, 1]
    assert y.stride() == (-2,)
    y[0] = 100
    assert x[9].item() == 100
    with pytest.raises(ValueError):  # torch refuses negative steps; we follow numpy instead
        torch.arange(10)[::-2]
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        x[::0]


@pytest.mark.parametrize("idx", [
    1.5, "a", (0, 0, 0, 0), (Ellipsis, Ellipsis), [True, False], 5, -6, (0, 9),
    np.array([1.0]), np.array([0, 1], dtype=np.int16),
])
def test_getitem_errors(torch, idx):
    a = np.arange(30).reshape(5, 6)
    check_op(lambda x, i: x[i], lambda x, i: x[i], a, idx)


def test_getitem_torch_placement_rules(torch):
    a = np.arange(24).reshape(2, 3, 4)
    for idx in [([0, 1], slice(None), [0, 1]), (0, slice(None), [0, 1]),
                (slice(None), [0, 1], [[0], [1]]), (slice(None), np.array(1), [0, 1]),
                (np.ones((2, 3), dtype=bool), [0, 1, 1, 1, 1, 1]), (None, [1], Ellipsis, [0, 2]),
                ([[0, 1], [1, 0]],), (True, 0), (False,)]:
        check_op(lambda x, i: x[i], lambda x, i: x[i], a, idx)


def test_zero_dim_indexing(torch):
    a = np.array(3.0)
    for idx in [(), Ellipsis, None, True, 0, (None, None)]:
        check_op(lambda x, i: x[i], lambda x, i: x[i], a, idx)


@given(data=st.data())
def test_setitem_matches_torch(torch, data):
    a = data.draw(arrays(dtypes("all"), shapes(max_dims=3), layout=WRITABLE))
    idx = data.draw(index_tuples(a.shape))
    x_t = torch.from_numpy(a.copy())
    try:
        target = x_t[idx]
    except (IndexError, RuntimeError, ValueError, TypeError) as e:
        with pytest.raises(type(e)):
            tb.from_numpy(a.copy())[idx] = 0
        return
    advanced = not (target.numel() and np.shares_memory(target.numpy(), x_t.numpy())) and target.numel()
    if data.draw(st.booleans()) and not advanced:
        value = data.draw(arrays(a.dtype.name, st.just(tuple(target.shape)[data.draw(st.integers(0, target.ndim)):])))
        v_t, v_tb = torch.from_numpy(value.copy()), tb.from_numpy(value.copy())
    else:
        value = data.draw(st.sampled_from([0, 1, True, 2.5]))
        if a.dtype == np.bool_:
            value = bool(value)
        v_t = v_tb = value
    x_tb = tb.from_numpy(a.copy())
    before = x_tb._version
    x_t[idx] = v_t
    x_tb[idx] = v_tb
    np.testing.assert_array_equal(x_tb.numpy(), x_t.numpy())
    assert x_tb._version > before


def test_setitem_errors_and_dtypes(torch):
    x_t, x_tb = torch.zeros(3), tb.zeros(3)
    with pytest.raises(RuntimeError):
        x_t[[0, 1]] = torch.tensor([1, 2])
    with pytest.raises(RuntimeError, match="Index put requires the source and destination dtypes match"):
        x_tb[[0, 1]] = tb.tensor([1, 2])
    with pytest.raises(RuntimeError, match="shape mismatch"):
        x_tb[[0, 1]] = tb.tensor([1.0, 2, 3])
    x_tb[0:2] = tb.tensor([1, 2], dtype=tb.float64)  # basic indexing casts
    assert x_tb.tolist() == [1.0, 2.0, 0.0]
    x_tb[tb.tensor([True, False, True])] = 5
    assert x_tb.tolist() == [5.0, 2.0, 5.0]
    x_tb[1:] = [7, 8]
    assert x_tb.tolist() == [5.0, 7.0, 8.0]
    y = tb.zeros(2, 3)
    y[0] = tb.ones(1, 3)  # leading size-1 dims of the value are dropped
    assert y.tolist() == [[1.0] * 3, [0.0] * 3]


def test_setitem_on_expanded_tensor(torch):
    x = tb.zeros(3).expand(2, 3)
    x[0] = 1.0  # the written-to view x[0] has no repeated addresses: allowed, as in torch
    assert x.tolist() == [[1.0] * 3] * 2
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        x[...] = 2.0
    with pytest.warns(UserWarning, match="index_put_ on expanded tensors is deprecated"):
        x[[0, 1]] = 3.0


def test_setitem_read_only(torch):
    a = np.arange(6.0)
    a.flags.writeable = False
    x = tb.from_numpy(a)
    with pytest.raises(RuntimeError, match="setitem"):
        x[0] = 1.0
    with pytest.raises(RuntimeError):
        x[[0]] = 1.0
    assert a[0] == 0.0


# ---- index functions ---------------------------------------------------------------------------

@given(data=st.data())
def test_index_select_gather_take(torch, data):
    a = data.draw(arrays(dtypes("all"), shapes(max_dims=3)))
    nd = max(a.ndim, 1)
    d = data.draw(st.integers(-nd, nd - 1))
    size = a.shape[d] if a.ndim else 1
    # Out-of-range index_select raises IndexError or RuntimeError in torch depending on which
    # internal kernel runs; in-range indices here, the errors in test_index_function_errors.
    ix = np.asarray(data.draw(st.lists(st.integers(0, size - 1), max_size=4) if size else st.just([])),
                    dtype=np.int64)
    idt = data.draw(st.sampled_from([np.int64, np.int32]))
    check_op(lambda x, i: x.index_select(d, i), lambda x, i: x.index_select(d, i), a, ix.astype(idt))
    check_op(lambda x, i: tb.index_select(x, d, i), lambda x, i: torch.index_select(x, d, i), a, ix)
    n = max(a.size, 1)
    flat = np.asarray(data.draw(st.lists(st.integers(-n, n), max_size=5)), dtype=np.int64)
    check_op(lambda x, i: x.take(i), lambda x, i: x.take(i), a, flat.reshape(-1, 1) if flat.size % 2 == 0 else flat)
    gshape = tuple(data.draw(st.integers(0, s + (1 if k == (d % nd) else 0))) for k, s in enumerate(a.shape))
    g = np.asarray(data.draw(st.lists(st.integers(-size, size), min_size=int(np.prod(gshape)),
                                      max_size=int(np.prod(gshape)))), dtype=np.int64).reshape(gshape)
    check_op(lambda x, i: x.gather(d, i), lambda x, i: x.gather(d, i), a, g)
    check_op(lambda x, i: tb.gather(x, d, i), lambda x, i: torch.gather(x, d, i), a, g)


@given(data=st.data())
def test_scatter(torch, data):
    a = data.draw(arrays(dtypes("all"), shapes(min_dims=1, max_dims=3, min_side=1), layout=WRITABLE))
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    size = a.shape[d]
    ishape = tuple(data.draw(st.integers(0, s)) for s in a.shape)
    # one distinct target per column along d keeps the result deterministic (no duplicate writes)
    perm = np.argsort(np.asarray(data.draw(st.permutations(range(size)))))
    ix = np.empty(ishape, dtype=np.int64)
    for pos in np.ndindex(*ishape):
        ix[pos] = perm[pos[d]] if pos[d] < size else 0
    ix = ix.astype(data.draw(st.sampled_from([np.int64, np.int32])))
    src = data.draw(arrays(a.dtype.name, st.just(a.shape)))
    check_op(lambda x, i, s: x.scatter(d, i, s), lambda x, i, s: x.scatter(d, i, s), a, ix, src)
    check_op(lambda x, i: x.scatter(d, i, 1), lambda x, i: x.scatter(d, i, 1), a, ix)
    x_tb, x_t = tb.from_numpy(a.copy()), torch.from_numpy(a.copy())
    r_tb = x_tb.scatter_(d, tb.from_numpy(ix), tb.from_numpy(src.copy()))
    x_t.scatter_(d, torch.from_numpy(ix), torch.from_numpy(src.copy()))
    assert r_tb is x_tb
    np.testing.assert_array_equal(x_tb.numpy(), x_t.numpy())


def _scatter_operands(data, min_dims=0):
    """self, dim, index (repeated targets, sometimes one out of range), src for the scatter family."""
    dt = data.draw(dtypes("all"))
    a = data.draw(arrays(dt, shapes(min_dims=min_dims, max_dims=3),
                         elements=elements_for(dt, finite=False, small=True), layout=WRITABLE))
    nd = max(a.ndim, 1)
    d = data.draw(st.integers(-nd, nd - 1))
    full = a.shape if a.ndim else (1,)
    size = full[d]
    ishape = tuple(data.draw(st.integers(0, s + (2 if k == d % nd else 0))) for k, s in enumerate(full))
    hi = size if data.draw(st.integers(0, 9)) else size + 1  # now and then an out-of-range index
    ix = np.asarray(data.draw(st.lists(st.integers(0, max(hi - 1, 0)), min_size=int(np.prod(ishape)),
                                       max_size=int(np.prod(ishape)))), dtype=np.int64).reshape(ishape)
    if a.ndim == 0 and ix.size == 1 and data.draw(st.booleans()):
        ix = ix.reshape(())
    ix = ix.astype(data.draw(st.sampled_from([np.int64, np.int32])))
    sshape = tuple(s + data.draw(st.integers(0, 1)) for s in ix.shape)
    src = data.draw(arrays(dt, st.just(sshape), elements=elements_for(dt, finite=False, small=True)))
    return a, d, ix, src


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
@given(data=st.data())
def test_scatter_reductions(torch, data):
    a, d, ix, src = _scatter_operands(data)
    reduce = data.draw(st.sampled_from(["sum", "prod", "mean", "amax", "amin"]))
    inc = data.draw(st.booleans())
    check_op(lambda x, i, s: x.scatter_reduce(d, i, s, reduce, include_self=inc),
             lambda x, i, s: x.scatter_reduce(d, i, s, reduce, include_self=inc), a, ix, src)
    check_op(lambda x, i, s: tb.scatter_reduce(x, d, i, s, reduce),
             lambda x, i, s: torch.scatter_reduce(x, d, i, s, reduce), a, ix, src)
    check_op(lambda x, i, s: x.scatter_add(d, i, s), lambda x, i, s: x.scatter_add(d, i, s), a, ix, src)
    check_op(lambda x, i, s: tb.scatter_add(x, d, i, s), lambda x, i, s: torch.scatter_add(x, d, i, s), a, ix, src)
    legacy = data.draw(st.sampled_from(["add", "multiply"]))
    check_op(lambda x, i, s: x.scatter(d, i, s, reduce=legacy),
             lambda x, i, s: x.scatter(d, i, s, reduce=legacy), a, ix, src)
    value = data.draw(st.sampled_from([2, -1.5, True]))
    check_op(lambda x, i: x.scatter(d, i, value=value, reduce=legacy),
             lambda x, i: x.scatter(d, i, value=value, reduce=legacy), a, ix)

    def inplace(name, *args, **kw):
        def f(x, i, s):
            r = getattr(x, name)(d, i, s, *args, **kw)
            assert r is x
            return x
        return f
    for name, args, kw in [("scatter_reduce_", (reduce,), dict(include_self=inc)), ("scatter_add_", (), {}),
                           ("scatter_", (), dict(reduce=legacy))]:
        check_op(inplace(name, *args, **kw), inplace(name, *args, **kw), np.array(a, copy=True), ix, src)


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
@pytest.mark.parametrize("case", range(8))
def test_scatter_reduction_errors(torch, case):
    a = np.arange(6.0).reshape(2, 3)
    f = [
        lambda lib, x: x.scatter_reduce(0, lib.tensor([[1]]), lib.ones(1, 1), "add"),
        lambda lib, x: x.scatter(0, lib.tensor([[1]]), lib.ones(1, 1), reduce="sum"),
        lambda lib, x: x.scatter_reduce(0, lib.tensor([[1]]), lib.ones(1, 1, dtype=lib.float32), "sum"),
        lambda lib, x: x.scatter_add(0, lib.tensor([[1.0]]), lib.ones(1, 1)),
        lambda lib, x: x.to(lib.bool).scatter_reduce(0, lib.tensor([[1]]), lib.ones(1, 1, dtype=lib.bool), "mean"),
        lambda lib, x: x.to(lib.complex64).scatter_reduce(0, lib.tensor([[1]]), lib.ones(1, 1, dtype=lib.complex64),
                                                          "amax"),
        lambda lib, x: x.scatter_reduce(0, lib.tensor([[1]]), 1.0, "sum"),
        lambda lib, x: x.scatter_add(0, lib.tensor([[1, 0]]), lib.ones(2)),
    ][case]
    e = check_op(lambda x: f(tb, x), lambda x: f(torch, x), a)
    assert isinstance(e, Exception)


@pytest.mark.parametrize("case", range(7))
def test_index_function_errors(torch, case):
    a = np.arange(6.0).reshape(2, 3)
    f = [
        lambda lib, x: x.index_select(0, lib.tensor([0.0])),
        lambda lib, x: x.index_select(0, lib.tensor([[0]])),
        lambda lib, x: x.index_select(0, lib.tensor([3])),
        lambda lib, x: x.gather(0, lib.tensor([[3]])),
        lambda lib, x: x.gather(0, lib.tensor([3])),
        lambda lib, x: x.take(lib.tensor([7])),
        lambda lib, x: x.scatter(0, lib.tensor([[1]]), lib.tensor([[1]])),
    ][case]
    check_op(lambda x: f(tb, x), lambda x: f(torch, x), a)


@given(data=st.data())
def test_masked_fill(torch, data):
    (sa, sm) = data.draw(st.sampled_from([((2, 3), (3,)), ((2, 3), (2, 3)), ((2, 3), (2, 1)), ((3,), (2, 3)),
                                         ((4,), ()), ((2, 3), (2,))]))
    a = data.draw(arrays(dtypes("all"), st.just(sa)))
    m = data.draw(arrays("bool", st.just(sm)))
    v = data.draw(st.sampled_from([0, 1, True, -2.5]))
    if a.dtype.kind in "biu" and isinstance(v, float):
        v = 3
    check_op(lambda x, mm: x.masked_fill(mm, v), lambda x, mm: x.masked_fill(mm, v), a, m)
    check_op(lambda x, mm: tb.masked_fill(x, mm, v), lambda x, mm: torch.masked_fill(x, mm, v), a, m)
    check_op(lambda x, mm: x.clone().masked_fill_(mm, v), lambda x, mm: x.clone().masked_fill_(mm, v), a, m)


def test_masked_fill_errors(torch):
    a = np.arange(6.0).reshape(2, 3)
    for f in [lambda lib, x: x.masked_fill(lib.tensor([1, 0, 1]), 1),
              lambda lib, x: x.masked_fill(lib.tensor([True, False]), 1),
              lambda lib, x: x.masked_fill(lib.tensor([True, False, True]), lib.tensor([1.0, 2])),
              lambda lib, x: x.masked_fill(lib.tensor([True, False, True]), lib.tensor(7.0))]:
        check_op(lambda x: f(tb, x), lambda x: f(torch, x), a)


@given(a=arrays(dtypes("all"), shapes(max_dims=4)))
def test_nonzero(torch, a):
    check_op(lambda x: x.nonzero(), lambda x: x.nonzero(), a)
    check_op(lambda x: tb.nonzero(x, as_tuple=True), lambda x: torch.nonzero(x, as_tuple=True), a)


def test_mask_indexing_large(torch):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(100_003).astype(np.float32)
    m = a > 0.3
    check_op(lambda x, mm: x[mm], lambda x, mm: x[mm], a, m)
    b = a[:100_000].reshape(1000, 100)
    check_op(lambda x, mm: x[mm], lambda x, mm: x[mm], b, b[:, 0] > 0)


# Index items for the torch counting rules below: "m2"/"m1" a 2-d/1-d bool mask as an ndarray,
# "l2"/"l1" the same as nested lists, "t2"/"t0" as a 2-d/0-d bool tensor.
def _mask_item(kind, shape, lib):
    k = int(kind[1])
    m = np.zeros(shape[:k] if len(shape) >= k else (0,) * k, dtype=bool)
    if m.size:
        m.flat[::2] = True
    if kind[0] == "m":
        return m
    if kind[0] == "l":
        return m.tolist()
    return lib.tensor(True) if k == 0 else lib.from_numpy(m.copy())


MASK_INDEX_SHAPES = [(0, 0), (0,), (2, 0), (0, 3), (2, 3), (1, 0), (3, 0, 2), (0, 0, 0)]
MASK_INDEX_PATTERNS = [
    ("...", None, "M"), (None, "M"), ("M", None), ("...", "M"), ("M", "..."), (None, "...", "M"),
    ("M", "...", None), (None, None, "M"), (slice(None), None, "M"), ("M", 0), ("M", slice(None)),
    ("M", "...", 0), ("M", [0]), ("M", True), ("M", "...", True), ("M",),
]


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")
@pytest.mark.parametrize("kind", ["m2", "m1", "l2", "l1", "t2"])
@pytest.mark.parametrize("shape", MASK_INDEX_SHAPES, ids=str)
@pytest.mark.parametrize("pattern", MASK_INDEX_PATTERNS, ids=str)
def test_masks_with_none_and_ellipsis(torch, kind, shape, pattern):
    # torch counts a list or ndarray index as ONE specified dim whatever it holds (a bool tensor
    # counts its dims), which decides how far an Ellipsis reaches and "too many indices"; the mask
    # then indexes all its dims, so an ndarray mask after an Ellipsis can run past the last dim
    # (IndexError "Dimension out of range" / "The shape of the mask ...") -- getitem and setitem
    a = np.zeros(shape, dtype=np.int64)

    def idx(lib):
        return tuple(Ellipsis if p == "..." else _mask_item(kind, shape, lib) if p == "M" else p for p in pattern)

    def get(lib):
        return lambda: lib.from_numpy(a.copy())[idx(lib)]

    def put(lib):
        def f():
            x = lib.from_numpy(a.copy())
            x[idx(lib)] = 7
            return x
        return f
    same_outcome(get(tb), get(torch))
    same_outcome(put(tb), put(torch))


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")
@pytest.mark.parametrize("case", [
    "(L.tensor(True), 0, 0)", "(L.tensor(1, dtype=L.uint8), 0, 0)", "(L.tensor(True), ...)",
    "np.True_", "(np.True_, 0, 0)", "(np.True_, 0)", "(np.True_, ...)",
    "(np.array(True), 0, 0)", "(np.array(True), 0)", "(np.array(True), ..., 0)",
    "[]", "([],)", "(..., [])", "([[]],)", "([[]], ...)", "(None, [])", "([[], []],)",
    "[1.5]", "([1.5],)", "(np.array([1.0]),)", "(np.zeros((0, 2)),)", "(np.array([], dtype=complex),)",
    "(np.array([], dtype=np.uint16),)", "(np.array([0], dtype=np.int16),)", "(np.array([], dtype=bool),)",
    "([0.0],)", "([True, 1],)", "(np.ones((2, 3), np.uint8), ..., None)",
    # the hypothesis find: an empty (0, 0) mask after `..., None` on a (0, 0) tensor
    "(..., None, np.zeros((0, 0), bool))",
])
@pytest.mark.parametrize("shape", [(2, 3), (0, 0)], ids=str)
def test_index_counting_and_sequence_conversion(torch, case, shape):
    # a 0-d bool/uint8 tensor counts no dim; np.bool_ is not an index (IndexError, after the
    # "too many indices" count, where it counts one); a list or ndarray that is not bool/uint8
    # becomes int64 (floats truncate, empty lists are empty int64 indices)
    a = np.arange(int(np.prod(shape))).reshape(shape)

    def get(L):
        return lambda: L.from_numpy(a.copy())[eval(case, {"L": L, "np": np})]

    def put(L):
        def f():
            x = L.from_numpy(a.copy())
            x[eval(case, {"L": L, "np": np})] = 7
            return x
        return f
    same_outcome(get(tb), get(torch))
    same_outcome(put(tb), put(torch))


@pytest.mark.parametrize("call", [
    "x.index_put_(5, v)", "x.index_put_(L.tensor([0]), v)", "x.index_put_(iter([L.tensor([0])]), v)",
    "x.index_put_((L.tensor([0]), 1), v)", "x.index_put((None,), v)", "x.index_put([L.tensor([0]), [1]], v)",
    "L.index_put(x, 5, v)", "L.index_put(x, (L.tensor([0]), 1), v)", "L.index_put(x, 'ab', v)",
])
def test_index_put_indices_messages(torch, call):
    # index_put's indices is a "tuple of Tensors" parameter (position 1 of the methods, 2 of
    # tb.index_put): torch's argument parser messages
    def run(L):
        return lambda: eval(call, {"L": L, "x": L.ones(2, 2), "v": L.tensor(1.0)})
    same_outcome(run(tb), run(torch))
