"""NumPy 2 protocols on tensors: the buffer protocol, __array_interface__, __array__ with NumPy 2
copy semantics, __array_wrap__, bfloat16 through ml_dtypes, and read-only data."""

import gc
import subprocess
import sys
import textwrap
import threading
import warnings

import numpy as np
import pytest

import tensorbridge as tb

pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")

NP_DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.uint16, np.uint32,
             np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128]


def sample(npdt, shape=(3, 4)):
    n = int(np.prod(shape))
    return (np.arange(n) % 7 + 1).astype(npdt).reshape(shape)


VIEWS = {
    "contiguous": lambda a: a,
    "sliced": lambda a: a[1:, ::2],
    "transposed": lambda a: a.T,
    "negative": lambda a: a[::-1, ::-3],
    "zero_d": lambda a: a[1, 2, ...],
    "empty": lambda a: a[:, :0],
    "broadcast": lambda a: np.broadcast_to(a[:1], (5, a.shape[1])),
}


# ---- buffer protocol ----------------------------------------------------------------------------

@pytest.mark.parametrize("npdt", NP_DTYPES)
def test_memoryview_format_matches_numpy(npdt):
    a = sample(npdt)
    m, ref = memoryview(tb.from_numpy(a)), memoryview(a)
    assert (m.format, m.itemsize, m.shape, m.strides, m.readonly) == \
        (ref.format, ref.itemsize, ref.shape, ref.strides, ref.readonly)
    assert m.nbytes == a.nbytes


def test_format_codes():
    want = {"bool": "?", "uint8": "B", "int8": "b", "int16": "h", "uint16": "H", "int32": "i",
            "uint32": "I", "int64": "l", "uint64": "L", "float16": "e", "float32": "f",
            "float64": "d", "complex64": "Zf", "complex128": "Zd"}
    for name, fmt in want.items():
        assert memoryview(tb.zeros(2, dtype=getattr(tb, name))).format == fmt
    assert np.asarray(memoryview(tb.tensor([1.5, -2.0], dtype=tb.float16))).tolist() == [1.5, -2.0]


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("npdt", NP_DTYPES)
def test_buffer_shares_memory(npdt, view):
    base = sample(npdt, (4, 6))
    v = VIEWS[view](base)
    t = tb.from_numpy(v)
    m = memoryview(t)
    assert m.shape == v.shape and m.strides == v.strides
    b = np.asarray(m)
    np.testing.assert_array_equal(b, v)
    if v.size and v.flags.writeable:
        b[...] = np.zeros((), npdt)
        assert not v.any() and not base[np.nonzero(np.ones_like(base))].all()


def test_buffer_read_only():
    a = sample(np.float32)
    a.flags.writeable = False
    t = tb.from_numpy(a)
    assert memoryview(t).readonly
    b = np.asarray(t)
    assert not b.flags.writeable and np.shares_memory(a, b)
    import ctypes
    with pytest.raises(TypeError):  # ctypes asks for a writable buffer
        (ctypes.c_char * a.nbytes).from_buffer(t)


def test_buffer_contiguity_requests():
    a = sample(np.int32, (4, 6))
    t = tb.from_numpy(a)
    assert bytes(t) == a.tobytes()
    import array
    out = array.array("b")
    out.frombytes(t)  # a PyBUF_SIMPLE request works on C-contiguous data
    assert out.tobytes() == a.tobytes()
    with pytest.raises(BufferError, match="contiguous"):
        array.array("b").frombytes(tb.from_numpy(a[:, ::2]))
    assert bytes(tb.from_numpy(a[:, ::2])) == a[:, ::2].tobytes()  # strided request + copy


def test_buffer_refusals():
    t = tb.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="requires grad"):
        memoryview(t)
    with pytest.raises(BufferError, match="bfloat16"):
        memoryview(tb.zeros(2, dtype=tb.bfloat16))


def test_buffer_keeps_storage_alive():
    t = tb.from_numpy(sample(np.float64))
    m = memoryview(t)
    a = np.asarray(m)
    del t
    gc.collect()
    assert a.tolist() == sample(np.float64).tolist()
    m.release()


# ---- __array_interface__ ------------------------------------------------------------------------

class Holder:
    """Exposes only someone else's __array_interface__ (as third-party consumers read it)."""

    def __init__(self, iface, owner):
        self.__array_interface__ = iface
        self.owner = owner


@pytest.mark.parametrize("npdt", NP_DTYPES)
def test_array_interface(npdt):
    base = sample(npdt, (4, 6))
    for select in VIEWS.values():
        v = select(base)
        t = tb.from_numpy(v)
        iface = t.__array_interface__
        assert iface["version"] == 3 and iface["typestr"] == v.dtype.str
        assert iface["shape"] == v.shape and iface["data"] == (t.data_ptr(), not v.flags.writeable)
        if t.is_contiguous():
            assert iface["strides"] is None
        else:
            assert iface["strides"] == v.strides
        b = np.asarray(Holder(iface, t))
        np.testing.assert_array_equal(b, v)
        if v.size:
            assert np.shares_memory(b, base)


