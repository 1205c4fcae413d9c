"""tb.as_tensor / tb.asarray against torch (aliasing, dtype, copy, requires_grad, messages),
byte-swapped and oddly strided arrays on the copying paths, and pickling / copy / deepcopy."""

import copy
import io
import pickle
import warnings

import numpy as np
import pytest

import tensorbridge as tb

pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")


def sample(npdt, shape=(3, 4)):
    n = int(np.prod(shape))
    return (np.arange(n) % 7 + 1).astype(npdt).reshape(shape)


def dname(dt):
    return str(dt).split(".")[-1]


# ---- as_tensor ----------------------------------------------------------------------------------

def test_as_tensor_like_torch(torch):
    a = sample(np.float64)
    for dtype in (None, "float64", "float32", "int32"):
        ours = tb.as_tensor(a, dtype=getattr(tb, dtype) if dtype else None)
        theirs = torch.as_tensor(a, dtype=getattr(torch, dtype) if dtype else None)
        assert dname(ours.dtype) == dname(theirs.dtype) and ours.tolist() == theirs.tolist()
        assert (ours.data_ptr() == a.ctypes.data) == (theirs.data_ptr() == a.ctypes.data)
    t = tb.ones(3)
    assert tb.as_tensor(t) is t and tb.as_tensor(t, dtype=tb.float32) is t
    assert tb.as_tensor(t, dtype=tb.float64).dtype == tb.float64
    for data in ([1, 2], [[1.0, 2.0]], 3.5, (True, False), np.float64(2.0), np.int16(3)):
        ours, theirs = tb.as_tensor(data), torch.as_tensor(data)
        assert dname(ours.dtype) == dname(theirs.dtype) and ours.tolist() == theirs.tolist()


def test_as_tensor_negative_strides_are_views():
    a = sample(np.int32, (4, 5))[::-1, ::2]
    t = tb.as_tensor(a)
    assert t.data_ptr() == a.ctypes.data and t.tolist() == a.tolist()


def test_as_tensor_byteswapped(torch):
    a = np.arange(4, dtype=">f4")
    with pytest.raises(ValueError) as ours:
        tb.as_tensor(a)
    with pytest.raises(ValueError) as theirs:
        torch.as_tensor(a)
    assert str(ours.value) == str(theirs.value)
    t = tb.as_tensor(a, dtype=tb.float32)  # a dtype means a copy anyway: byteswap it
    assert t.tolist() == [0.0, 1.0, 2.0, 3.0] and not t.is_readonly


def test_as_tensor_dlpack_and_array_like(torch):
    x = torch.arange(4.0)
    t = tb.as_tensor(x)
    assert t.data_ptr() == x.data_ptr()

    class ArrayLike:
        def __init__(self, a):
            self.a = a

        def __array__(self, dtype=None, copy=None):
            return self.a

    a = sample(np.float64)
    t = tb.as_tensor(ArrayLike(a))
    assert t.data_ptr() == a.ctypes.data  # torch cannot read __array__ objects at all


# ---- asarray ------------------------------------------------------------------------------------

def test_asarray_copy_semantics_like_torch(torch):
    a = sample(np.float64)
    for copy_ in (None, True, False):
        for dtype in (None, "float64", "float32"):
            kw = dict(copy=copy_)
            try:
                theirs = torch.asarray(a, dtype=getattr(torch, dtype) if dtype else None, **kw)
            except Exception as e:  # noqa: BLE001
                with pytest.raises(type(e)) as ours:
                    tb.asarray(a, dtype=getattr(tb, dtype) if dtype else None, **kw)
                assert str(ours.value) == str(e)
                continue
            ours = tb.asarray(a, dtype=getattr(tb, dtype) if dtype else None, **kw)
            assert dname(ours.dtype) == dname(theirs.dtype) and ours.tolist() == theirs.tolist()
            assert (ours.data_ptr() == a.ctypes.data) == (theirs.data_ptr() == a.ctypes.data)


def test_asarray_alias_errors_like_torch(torch):
    cases = [
        (lambda m: m.asarray(m.ones(2, dtype=m.float64), dtype=m.float32, copy=False)),
        (lambda m: m.asarray([1, 2], copy=False)),
        (lambda m: m.asarray(np.float64(1.0), copy=False)),
        (lambda m: m.asarray(3, copy=False)),
    ]
    for case in cases:
        with pytest.raises(Exception) as theirs:
            case(torch)
        with pytest.raises(theirs.type) as ours:
            case(tb)
        assert str(ours.value) == str(theirs.value)


def test_asarray_tensor_input(torch):
    t = tb.ones(3)
    assert tb.asarray(t) is t
    assert tb.asarray(t, dtype=tb.float32, copy=False) is t
    c = tb.asarray(t, copy=True)
    assert c is not t and c.data_ptr() != t.data_ptr()
    x = tb.ones(3, requires_grad=True)
    assert tb.asarray(x) is x and x.requires_grad  # None follows the input (torch 2.13)
    y = tb.asarray(x, requires_grad=False)
    assert y is not x and x.requires_grad and not y.requires_grad  # never mutates the input
    assert y.data_ptr() == x.data_ptr()
    z = tb.ones(3)
    w = tb.asarray(z, requires_grad=True)
    assert w.requires_grad and not z.requires_grad and w.data_ptr() == z.data_ptr()
    ours, theirs = tb.asarray(x, copy=True), torch.asarray(torch.ones(3, requires_grad=True), copy=True)
    assert ours.requires_grad == theirs.requires_grad


