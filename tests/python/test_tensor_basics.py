"""Creation, dtype inference, dtype/device objects and Tensor basics, compared with torch."""

import numpy as np
import pytest

import tensorbridge as tb

DTYPE_NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64",
               "float16", "bfloat16", "float32", "float64", "complex64", "complex128"]


def name(dt):
    return str(dt).split(".")[-1]


@pytest.mark.parametrize("n", DTYPE_NAMES)
def test_dtype_attributes_match_torch(torch, n):
    ours, theirs = getattr(tb, n), getattr(torch, n)
    assert repr(ours) == "tensorbridge." + n
    assert ours.itemsize == theirs.itemsize
    assert ours.is_floating_point == theirs.is_floating_point
    assert ours.is_complex == theirs.is_complex
    assert ours.is_signed == theirs.is_signed


def test_dtype_aliases(torch):
    for alias in ["float", "double", "half", "cfloat", "cdouble", "short", "int", "long", "bool"]:
        assert name(getattr(tb, alias)) == name(getattr(torch, alias))


DATA = [
    1, 2.5, True, 1 + 2j, [], [[]], [1, 2, 3], [1.0, 2], [True, False], [True, 2], [1, 2.0, 3j],
    [[1, 2], [3, 4]], ((1, 2), (3, 4)), [np.float64(1.5), 2], [np.int32(1), 2], np.float64(2.0),
    np.int16(3), np.bool_(True), [np.float32(1), 2], np.arange(6).reshape(2, 3),
    np.arange(6.0, dtype=np.float32)[::-1], [np.array([1.0]), np.array([2.0])], 2**62, -(2**63),
]


@pytest.mark.parametrize("data", DATA, ids=range(len(DATA)))
def test_tensor_inference_matches_torch(torch, data):
    want = torch.tensor(data.copy() if isinstance(data, np.ndarray) else data)
    got = tb.tensor(data)
    assert name(got.dtype) == name(want.dtype)
    assert tuple(got.shape) == tuple(want.shape)
    assert got.tolist() == want.tolist()


@pytest.mark.parametrize("data", [[[1, 2], [3]], [1, [2]], [1.0, [2]], [[1, 2], 3], ["a"], "abc", [None], None, {1: 2}, 2**63, [2**64]])
def test_tensor_bad_data_raises_like_torch(torch, data):
    with pytest.raises(Exception) as want:
        torch.tensor(data)
    with pytest.raises(want.type) as got:
        tb.tensor(data)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("n", DTYPE_NAMES)
def test_tensor_with_dtype(torch, n):
    data = [[0, 1, 2], [3, 4, 5]]
    got = tb.tensor(data, dtype=getattr(tb, n))
    want = torch.tensor(data, dtype=getattr(torch, n))
    assert name(got.dtype) == n
    assert got.tolist() == want.tolist()


def test_tensor_copies_ndarray():
    a = np.arange(4.0)
    t = tb.tensor(a)
    a[0] = 9
    assert t.tolist()[0] == 0.0


SIZE_CALLS = [((2, 3), {}), (([2, 3],), {}), (((2, 3),), {}), (((),), {}), ((0,), {}), ((4,), {"dtype": "int32"})]


