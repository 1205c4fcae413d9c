"""DLPack: Tensor.__dlpack__/__dlpack_device__ and tb.from_dlpack against NumPy and torch.

Checks capsule kinds and flags by reading the C structs (ctypes), shared memory in both
directions, single-use capsules, deleters called exactly once (refcounts), and the errors.
"""

import ctypes
import gc
import sys

import numpy as np
import pytest

import tensorbridge as tb

pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")

NP_DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.uint16, np.uint32,
             np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128]

_get_ptr = ctypes.pythonapi.PyCapsule_GetPointer
_get_ptr.restype = ctypes.c_void_p
_get_ptr.argtypes = [ctypes.py_object, ctypes.c_char_p]
_get_name = ctypes.pythonapi.PyCapsule_GetName
_get_name.restype = ctypes.c_char_p
_get_name.argtypes = [ctypes.py_object]


class DLTensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device_type", ctypes.c_int32),
                ("device_id", ctypes.c_int32), ("ndim", ctypes.c_int32), ("code", ctypes.c_uint8),
                ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16),
                ("shape", ctypes.POINTER(ctypes.c_int64)), ("strides", ctypes.POINTER(ctypes.c_int64)),
                ("byte_offset", ctypes.c_uint64)]


def capsule_info(cap):
    """(name, version, flags, DLTensor) read from a capsule's C struct."""
    name = _get_name(cap).decode()
    p = _get_ptr(cap, name.encode())
    if name == "dltensor_versioned":
        major, minor = (ctypes.c_uint32 * 2).from_address(p)
        flags = ctypes.c_uint64.from_address(p + 24).value
        return name, (major, minor), flags, DLTensor.from_address(p + 32)
    return name, None, None, DLTensor.from_address(p)


def sample(npdt, shape=(3, 4)):
    n = int(np.prod(shape))
    return (np.arange(n) % 7 + 1).astype(npdt).reshape(shape)


# ---- export -------------------------------------------------------------------------------------

def test_capsule_kinds_and_version():
    t = tb.from_numpy(sample(np.float32))
    assert _get_name(t.__dlpack__()) == b"dltensor"
    assert _get_name(t.__dlpack__(max_version=None)) == b"dltensor"
    assert _get_name(t.__dlpack__(max_version=(0, 8))) == b"dltensor"
    name, version, flags, d = capsule_info(t.__dlpack__(max_version=(1, 0)))
    assert name == "dltensor_versioned" and version == (1, 3) and flags == 0
    assert capsule_info(t.__dlpack__(max_version=(2, 5)))[1] == (1, 3)  # our highest 1.x
    assert (d.device_type, d.device_id, d.ndim, d.lanes) == (1, 0, 2, 1)
    assert d.data == t.data_ptr() and d.byte_offset == 0


@pytest.mark.parametrize("versioned", [False, True])
def test_strides_always_filled(versioned):
    a = sample(np.int32, (4, 6))
    for view in (a, a[::2, 1::3], a.T, a[:, :1]):
        t = tb.from_numpy(view)
        cap = t.__dlpack__(max_version=(1, 0) if versioned else None)
        d = capsule_info(cap)[3]
        assert bool(d.strides)
        assert [d.shape[i] for i in range(d.ndim)] == list(view.shape)
        assert [d.strides[i] for i in range(d.ndim)] == list(t.stride())


@pytest.mark.parametrize("name,code,bits", [("bool", 6, 8), ("uint8", 1, 8), ("int16", 0, 16),
                                            ("uint64", 1, 64), ("float16", 2, 16),
                                            ("bfloat16", 4, 16), ("float64", 2, 64),
                                            ("complex64", 5, 64), ("complex128", 5, 128)])
def test_dtype_codes(name, code, bits):
    d = capsule_info(tb.zeros(2, dtype=getattr(tb, name)).__dlpack__(max_version=(1, 0)))[3]
    assert (d.code, d.bits, d.lanes) == (code, bits, 1)