def test_asarray_numpy_scalars_and_sequences(torch):
    for obj in (np.float64(1.5), np.int8(-3), np.bool_(True), np.complex64(1 + 2j), [1, 2.5],
                [[1, 2], [3, 4]], 7, 2.5, True):
        ours, theirs = tb.asarray(obj), torch.asarray(obj)
        assert dname(ours.dtype) == dname(theirs.dtype) and ours.tolist() == theirs.tolist()


def test_asarray_buffers_like_torch(torch):
    buf = bytearray(np.arange(4, dtype=np.float32).tobytes())
    ours, theirs = tb.asarray(buf), torch.asarray(buf)
    assert ours.tolist() == theirs.tolist() and dname(ours.dtype) == "float32"
    ours = tb.asarray(buf)
    ours_np = np.asarray(ours)
    ours_np[0] = 9.0  # shares the bytearray
    assert np.frombuffer(buf, np.float32)[0] == 9.0
    ro = tb.asarray(b"\x00\x00\x80\x3f", dtype=tb.float32)
    assert ro.is_readonly and ro.tolist() == [1.0]
    assert tb.asarray(bytes(8), dtype=tb.int16).tolist() == torch.asarray(bytes(8), dtype=torch.int16).tolist()
    for bad in (b"", b"abc"):
        with pytest.raises(ValueError) as ours:
            tb.asarray(bad)
        with pytest.raises(ValueError) as theirs:
            torch.asarray(bad)
        assert str(ours.value) == str(theirs.value)
    c = tb.asarray(buf, copy=True)
    assert c.data_ptr() != ours_np.ctypes.data


def test_asarray_byteswapped_and_odd_strides():
    a = np.arange(6, dtype=">i8").reshape(2, 3)
    t = tb.asarray(a)  # copy=None: a copy is needed, so make it
    assert t.tolist() == a.tolist() and t.dtype == tb.int64
    t = tb.asarray(a, copy=True, dtype=tb.float32)
    assert t.tolist() == a.astype(np.float32).tolist()
    with pytest.raises(ValueError, match="byte order"):
        tb.asarray(a, copy=False)
    raw = np.zeros(16, dtype=np.uint8)
    odd = np.ndarray((3,), dtype=np.int32, buffer=raw, offset=1, strides=(5,))  # strides % 4 != 0
    odd[...] = [7, 8, 9]
    assert tb.asarray(odd, copy=True).tolist() == [7, 8, 9]
    assert tb.as_tensor(odd, dtype=tb.int64).tolist() == [7, 8, 9]
    with pytest.raises(ValueError, match="multiple of the element byte size"):
        tb.from_numpy(odd)


def test_asarray_dlpack_and_requires_grad(torch):
    x = torch.arange(3.0)
    t = tb.asarray(x)
    assert t.data_ptr() == x.data_ptr()
    t = tb.asarray(x, requires_grad=True)
    assert t.requires_grad and not x.requires_grad
    c = tb.asarray(x, copy=True)
    assert c.data_ptr() != x.data_ptr()
    with pytest.raises(RuntimeError):
        tb.asarray([1, 2], requires_grad=True)  # integers cannot require grad


def test_tensor_from_protocols_helper(torch):
    """The helper tb.tensor() uses for protocol objects (it copies the view it returns)."""
    helper = tb._core._tensor_from_protocols
    for plain in ([1, 2], (1.0,), 3, 2.5, b"ab", "s", np.float32(1), sample(np.int8), tb.ones(2)):
        assert helper(plain) is None  # lists, scalars, arrays and tensors are tensor()'s own cases
    x = torch.arange(4.0)
    assert helper(x).data_ptr() == x.data_ptr()  # DLPack producer
    a = sample(np.int16)
    assert helper(a.__dlpack__()).data_ptr() == a.ctypes.data  # raw capsule

    class ArrayLike:
        def __array__(self, dtype=None, copy=None):
            return a

    class Interface:
        __array_interface__ = a.__array_interface__
        keep = a

    assert helper(ArrayLike()).data_ptr() == a.ctypes.data
    assert helper(Interface()).tolist() == a.tolist()

    class Swapped:
        def __array__(self, dtype=None, copy=None):
            return np.arange(3, dtype=">f8")

    assert helper(Swapped()).tolist() == [0.0, 1.0, 2.0]  # byte-swapped: a native copy


# ---- pickle / copy ------------------------------------------------------------------------------

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64",
         "float16", "bfloat16", "float32", "float64", "complex64", "complex128"]