@pytest.mark.parametrize("fn", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("args,kw", SIZE_CALLS)
def test_sized_factories(torch, fn, args, kw):
    tkw = {k: getattr(torch, v) for k, v in kw.items()}
    bkw = {k: getattr(tb, v) for k, v in kw.items()}
    want = getattr(torch, fn)(*args, **tkw)
    got = getattr(tb, fn)(*args, **bkw)
    assert tuple(got.shape) == tuple(want.shape)
    assert name(got.dtype) == name(want.dtype)
    if fn != "empty":
        assert got.tolist() == want.tolist()


@pytest.mark.parametrize("call", [
    ("arange", (5,), {}), ("arange", (1, 4), {}), ("arange", (0, 1, 0.1), {}), ("arange", (10, 0, -3), {}),
    ("arange", (0.5, 3), {}), ("arange", (5,), {"dtype": "float64"}),
    ("linspace", (0, 1, 5), {}), ("linspace", (-3, 7, 11), {}), ("linspace", (0, 10, 7), {"dtype": "int64"}),
    ("linspace", (1.5, 2.5, 1), {}), ("linspace", (0, 1, 0), {}),
    ("eye", (3,), {}), ("eye", (2, 4), {}), ("eye", (3,), {"dtype": "int32"}),
    ("full", ((2, 2), 7), {}), ("full", ((2,), 1.5), {}), ("full", ((2,), True), {}), ("full", ((1,), 2j), {}),
])
def test_value_factories_match_torch(torch, call):
    fn, args, kw = call
    want = getattr(torch, fn)(*args, **{k: getattr(torch, v) for k, v in kw.items()})
    got = getattr(tb, fn)(*args, **{k: getattr(tb, v) for k, v in kw.items()})
    assert name(got.dtype) == name(want.dtype)
    assert got.tolist() == want.tolist()


@pytest.mark.parametrize("call", [("arange", (0, 5, 0)), ("arange", (5, 0, 1)), ("zeros", (-1,)),
                                  ("linspace", (0, 1, -1)), ("eye", (-1,)), ("zeros", (2.5,))])
def test_factory_errors_match_torch(torch, call):
    fn, args = call
    with pytest.raises(Exception) as want:
        getattr(torch, fn)(*args)
    with pytest.raises(want.type):
        getattr(tb, fn)(*args)


def test_like_factories():
    x = tb.zeros(2, 3, dtype=tb.int32)
    for f in (tb.zeros_like, tb.ones_like, tb.empty_like):
        y = f(x)
        assert y.shape == (2, 3) and y.dtype is tb.int32
    assert tb.full_like(x, 4).tolist() == [[4, 4, 4], [4, 4, 4]]
    assert tb.ones_like(x, dtype=tb.float64).dtype is tb.float64


def test_tensor_basics_match_torch(torch):
    a = np.arange(24.0).reshape(2, 3, 4)
    t, r = tb.tensor(a), torch.tensor(a)
    assert t.shape == tuple(r.shape) and repr(t.shape) == repr(r.shape).replace("torch", "tensorbridge")
    assert t.size() == r.size() and t.size(1) == r.size(1) and t.size(-1) == r.size(-1)
    assert t.dim() == r.dim() and t.ndim == r.ndim and t.numel() == r.numel()
    assert t.stride() == r.stride() and t.stride(0) == r.stride(0)
    assert t.element_size() == r.element_size() and t.nbytes == r.nbytes
    assert len(t) == len(r)
    assert t.is_contiguous()
    assert t.device == tb.device("cpu") and str(t.device) == "cpu"
    assert tb.tensor(3.5).item() == 3.5 and isinstance(tb.tensor(3).item(), int)
    assert tb.tensor(True).item() is True and tb.tensor(1 + 2j).item() == 1 + 2j
    assert float(tb.tensor([2.5])) == 2.5 and int(tb.tensor(7)) == 7
    with pytest.raises(RuntimeError):
        t.item()
    with pytest.raises(TypeError):
        len(tb.tensor(1.0))


def test_autograd_flags_and_aliases(torch):
    x = tb.ones(3, requires_grad=True)
    assert x.requires_grad and x.is_leaf
    d = x.detach()
    assert not d.requires_grad and d.data_ptr() == x.data_ptr()
    assert d._version == x._version
    assert x.data.data_ptr() == x.data_ptr() and not x.data.requires_grad
    assert x.cpu() is x
    y = tb.zeros(2)
    assert y.requires_grad_() is y and y.requires_grad
    paths = [  # torch words this error differently on each path
        lambda m: m.zeros(2, dtype=m.int64).requires_grad_(),
        lambda m: setattr(m.zeros(2, dtype=m.int64), "requires_grad", True),
        lambda m: m.zeros(2, dtype=m.int64, requires_grad=True),
        lambda m: m.tensor([1], requires_grad=True),
    ]
    for path in paths:
        with pytest.raises(RuntimeError) as got:
            path(tb)
        with pytest.raises(RuntimeError) as want:
            path(torch)
        assert str(got.value) == str(want.value)
    assert tb.zeros(size=(2, 3)).shape == torch.zeros(size=(2, 3)).shape


def test_clone_and_contiguous():
    a = np.arange(6.0).reshape(2, 3).T
    t = tb.from_numpy(a)
    assert not t.is_contiguous()
    c = t.contiguous()
    assert c.is_contiguous() and c.tolist() == a.tolist()
    assert c.contiguous() is c
    k = t.clone()
    a[0, 0] = 50
    assert k.tolist()[0][0] == 0.0


def test_device_objects(torch):
    for spec in ["cpu", "cuda", "cuda:1"]:
        assert repr(tb.device(spec)) == repr(torch.device(spec))
        assert str(tb.device(spec)) == str(torch.device(spec))
    assert tb.device("cuda", 2) == tb.device("cuda:2")
    assert tb.device("cuda", 2).index == 2 and tb.device("cpu").type == "cpu"
    with pytest.raises(RuntimeError):
        tb.device("tpu")
    with pytest.raises(RuntimeError, match="CUDA"):
        tb.zeros(2, device="cuda")


def test_pickle_dtype_and_device():
    import pickle
    assert pickle.loads(pickle.dumps(tb.float16)) is tb.float16
    assert pickle.loads(pickle.dumps(tb.device("cuda:1"))) == tb.device("cuda:1")
    assert pickle.loads(pickle.dumps(tb.Size([2, 3]))) == tb.Size([2, 3])


def test_tensor_copies_byteswapped_and_protocol_objects(torch):
    swapped = np.arange(4, dtype=">f4")
    t = tb.tensor(swapped)
    assert t.dtype is tb.float32 and t.tolist() == [0.0, 1.0, 2.0, 3.0]

    class ArrayLike:
        def __array__(self, dtype=None, copy=None):
            return np.array([[1, 2], [3, 4]], dtype=np.int16)

    a = tb.tensor(ArrayLike())
    assert a.dtype is tb.int16 and a.tolist() == [[1, 2], [3, 4]]
    src = torch.arange(3.0)
    c = tb.tensor(src.numpy())
    src[0] = 5.0
    assert c.tolist() == [0.0, 1.0, 2.0]


FILL_VALUES = [300, -1, 128, -129, -255, -256, 2 ** 15, 2 ** 31, 2 ** 63 - 1, -2 ** 63, 2 ** 63, 2 ** 64 - 1,
               1e39, -1e300, 70000.0, 65504.5, 65520.0, 3.4028235e38, 3.3961e38, float("inf"), float("nan"),
               255.0, 255.5, -0.5, 127.9, -128.5, 1j, 1 + 0j, 1e39j, True, 2.5, np.int64(300), np.float64(300)]


def _same_outcome(tb_fn, torch_fn):
    """Same values and dtype, or the same exception type and message."""
    try:
        want = torch_fn()
    except (RuntimeError, TypeError, ValueError, OverflowError) as e:
        with pytest.raises(type(e)) as got:
            tb_fn()
        assert str(got.value) == str(e)
        return
    got = tb_fn()
    assert name(got.dtype) == name(want.dtype)
    np.testing.assert_array_equal(np.array(got.tolist()), np.array(want.tolist()))


@pytest.mark.filterwarnings("ignore:An output with one or more elements was resized")
@pytest.mark.parametrize("dt", DTYPE_NAMES)
@pytest.mark.parametrize("shape", [(2,), (1,), (), (0,), (1, 1)], ids=str)
def test_fill_overflow_checks(torch, dt, shape):
    # torch's fill_ (and full, full_like, t[i] = number) converts the number with c10's overflow
    # check: RuntimeError "value cannot be converted to type uint8_t without overflow"; a
    # one-element float16/bfloat16 tensor is the exception (through double, unchecked)
    for v in FILL_VALUES:
        _same_outcome(lambda: tb.zeros(shape, dtype=getattr(tb, dt)).fill_(v),
                      lambda: torch.zeros(shape, dtype=getattr(torch, dt)).fill_(v))
        _same_outcome(lambda: tb.full(shape, v, dtype=getattr(tb, dt)),
                      lambda: torch.full(shape, v, dtype=getattr(torch, dt)))
        _same_outcome(lambda: tb.full_like(tb.zeros(shape, dtype=getattr(tb, dt)), v),
                      lambda: torch.full_like(torch.zeros(shape, dtype=getattr(torch, dt)), v))


@pytest.mark.parametrize("v", [300, 2 ** 40, 1e39, 1j, 1e6, -1, True])
def test_fill_value_checks_default_dtype_and_setitem(torch, v):
    _same_outcome(lambda: tb.full((2,), v), lambda: torch.full((2,), v))
    for dt in ("uint8", "int8", "int32", "float16", "float32", "bool"):
        def put(lib, idx):
            def f():
                x = lib.zeros(3, dtype=getattr(lib, dt))
                x[idx] = v
                return x
            return f
        for idx in (0, slice(None), [0, 1]):
            _same_outcome(put(tb, idx), put(torch, idx))
    # a 0-d tensor value is copied (wraps), as torch
    _same_outcome(lambda: tb.zeros(2, dtype=tb.uint8).fill_(tb.tensor(300)),
                  lambda: torch.zeros(2, dtype=torch.uint8).fill_(torch.tensor(300)))
