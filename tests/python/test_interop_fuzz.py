"""Fuzz: 10^4 random arrays (dtype x shape x strides x flags) through every import path and back,
checking values, memory sharing, read-only flags and reference counts (no leak).

TB_FUZZ_N overrides the number of arrays (default 10000; the run takes a few seconds).
"""

import os
import pickle
import sys

import numpy as np
import pytest

import tensorbridge as tb

pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning")

N = int(os.environ.get("TB_FUZZ_N", "10000"))

DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.uint16, np.uint32,
          np.uint64, np.float16, np.float32, np.float64, np.complex64, np.complex128]
try:
    import ml_dtypes

    DTYPES.append(ml_dtypes.bfloat16)
except ImportError:  # optional dependency
    ml_dtypes = None


def random_array(rng):
    """A random view: dtype, 0-4 dims of size 0-4, random steps (negative too), transposes,
    broadcasting and the writeable flag."""
    dt = np.dtype(DTYPES[rng.integers(len(DTYPES))])
    nd = int(rng.integers(0, 5))
    shape = [int(rng.choice([0, 1, 2, 3, 4], p=[0.05, 0.2, 0.25, 0.25, 0.25])) for _ in range(nd)]
    steps = [int(rng.choice([1, 1, 2, 3, -1, -2])) for _ in range(nd)]
    big = [max(1, s * abs(st)) for s, st in zip(shape, steps)]
    base = (rng.integers(-50, 50, size=big) if nd else rng.integers(-50, 50, size=())).astype(dt)
    if dt.kind == "c":
        base = base + 1j * rng.integers(-5, 5, size=base.shape).astype(dt)
    idx = tuple(slice(None, s * abs(st) if st > 0 else None, st) if st > 0 else
                slice(s * abs(st) - 1 if s else None, None if s else 0, st)
                for s, st in zip(shape, steps))
    view = base[idx] if nd else base[...]
    if nd > 1 and rng.random() < 0.3:
        view = view.transpose(rng.permutation(nd))
    if nd and rng.random() < 0.1:
        view = np.broadcast_to(view[:1], (3,) + view.shape[1:]) if view.shape[0] else view
    if view.flags.writeable and rng.random() < 0.25:
        view.flags.writeable = False
    return view


def same(x, a):
    x = np.asarray(x)
    return x.dtype == a.dtype and x.shape == a.shape and np.array_equal(x, a)


def check_import(t, a, shares):
    assert t.shape == a.shape, (t.shape, a.shape)
    assert same(t.numpy(), a)
    if shares and a.size:
        assert t.data_ptr() == a.ctypes.data
        assert t.is_readonly == (not a.flags.writeable)


def check_exports(t, a):
    """Every export path gives the same values; views share the tensor's memory."""
    outs = [t.numpy(), np.asarray(t), np.from_dlpack(t) if t.dtype != tb.bfloat16 else t.numpy()]
    if t.dtype != tb.bfloat16:
        outs.append(np.asarray(memoryview(t)))
    for o in outs:
        assert same(o, a)
        if a.size:
            assert o.ctypes.data == t.data_ptr()
            assert o.flags.writeable == (not t.is_readonly)
    for proto in (2, 5):
        u = pickle.loads(pickle.dumps(t, protocol=proto))
        assert same(u.numpy(), a) and u.stride() == t.stride()
    bufs = []
    payload = pickle.dumps(t, protocol=5, buffer_callback=bufs.append)
    u = pickle.loads(payload, buffers=bufs)
    assert same(u.numpy(), a) and (not a.size or u.data_ptr() == t.data_ptr())


def check_byteswapped(a):
    """Non-native byte order: aliasing paths refuse like torch, copying paths byte-swap."""
    b = a.astype(a.dtype.newbyteorder())
    before = sys.getrefcount(b)
    with pytest.raises(ValueError, match="byte order"):
        tb.from_numpy(b)
    with pytest.raises(ValueError, match="byte order"):
        tb.asarray(b, copy=False)
    for t in (tb.asarray(b), tb.asarray(b, copy=True), tb.as_tensor(b, dtype=tb.from_numpy(a).dtype)):
        assert same(t.numpy(), a) and not t.is_readonly
    del t
    assert sys.getrefcount(b) == before


def test_fuzz_every_path(torch):
    rng = np.random.default_rng(20261127)
    counted = 0
    for i in range(N):
        a = random_array(rng)
        if a.dtype.itemsize > 1 and rng.random() < 0.05:
            check_byteswapped(a)
            continue
        before = sys.getrefcount(a)
        bf16 = ml_dtypes is not None and a.dtype == ml_dtypes.bfloat16
        tensors = [
            (tb.from_numpy(a), True),
            (tb.from_dlpack(a), True),
            (tb.as_tensor(a), True),
            (tb.asarray(a), True),
            (tb.asarray(a, copy=True), False),
        ]
        if not bf16:  # NumPy has no DLPack type for ml_dtypes.bfloat16
            tensors.append((tb.from_dlpack(a.__dlpack__(max_version=(1, 0))), True))
            if a.flags.writeable:  # NumPy refuses legacy export of read-only arrays
                tensors.append((tb.from_dlpack(a.__dlpack__()), True))
        for made, shares in tensors:
            check_import(made, a, shares)
        del made
        check_exports(tensors[0][0], a)
        # torch as a consumer and producer (torch aborts on negative strides: skip those)
        if i % 8 == 0 and all(s >= 0 for s in a.strides) and a.flags.writeable:
            t = tensors[0][0]
            x = torch.from_dlpack(t)
            assert list(x.shape) == list(a.shape)
            if not bf16:
                assert same(x.numpy(), a)
            y = tb.from_dlpack(x)
            assert same(y.numpy(), a) and (not a.size or y.data_ptr() == a.ctypes.data)
            del x, y, t
        counted += len(tensors)
        del tensors
        assert sys.getrefcount(a) == before, f"leak on {a.dtype} {a.shape} {a.strides}"
    assert counted >= 5 * N