def views_of(name):
    base = tb.asarray(sample(np.float64, (4, 6)), dtype=getattr(tb, name))
    a = np.from_dlpack(base) if name != "bfloat16" else None
    out = [base]
    if a is not None:
        out += [tb.from_numpy(v) for v in (a[1:, ::2], a.T, a[::-1, ::-3], a[2, 3, ...], a[:, :0],
                                           np.broadcast_to(a[:1], (3, 6)))]
    return out


@pytest.mark.parametrize("protocol", [2, 4, 5])
@pytest.mark.parametrize("name", NAMES)
def test_pickle_roundtrip(name, protocol):
    for t in views_of(name):
        u = pickle.loads(pickle.dumps(t, protocol=protocol))
        assert u.dtype == t.dtype and u.shape == t.shape and u.stride() == t.stride()
        assert u.tolist() == t.tolist()
        assert u.is_readonly == (protocol >= 5 and t.is_readonly)  # in-band bytes are immutable
        if t.numel():
            assert u.data_ptr() != t.data_ptr()


def test_pickle_requires_grad_and_read_only():
    t = tb.ones(3, requires_grad=True)
    for p in (2, 5):
        u = pickle.loads(pickle.dumps(t, protocol=p))
        assert u.requires_grad and u.is_leaf
    a = sample(np.float32)
    a.flags.writeable = False
    r = tb.from_numpy(a)
    assert pickle.loads(pickle.dumps(r, protocol=5)).is_readonly  # in-band bytes stay read-only
    assert not pickle.loads(pickle.dumps(r, protocol=4)).is_readonly  # a copy


def test_pickle5_out_of_band_zero_copy():
    a = np.arange(1 << 16, dtype=np.float64)
    t = tb.from_numpy(a)[1::2] if False else tb.from_numpy(a[1::2])
    buffers = []
    payload = pickle.dumps(t, protocol=5, buffer_callback=buffers.append)
    assert len(buffers) == 1 and len(payload) < 500
    assert buffers[0].raw().nbytes == (a.size - 1) * 8  # only the addressed span
    u = pickle.loads(payload, buffers=buffers)
    assert u.tolist() == t.tolist() and u.stride() == t.stride()
    assert u.data_ptr() == t.data_ptr()  # same process, same buffer: no copy at all
    # received as bytes (read-only) or bytearray (writable)
    raw = bytes(buffers[0].raw())
    assert pickle.loads(payload, buffers=[raw]).is_readonly
    v = pickle.loads(payload, buffers=[bytearray(raw)])
    assert not v.is_readonly and v.tolist() == t.tolist()
    with pytest.raises(RuntimeError):
        pickle.loads(payload, buffers=[bytearray(8)])  # too small: refused, no overflow


def test_pickle_via_file_and_torch_semantics(torch):
    t = tb.from_numpy(sample(np.int64, (3, 5)).T)
    f = io.BytesIO()
    pickle.dump(t, f, protocol=pickle.HIGHEST_PROTOCOL)
    f.seek(0)
    u = pickle.load(f)
    x = pickle.loads(pickle.dumps(torch.from_numpy(sample(np.int64, (3, 5)).T)))
    assert u.tolist() == x.tolist() and u.stride() == tuple(x.stride())


def test_copy_shares_like_torch(torch):
    t = tb.from_numpy(np.zeros(3))
    c = copy.copy(t)
    assert c is not t and c.data_ptr() == t.data_ptr()
    x = torch.zeros(3)
    assert copy.copy(x).data_ptr() == x.data_ptr()
    r = tb.ones(2, requires_grad=True)
    assert copy.copy(r).requires_grad


def test_deepcopy():
    a = np.arange(6.0)
    base = tb.from_numpy(a)
    v1, v2 = tb.from_numpy(a[::2]), tb.from_numpy(a[1:])
    d = copy.deepcopy([base, base])
    assert d[0] is d[1] and d[0].data_ptr() != base.data_ptr() and d[0].tolist() == base.tolist()
    e = copy.deepcopy(tb.ones(2, requires_grad=True))
    assert e.requires_grad
    # views of one tensor copied together share their new storage (torch semantics)
    x = tb.from_numpy(np.arange(6.0))
    y = tb.asarray(x)
    dx, dy = copy.deepcopy((x, y))
    assert dx.data_ptr() == dy.data_ptr() != x.data_ptr()
    assert v1.tolist() == copy.deepcopy(v1).tolist() and v2.tolist() == copy.deepcopy(v2).tolist()
    r = sample(np.float32)
    r.flags.writeable = False
    assert not copy.deepcopy(tb.from_numpy(r)).is_readonly


def test_pickle_memory_no_extra_copy():
    import tracemalloc
    a = np.ones(4 << 20, dtype=np.float32)  # 16 MiB
    t = tb.from_numpy(a)
    tracemalloc.start()
    buffers = []
    payload = pickle.dumps(t, protocol=5, buffer_callback=buffers.append)
    u = pickle.loads(payload, buffers=buffers)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1 << 20  # nothing near the 16 MiB payload was allocated
    assert u.data_ptr() == t.data_ptr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.loads(pickle.dumps(t, protocol=5))