def test_flags_read_only_and_copied():
    a = sample(np.float64)
    a.flags.writeable = False
    t = tb.from_numpy(a)
    assert capsule_info(t.__dlpack__(max_version=(1, 0)))[2] == 1  # READ_ONLY
    assert capsule_info(t.__dlpack__(max_version=(1, 0), copy=True))[2] == 2  # a writable copy
    w = tb.from_numpy(sample(np.float64))
    assert capsule_info(w.__dlpack__(max_version=(1, 0), copy=False))[2] == 0
    _, _, flags, d = capsule_info(w.__dlpack__(max_version=(1, 0), copy=True))
    assert flags == 2 and d.data != w.data_ptr()


def test_legacy_export_of_read_only_is_refused_unless_copied():
    a = sample(np.float32)
    a.flags.writeable = False
    t = tb.from_numpy(a)
    with pytest.raises(BufferError, match="read-only"):
        t.__dlpack__()
    assert _get_name(t.__dlpack__(copy=True)) == b"dltensor"


def test_export_errors(torch):
    t = tb.ones(3, requires_grad=True)
    with pytest.raises(BufferError) as ours:
        t.__dlpack__()
    with pytest.raises(BufferError) as theirs:
        torch.ones(3, requires_grad=True).__dlpack__()
    assert str(ours.value) == str(theirs.value)
    x, y = tb.ones(3), torch.ones(3)
    for kw, exc in [({"stream": 3}, AssertionError), ({"stream": "s"}, TypeError)]:
        with pytest.raises(exc) as ours:
            x.__dlpack__(**kw)
        with pytest.raises(exc) as theirs:
            y.__dlpack__(**kw)
        assert str(ours.value) == str(theirs.value)
    x.__dlpack__(stream=None)
    x.__dlpack__(stream=-1)  # torch's default
    with pytest.raises(BufferError, match="device"):
        x.__dlpack__(dl_device=(2, 0))
    assert _get_name(x.__dlpack__(dl_device=(1, 0))) == b"dltensor"
    with pytest.raises(TypeError):
        x.__dlpack__(1)  # keyword-only


def test_dlpack_device(torch):
    dev = tb.zeros(1).__dlpack_device__()
    assert dev == (1, 0) and dev == torch.zeros(1).__dlpack_device__()
    assert type(dev[0]).__name__ == "DLDeviceType" and dev[0].name == "kDLCPU"


# ---- numpy consumes -----------------------------------------------------------------------------

@pytest.mark.parametrize("npdt", NP_DTYPES)
def test_numpy_from_dlpack_shares_memory(npdt):
    views = [lambda a: a, lambda a: a[1:, ::2], lambda a: a.T, lambda a: a[::-1, ::-2],
             lambda a: a[2, 3, ...], lambda a: a[:0]]
    for select in views:
        base = sample(npdt, (4, 5))
        view = select(base)
        t = tb.from_numpy(view)
        b = np.from_dlpack(t)
        assert b.dtype == view.dtype and b.shape == view.shape and b.strides == view.strides
        np.testing.assert_array_equal(b, view)
        assert b.flags.writeable
        if view.size:
            assert np.shares_memory(b, base)
            b[...] = np.zeros((), npdt)  # seen on the other side
            assert not view.any()


def test_numpy_from_dlpack_read_only_and_copy():
    a = sample(np.int64)
    a.flags.writeable = False
    b = np.from_dlpack(tb.from_numpy(a))
    assert not b.flags.writeable and np.shares_memory(a, b)
    c = np.from_dlpack(tb.from_numpy(a), copy=True)
    assert c.flags.writeable and not np.shares_memory(a, c)
    np.testing.assert_array_equal(a, c)
    with pytest.raises((BufferError, RuntimeError)):  # NumPy < 2.5 raises RuntimeError
        np.from_dlpack(tb.ones(2, dtype=tb.bfloat16))  # NumPy has no bfloat16 DLPack type