def test_array_interface_refusals():
    t = tb.ones(2, requires_grad=True)
    with pytest.raises(AttributeError, match="requires grad"):
        t.__array_interface__
    assert not hasattr(t, "__array_interface__")  # hasattr() checks stay safe
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(t)  # NumPy falls through to __array__, which refuses like numpy()
    assert not hasattr(tb.zeros(2, dtype=tb.bfloat16), "__array_interface__")


# ---- np.asarray / np.array / __array__ ----------------------------------------------------------

@pytest.mark.parametrize("npdt", NP_DTYPES)
def test_asarray_is_zero_copy(npdt):
    base = sample(npdt, (4, 6))
    for select in VIEWS.values():
        v = select(base)
        t = tb.from_numpy(v)
        b = np.asarray(t)
        assert b.dtype == v.dtype and b.strides == v.strides
        np.testing.assert_array_equal(b, v)
        if v.size:
            assert np.shares_memory(b, base)
        c = np.array(t)
        np.testing.assert_array_equal(c, v)
        assert not np.shares_memory(c, base) and c.flags.writeable


def test_numpy_copy_keyword_semantics():
    a = sample(np.float32)
    t = tb.from_numpy(a)
    assert np.shares_memory(np.asarray(t, copy=False), a)
    assert np.shares_memory(np.array(t, copy=False), a)
    assert np.shares_memory(np.asarray(t, dtype=np.float32), a)
    assert not np.shares_memory(np.asarray(t, copy=True), a)
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    with pytest.raises(ValueError, match="copy"):
        np.asarray(t, dtype=np.float64, copy=False)


def test_array_dunder_direct():
    a = sample(np.int32)
    t = tb.from_numpy(a)
    assert np.shares_memory(t.__array__(), a)
    assert np.shares_memory(t.__array__(copy=False), a)
    assert np.shares_memory(t.__array__(np.int32, copy=False), a)
    assert not np.shares_memory(t.__array__(copy=True), a)
    c = t.__array__(np.float64)
    assert c.dtype == np.float64 and c.tolist() == a.tolist()
    with pytest.raises(ValueError, match="Unable to avoid copy"):
        t.__array__(np.float64, copy=False)
    # a read-only tensor: views stay read-only, copies are writable
    r = a.copy()
    r.flags.writeable = False
    rt = tb.from_numpy(r)
    assert not rt.__array__().flags.writeable
    assert rt.__array__(copy=True).flags.writeable


def test_no_deprecation_warnings_anywhere():
    t = tb.from_numpy(sample(np.float64))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.array(t)
        np.array(t, copy=True)
        np.asarray(t, copy=False)
        np.asarray(t, dtype=np.float32)
        np.array([t, t])
        np.concatenate([t, t])
        t.__array_wrap__(np.ones(2), None, False)
        np.asarray(tb.zeros(2, dtype=tb.bfloat16))


def test_requires_grad_refused_like_torch(torch):
    for fn in (np.asarray, np.array):
        with pytest.raises(RuntimeError) as ours:
            fn(tb.ones(2, requires_grad=True))
        with pytest.raises(RuntimeError) as theirs, warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # torch's __array__ lacks copy=
            fn(torch.ones(2, requires_grad=True))
        assert str(ours.value) == str(theirs.value)


def test_array_wrap():
    t = tb.zeros(2)
    r = t.__array_wrap__(np.array([True, False]), None, False)
    assert isinstance(r, tb.Tensor) and r.dtype == tb.uint8 and r.tolist() == [1, 0]  # torch's rule
    x = np.arange(3.0)
    r = t.__array_wrap__(x)
    assert r.dtype == tb.float64 and r.data_ptr() == x.ctypes.data
    r = t.__array_wrap__(np.float64(2.0) * np.ones(()), None, True)
    assert isinstance(r, tb.Tensor) and r.dim() == 0  # torch: a 0-d tensor, not a scalar
    assert t.__array_wrap__(np.arange(3, dtype=">i4")).tolist() == [0, 1, 2]