# ---- tb consumes --------------------------------------------------------------------------------

@pytest.mark.parametrize("npdt", NP_DTYPES)
@pytest.mark.parametrize("how", ["producer", "legacy_capsule", "versioned_capsule", "copy"])
def test_from_dlpack_numpy(npdt, how):
    base = sample(npdt, (4, 6))
    for view in (base, base[1:, 1::2], base.T, base[::-1], base[::-2, ::-3], base[1, 2, ...], base[:, :0]):
        if how == "producer":
            t = tb.from_dlpack(view)
        elif how == "legacy_capsule":
            t = tb.from_dlpack(view.__dlpack__())
        elif how == "versioned_capsule":
            t = tb.from_dlpack(view.__dlpack__(max_version=(1, 0)))
        else:
            t = tb.from_dlpack(view, copy=True)
        assert t.shape == view.shape
        np.testing.assert_array_equal(t.numpy(), view)
        if view.size == 0:
            continue
        if how == "copy":
            assert not np.shares_memory(t.numpy(), base)
            continue
        assert t.stride() == tuple(s // view.itemsize for s in view.strides)
        assert t.data_ptr() == view.ctypes.data
        view[...] = np.ones((), npdt)
        assert (t.numpy() == np.ones((), npdt)).all()


def test_from_dlpack_read_only_flag_is_honoured():
    a = sample(np.float32)
    a.flags.writeable = False
    for src in (a, a.__dlpack__(max_version=(1, 0))):
        t = tb.from_dlpack(src)
        assert t.is_readonly
        assert not t.numpy().flags.writeable
    c = tb.from_dlpack(a, copy=True)
    assert not c.is_readonly and c.numpy().flags.writeable


def test_from_dlpack_tensorbridge_roundtrip():
    t = tb.from_numpy(sample(np.float64, (3, 4))[::-1, ::2])
    u = tb.from_dlpack(t)
    assert u is not t and u.data_ptr() == t.data_ptr() and u.stride() == t.stride()
    assert u.tolist() == t.tolist()
    v = tb.from_dlpack(t, copy=True)
    assert v.data_ptr() != t.data_ptr() and v.tolist() == t.tolist()


class LegacyProducer:
    """A producer from before DLPack 1.0: __dlpack__ takes no keywords."""

    def __init__(self, a):
        self.a = a

    def __dlpack__(self):
        return self.a.__dlpack__()

    def __dlpack_device__(self):
        return (1, 0)


def test_from_dlpack_legacy_producer_fallback():
    a = sample(np.int32)
    t = tb.from_dlpack(LegacyProducer(a))
    assert t.data_ptr() == a.ctypes.data
    c = tb.from_dlpack(LegacyProducer(a), copy=True)
    assert c.data_ptr() != a.ctypes.data and c.tolist() == a.tolist()


def test_capsules_are_single_use(torch):
    a = sample(np.float32)
    for cap in (a.__dlpack__(), a.__dlpack__(max_version=(1, 0)), tb.from_numpy(a).__dlpack__(),
                tb.from_numpy(a).__dlpack__(max_version=(1, 0))):
        tb.from_dlpack(cap)
        assert _get_name(cap).startswith(b"used_")
        with pytest.raises(RuntimeError) as ours:
            tb.from_dlpack(cap)
        with pytest.raises(RuntimeError) as theirs:
            torch.from_dlpack(cap)
        assert str(ours.value) == str(theirs.value)


def test_deleter_called_exactly_once():
    a = sample(np.float64)
    base = sys.getrefcount(a)
    # consumed capsule: the tensor owns it; deleting the tensor releases the array
    t = tb.from_dlpack(a.__dlpack__(max_version=(1, 0)))
    assert sys.getrefcount(a) == base + 1
    del t
    gc.collect()
    assert sys.getrefcount(a) == base
    # unconsumed capsule: its destructor calls the deleter
    cap = a.__dlpack__()
    assert sys.getrefcount(a) == base + 1
    del cap
    assert sys.getrefcount(a) == base
    # our own capsules: the exported tensor holds the array through its storage
    t = tb.from_numpy(a)
    for kw in ({}, {"max_version": (1, 0)}):
        cap = t.__dlpack__(**kw)
        u = tb.from_dlpack(cap)
        del t
        assert sys.getrefcount(a) == base + 1
        del cap
        assert sys.getrefcount(a) == base + 1
        t = u
        del u
    del t
    gc.collect()
    assert sys.getrefcount(a) == base
    # a failed import leaves the capsule owning the data
    cap = a.__dlpack__(max_version=(1, 0))
    with pytest.raises(BufferError, match="major version: 9"):
        _corrupt_and_import(cap)
    del cap
    assert sys.getrefcount(a) == base


def _corrupt_and_import(cap):
    """Sets the capsule's major version to 9 (a future ABI) and imports it."""
    p = _get_ptr(cap, b"dltensor_versioned")
    ctypes.c_uint32.from_address(p).value = 9
    try:
        tb.from_dlpack(cap)
    finally:
        assert _get_name(cap) == b"dltensor_versioned"  # not consumed
        ctypes.c_uint32.from_address(p).value = 1


def test_import_errors():
    with pytest.raises(TypeError, match="__dlpack__"):
        tb.from_dlpack([1, 2, 3])
    import datetime
    cap = datetime.datetime_CAPI  # a capsule with another name
    with pytest.raises(TypeError, match="capsule named"):
        tb.from_dlpack(cap)
    big = np.arange(4, dtype=">i4")
    with pytest.raises(BufferError):
        tb.from_dlpack(big)  # NumPy refuses to export non-native byte order
    with pytest.raises(BufferError):
        tb.from_dlpack(np.zeros(2, dtype=np.longdouble))
    a = np.zeros(3, np.float32)
    cap = a.__dlpack__(max_version=(1, 0))
    p = _get_ptr(cap, b"dltensor_versioned")
    d = DLTensor.from_address(p + 32)
    d.lanes = 4
    with pytest.raises(BufferError, match="unsupported dtype"):
        tb.from_dlpack(cap)
    d.lanes = 1
    d.device_type = 2
    with pytest.raises(BufferError, match="unsupported device"):
        tb.from_dlpack(cap)
    d.device_type = 1
    assert tb.from_dlpack(cap).tolist() == [0.0, 0.0, 0.0]


def test_null_strides_mean_row_major():
    a = sample(np.int16, (2, 3))
    cap = a.__dlpack__()
    d = capsule_info(cap)[3]
    d.strides = None
    assert tb.from_dlpack(cap).tolist() == a.tolist()


# ---- torch both ways ----------------------------------------------------------------------------

TORCH_PAIRS = ["bool", "uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64",
               "float16", "bfloat16", "float32", "float64", "complex64", "complex128"]


@pytest.mark.parametrize("name", TORCH_PAIRS)
def test_torch_from_dlpack_of_tensorbridge(torch, name):
    ours = tb.from_numpy(sample(np.float64, (3, 4))).numpy()
    t = tb.asarray(ours, dtype=getattr(tb, name))
    for view in (t, tb.from_dlpack(np.from_dlpack(t)[:, 1::2]) if name != "bfloat16" else t):
        x = torch.from_dlpack(view)
        assert str(x.dtype) == "torch." + name
        assert x.data_ptr() == view.data_ptr() and tuple(x.stride()) == view.stride()
        assert x.tolist() == view.tolist()
        x.zero_()  # a write is seen on our side
        assert not any(v for row in view.tolist() for v in (row if isinstance(row, list) else [row]))


@pytest.mark.parametrize("name", TORCH_PAIRS)
def test_tensorbridge_from_dlpack_of_torch(torch, name):
    x = (torch.arange(12, dtype=torch.float64).reshape(3, 4) % 5 + 1).to(getattr(torch, name))
    for view in (x, x.t(), x[:, 1::2], x[1]):
        t = tb.from_dlpack(view)
        assert t.dtype == getattr(tb, name)
        assert t.data_ptr() == view.data_ptr() and t.stride() == tuple(view.stride())
        assert t.tolist() == view.tolist()
    y = torch.ones(3, dtype=getattr(torch, name))
    t = tb.from_dlpack(y)
    y.zero_()
    assert not any(t.tolist())
    c = tb.from_dlpack(torch.ones(2, dtype=getattr(torch, name)), copy=True)
    assert c.tolist() == torch.ones(2, dtype=getattr(torch, name)).tolist()


def test_torch_capsules_and_copy_flag(torch):
    x = torch.arange(6.0)
    t = tb.from_dlpack(x.__dlpack__())
    assert t.data_ptr() == x.data_ptr()
    t = tb.from_dlpack(x.__dlpack__(max_version=(1, 0)))
    assert t.data_ptr() == x.data_ptr()
    # torch does not set IS_COPIED, so copy=True must not trust it: the result is a real copy
    c = tb.from_dlpack(x, copy=True)
    assert c.data_ptr() != x.data_ptr()
    x[0] = 42.0
    assert c.tolist()[0] == 0.0


def test_read_only_tensor_to_torch(torch):
    a = sample(np.float32)
    a.flags.writeable = False
    # torch ignores READ_ONLY (it has no read-only tensors); we report it truthfully
    cap = tb.from_numpy(a).__dlpack__(max_version=(1, 0))
    assert capsule_info(cap)[2] == 1
    assert torch.from_dlpack(cap).tolist() == a.tolist()


class FakeDeviceProducer:
    """A producer whose data lives on a device (CUDA) but that can copy to the host on request."""

    def __init__(self, a):
        self.a, self.calls = a, []

    def __dlpack_device__(self):
        return (2, 0)

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        self.calls.append(dict(stream=stream, max_version=max_version, dl_device=dl_device, copy=copy))
        if dl_device != (1, 0):
            raise BufferError("data is on the device")
        return self.a.__dlpack__(max_version=max_version, copy=True)


def test_from_dlpack_device_argument(torch):
    p = FakeDeviceProducer(sample(np.float32))
    with pytest.raises(BufferError, match="device='cpu'"):
        tb.from_dlpack(p)
    t = tb.from_dlpack(p, device="cpu")
    assert t.tolist() == sample(np.float32).tolist()
    assert p.calls[-1]["dl_device"] == (1, 0) and p.calls[-1]["max_version"] == (1, 3)
    with pytest.raises(ValueError, match="without copying"):
        tb.from_dlpack(p, device="cpu", copy=False)
    x = torch.arange(3.0)
    t = tb.from_dlpack(x, device="cpu", copy=False)
    assert t.data_ptr() == x.data_ptr()
    with pytest.raises(RuntimeError):
        tb.from_dlpack(x, device="cuda")  # not built: a clear error, never a crash


def test_producer_keywords_seen_by_numpy_style_consumer():
    class Spy:
        def __init__(self, t):
            self.t, self.kw = t, None

        def __dlpack__(self, **kw):
            self.kw = kw
            return self.t.__dlpack__(**kw)

        def __dlpack_device__(self):
            return self.t.__dlpack_device__()

    s = Spy(tb.from_numpy(sample(np.int64)))
    assert np.from_dlpack(s).tolist() == sample(np.int64).tolist()
    assert s.kw["max_version"][0] == 1  # NumPy asks for a versioned capsule and we give one
    tb.from_dlpack(s, copy=True)
    assert s.kw == {"max_version": (1, 3), "copy": True}