def test_ufunc_on_tensor_has_no_deprecation_warning():
    t = tb.from_numpy(np.linspace(0, 1, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        r = np.sin(t)
    np.testing.assert_allclose(np.asarray(r), np.sin(np.linspace(0, 1, 5)))


# ---- bfloat16 via ml_dtypes ---------------------------------------------------------------------

def test_bfloat16_numpy_roundtrip_zero_copy(torch):
    ml_dtypes = pytest.importorskip("ml_dtypes")
    src = np.array([1.0, -2.5, 3.25, 1e30], dtype=ml_dtypes.bfloat16)
    t = tb.from_numpy(src)
    assert t.dtype == tb.bfloat16 and t.data_ptr() == src.ctypes.data
    assert t.tolist() == torch.tensor(src.astype(np.float32).tolist(), dtype=torch.bfloat16).tolist()
    a = t.numpy()
    assert a.dtype == ml_dtypes.bfloat16 and np.shares_memory(a, src)
    for b in (np.asarray(t), t.__array__(), np.array(t, copy=False)):
        assert b.dtype == ml_dtypes.bfloat16 and np.shares_memory(b, src)
    c = np.array(t)
    assert c.dtype == ml_dtypes.bfloat16 and not np.shares_memory(c, src)
    assert np.asarray(t, dtype=np.float32).tolist() == [1.0, -2.5, 3.25, src[3].astype(np.float32)]
    # non-contiguous and read-only
    v = tb.from_numpy(src[::-2])
    assert v.numpy().tolist() == src[::-2].tolist()
    r = src.copy()
    r.flags.writeable = False
    assert not tb.from_numpy(r).numpy().flags.writeable
    # bit-exact against torch through DLPack
    x = torch.from_dlpack(t)
    assert x.dtype == torch.bfloat16 and x.view(torch.int16).tolist() == src.view(np.int16).tolist()


def test_bfloat16_without_ml_dtypes_names_it():
    code = textwrap.dedent("""
        import sys
        sys.modules["ml_dtypes"] = None  # import fails
        import tensorbridge as tb, numpy as np
        t = tb.zeros(2, dtype=tb.bfloat16)
        for f in (lambda: t.numpy(), lambda: np.asarray(t), lambda: t.__array__()):
            try:
                f()
            except TypeError as e:
                assert "ml_dtypes" in str(e) and "BFloat16" in str(e), e
            else:
                raise AssertionError("no TypeError")
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


# ---- read-only data -----------------------------------------------------------------------------

def test_read_only_everywhere():
    a = sample(np.float32)
    a.flags.writeable = False
    t = tb.from_numpy(a)
    assert t.is_readonly and not t.numpy().flags.writeable
    if hasattr(t, "add_"):  # in-place ops refuse read-only data, naming the remedy
        for ro in (t, tb.from_dlpack(a), tb.asarray(a), tb.from_dlpack(a.__dlpack__(max_version=(1, 0)))):
            with pytest.raises(RuntimeError, match="clone"):
                ro.add_(1)
        assert a.tolist() == sample(np.float32).tolist()
    assert not np.asarray(t).flags.writeable
    assert not np.from_dlpack(t).flags.writeable
    assert tb.as_tensor(a).is_readonly and tb.asarray(a).is_readonly
    for copy in (tb.asarray(a, copy=True), t.clone(), tb.from_dlpack(a, copy=True),
                 tb.as_tensor(a, dtype=tb.float64)):
        assert not copy.is_readonly and copy.numpy().flags.writeable
    assert not tb.from_numpy(sample(np.float32)).is_readonly


# ---- lifetimes ----------------------------------------------------------------------------------

def test_release_from_another_thread():
    a = sample(np.float64, (100,))
    base = sys.getrefcount(a)
    holders = [tb.from_numpy(a), tb.from_dlpack(a.__dlpack__(max_version=(1, 0))),
               memoryview(tb.from_numpy(a)), np.asarray(tb.from_numpy(a))]
    assert sys.getrefcount(a) > base

    def drop():
        holders.clear()
        gc.collect()

    th = threading.Thread(target=drop)
    th.start()
    th.join()
    assert sys.getrefcount(a) == base


def test_exports_keep_memory_alive():
    def make():
        return tb.from_numpy(np.arange(1000.0))

    exports = [np.asarray(make()), np.from_dlpack(make()), make().numpy(), memoryview(make())]
    gc.collect()
    for e in exports:
        assert np.asarray(e).tolist() == list(np.arange(1000.0))


def test_many_dimensions_every_path():
    import pickle
    a = np.arange(2**10, dtype=np.int16).reshape((2,) * 10)[::-1, ..., ::2]
    t = tb.from_numpy(a)
    assert memoryview(t).ndim == 10
    for out in (np.asarray(t), np.from_dlpack(t), pickle.loads(pickle.dumps(t, protocol=5)).numpy(),
                tb.from_dlpack(a.__dlpack__()).numpy(), np.asarray(memoryview(t))):
        np.testing.assert_array_equal(out, a)


def test_interpreter_exit_with_live_imports():
    """Tensors over foreign memory that are still alive at exit must not crash finalisation."""
    code = textwrap.dedent("""
        import pickle, threading
        import numpy as np, tensorbridge as tb
        a = np.arange(10.0)
        keep = [tb.from_numpy(a), tb.from_dlpack(a.__dlpack__(max_version=(1, 0))),
                tb.asarray(bytearray(16)), memoryview(tb.from_numpy(a)), np.asarray(tb.from_numpy(a))]
        bufs = []
        keep.append(pickle.loads(pickle.dumps(tb.from_numpy(a), protocol=5,
                                              buffer_callback=bufs.append), buffers=bufs))
        t = threading.Thread(target=lambda: keep.append(tb.from_numpy(np.ones(3))), daemon=True)
        t.start(); t.join()
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
