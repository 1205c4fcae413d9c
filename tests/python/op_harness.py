"""Differential harness shared by the op tests: run the same op in tensorbridge and torch, compare.

Stable interface (other test files import these names):

    check_op(tb_fn, torch_fn, *inputs, rtol=None, atol=None, check_dtype=True,
             check_stride=False, exact=None, equal_nan=True)
        Converts each input for both libraries, calls ``tb_fn(*tb_inputs)`` and
        ``torch_fn(*torch_inputs)`` and compares the results: type of result (tensor, number,
        bool, tuple/list/named tuple recursively), dtype name, shape, values (exact for
        bool/integer dtypes, tolerance for floating/complex), or, when torch raises, that
        tensorbridge raises the same kind of exception (IndexError, ValueError, TypeError,
        NotImplementedError or RuntimeError). Returns the tensorbridge result (or the exception).

    Input conversion: a numpy ndarray becomes ``tb.from_numpy(a)`` (zero-copy, any strides,
    negative ones included) and ``torch.from_numpy(a.copy())``; wrap it in ``Raw(a)`` to pass the
    ndarray itself to both; ``Dt("float32")`` becomes ``tb.float32`` / ``torch.float32``;
    lists and tuples are converted element-wise; anything else (Python and NumPy scalars, None,
    strings, slices) is passed unchanged.

    tolerances(dtype_name) -> (rtol, atol), the defaults check_op uses.
    same_outcome(tb_fn, torch_fn)  check_op on thunks; if torch raises, the same message too.

Hypothesis strategies (hypothesis.strategies based):
    arrays(dtype, shape, elements=None, layout=None)  ndarray with a random memory layout:
        "contiguous", "transposed", "strided" (every other element), "reversed" (negative
        strides) or "broadcast" (a stride-0 view) -- layout=None draws one.
    dtypes(kind)        one of the NumPy dtype names of a kind: "bool", "int", "uint", "float",
                        "complex", "all", "real", "numeric" (no bool)
    shapes(...)         hypothesis.extra.numpy.array_shapes with small defaults
    broadcast_pair(...) two mutually broadcastable shapes
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tensorbridge as tb

__all__ = [
    "Raw", "Dt", "check_op", "tolerances", "to_numpy", "arrays", "dtypes", "shapes",
    "broadcast_pair", "DTYPE_KINDS", "elements_for", "same_outcome",
]


class Raw:
    """Passes the wrapped object (e.g. an ndarray) unchanged to both libraries."""

    def __init__(self, obj):
        self.obj = obj


class Dt:
    """A dtype by name ("float32"): becomes tb.<name> and torch.<name>."""

    def __init__(self, name: str):
        self.name = name


_EXC_KINDS = (IndexError, ValueError, TypeError, NotImplementedError, RuntimeError)


def tolerances(dtype_name: str) -> tuple[float, float]:
    """Default (rtol, atol) for comparing values of a dtype (torch.testing's defaults)."""
    return {
        "float16": (1e-3, 1e-5),
        "bfloat16": (1.6e-2, 1e-5),
        "float32": (1.3e-6, 1e-5),
        "float64": (1e-7, 1e-7),
        "complex64": (1.3e-6, 1e-5),
        "complex128": (1e-7, 1e-7),
    }.get(dtype_name, (0.0, 0.0))


def _dtype_name(dt) -> str:
    return str(dt).split(".")[-1]


def _convert(x, torch, side: str):
    if isinstance(x, Raw):
        return x.obj
    if isinstance(x, Dt):
        return getattr(tb if side == "tb" else torch, x.name)
    if isinstance(x, np.ndarray):
        if side == "tb":
            return tb.from_numpy(x)
        return torch.from_numpy(np.array(x, copy=True, order="C"))
    if isinstance(x, (list, tuple)) and not hasattr(x, "_fields"):
        return type(x)(_convert(v, torch, side) for v in x)
    return x


def to_numpy(t) -> np.ndarray:
    """Values of a tensorbridge or torch tensor as an ndarray (bfloat16 as float32)."""
    if isinstance(t, tb.Tensor):
        if _dtype_name(t.dtype) == "bfloat16":
            return np.array(t.tolist(), dtype=np.float32).reshape(tuple(t.shape))
        return np.array(t.numpy(), copy=True)
    t = t.detach()
    if _dtype_name(t.dtype) == "bfloat16":
        t = t.float()
    return t.numpy().copy()


def _compare(r_tb, r_torch, torch, path: str, opts: dict) -> None:
    if isinstance(r_torch, torch.Tensor):
        assert isinstance(r_tb, tb.Tensor), f"{path}: expected a Tensor, got {type(r_tb).__name__}"
        dn_torch, dn_tb = _dtype_name(r_torch.dtype), _dtype_name(r_tb.dtype)
        if opts["check_dtype"]:
            assert dn_tb == dn_torch, f"{path}: dtype {dn_tb} != torch {dn_torch}"
        assert tuple(r_tb.shape) == tuple(r_torch.shape), (
            f"{path}: shape {tuple(r_tb.shape)} != torch {tuple(r_torch.shape)}")
        if opts["check_stride"]:
            assert tuple(r_tb.stride()) == tuple(r_torch.stride()), (
                f"{path}: strides {r_tb.stride()} != torch {r_torch.stride()}")
        a, b = to_numpy(r_tb), to_numpy(r_torch)
        _compare_values(a, b, dn_torch, path, opts)
        return
    if isinstance(r_torch, (tuple, list)):
        assert isinstance(r_tb, (tuple, list)), f"{path}: expected a sequence, got {type(r_tb).__name__}"
        assert len(r_tb) == len(r_torch), f"{path}: length {len(r_tb)} != torch {len(r_torch)}"
        for f in getattr(r_torch, "_fields", ()) or ():
            assert hasattr(r_tb, f), f"{path}: result has no field {f!r}"
        for i, (x, y) in enumerate(zip(r_tb, r_torch)):
            _compare(x, y, torch, f"{path}[{i}]", opts)
        return
    if isinstance(r_torch, torch.Size):
        assert tuple(r_tb) == tuple(r_torch), f"{path}: {tuple(r_tb)} != torch {tuple(r_torch)}"
        return
    # Python values (bool, int, float, complex, None, torch.dtype ...)
    if hasattr(r_torch, "is_floating_point") and not isinstance(r_torch, (bool, int, float)):
        assert _dtype_name(r_tb) == _dtype_name(r_torch), f"{path}: {r_tb} != torch {r_torch}"
        return
    assert type(r_tb) is type(r_torch), (
        f"{path}: result type {type(r_tb).__name__} != torch {type(r_torch).__name__}")
    if isinstance(r_torch, (float, complex)):
        rtol = opts["rtol"] if opts["rtol"] is not None else 1e-7
        atol = opts["atol"] if opts["atol"] is not None else 1e-7
        ok = (r_tb == r_torch or (opts["equal_nan"] and _isnan(r_tb) and _isnan(r_torch))
              or abs(r_tb - r_torch) <= atol + rtol * abs(r_torch))
        assert ok, f"{path}: {r_tb!r} != torch {r_torch!r}"
    else:
        assert r_tb == r_torch, f"{path}: {r_tb!r} != torch {r_torch!r}"


def _isnan(v) -> bool:
    return math.isnan(v.real) or math.isnan(v.imag) if isinstance(v, complex) else math.isnan(v)


def _compare_values(a: np.ndarray, b: np.ndarray, dtype_name: str, path: str, opts: dict) -> None:
    exact = opts["exact"]
    if exact is None:
        exact = dtype_name not in ("float16", "bfloat16", "float32", "float64", "complex64", "complex128")
    if exact:
        same = (a == b)
        if opts["equal_nan"] and a.dtype.kind in "fc":
            same |= np.isnan(a) & np.isnan(b)
        assert np.all(same), f"{path}: values differ\n tb:    {a!r}\n torch: {b!r}"
        return
    # explicit tolerances loosen the dtype's defaults, never tighten them
    rtol, atol = tolerances(dtype_name)
    rtol = max(opts["rtol"], rtol) if opts["rtol"] is not None else rtol
    atol = max(opts["atol"], atol) if opts["atol"] is not None else atol
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=opts["equal_nan"],
                               err_msg=f"{path}: values differ")


def check_op(tb_fn: Callable, torch_fn: Callable, *inputs: Any, rtol: Optional[float] = None,
             atol: Optional[float] = None, check_dtype: bool = True, check_stride: bool = False,
             exact: Optional[bool] = None, equal_nan: bool = True):
    """Runs tb_fn and torch_fn on converted copies of inputs and asserts the results agree.

    See the module docstring for conversion and comparison rules. The torch module is imported
    here (tests take the ``torch`` fixture so that a missing torch skips or fails properly).
    """
    import torch

    opts = dict(rtol=rtol, atol=atol, check_dtype=check_dtype, check_stride=check_stride,
                exact=exact, equal_nan=equal_nan)
    torch_inputs = [_convert(x, torch, "torch") for x in inputs]
    tb_inputs = [_convert(x, torch, "tb") for x in inputs]
    try:
        expected = torch_fn(*torch_inputs)
    except _EXC_KINDS as e_torch:
        kind = next(k for k in _EXC_KINDS if isinstance(e_torch, k))
        try:
            got = tb_fn(*tb_inputs)
        except _EXC_KINDS as e_tb:
            assert isinstance(e_tb, kind), (
                f"torch raised {type(e_torch).__name__}({e_torch}) but tensorbridge raised "
                f"{type(e_tb).__name__}({e_tb})")
            return e_tb
        raise AssertionError(f"torch raised {type(e_torch).__name__}({e_torch}) but tensorbridge "
                             f"returned {got!r}") from None
    got = tb_fn(*tb_inputs)
    _compare(got, expected, torch, "result", opts)
    return got


def same_outcome(tb_fn: Callable, torch_fn: Callable):
    """check_op on two thunks; when torch raises, tensorbridge's message must be the same text."""
    import torch  # noqa: F401  (check_op needs it importable)

    r = check_op(tb_fn, torch_fn)
    try:
        torch_fn()
    except _EXC_KINDS as e:
        assert str(r) == str(e), f"tensorbridge: {r!r}\ntorch:       {e!r}"
    return r


# ---- hypothesis strategies ----------------------------------------------------------------------

DTYPE_KINDS = {
    "bool": ["bool"],
    "int": ["int8", "int16", "int32", "int64"],
    "uint": ["uint8"],
    "float": ["float16", "float32", "float64"],
    "complex": ["complex64", "complex128"],
}
DTYPE_KINDS["real"] = DTYPE_KINDS["bool"] + DTYPE_KINDS["uint"] + DTYPE_KINDS["int"] + DTYPE_KINDS["float"]
DTYPE_KINDS["numeric"] = DTYPE_KINDS["uint"] + DTYPE_KINDS["int"] + DTYPE_KINDS["float"] + DTYPE_KINDS["complex"]
DTYPE_KINDS["all"] = DTYPE_KINDS["bool"] + DTYPE_KINDS["numeric"]


def dtypes(kind: str = "all"):
    """Strategy: a NumPy dtype name of the given kind (see DTYPE_KINDS)."""
    return st.sampled_from(DTYPE_KINDS[kind])


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 0, max_side: int = 4):
    """Strategy: a small shape tuple."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcast_pair(min_dims: int = 0, max_dims: int = 3, max_side: int = 4):
    """Strategy: two mutually broadcastable shapes (a, b)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=min_dims, max_dims=max_dims,
                                             min_side=0, max_side=max_side).map(lambda r: r.input_shapes)


def elements_for(dtype: str, finite: bool = True, small: bool = False):
    """Strategy for the element values of a dtype: finite floats by default, small ints if asked."""
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return st.booleans()
    if dt.kind in "iu":
        info = np.iinfo(dt)
        lo, hi = (max(info.min, -8), min(info.max, 8)) if small else (info.min, info.max)
        return st.integers(lo, hi)
    width = dt.itemsize * 8 if dt.kind == "f" else dt.itemsize * 4
    bound = 8.0 if small else (1e4 if width == 16 else 1e6)
    fl = st.floats(-bound, bound, width=width, allow_nan=False, allow_infinity=False)
    if not finite:
        fl = st.one_of(fl, st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0]))
    if dt.kind == "c":
        return st.builds(complex, fl, fl)
    return fl


@st.composite
def arrays(draw, dtype, shape, elements=None, layout=None):
    """Strategy: an ndarray of `dtype` and `shape` whose memory layout is drawn (see module doc)."""
    dtype = draw(dtype) if isinstance(dtype, st.SearchStrategy) else dtype
    shape = tuple(draw(shape) if isinstance(shape, st.SearchStrategy) else shape)
    elements = elements if elements is not None else elements_for(dtype)
    layouts = ["contiguous", "transposed", "strided", "reversed", "broadcast"]
    layout = layout or draw(st.sampled_from(layouts))
    if layout == "transposed" and len(shape) >= 2:
        base = draw(hnp.arrays(dtype, shape[::-1], elements=elements))
        return base.T
    if layout == "strided" and len(shape) >= 1:
        big = shape[:-1] + (shape[-1] * 2,)
        base = draw(hnp.arrays(dtype, big, elements=elements))
        return base[..., ::2]
    if layout == "reversed" and len(shape) >= 1:
        base = draw(hnp.arrays(dtype, shape, elements=elements))
        return base[tuple(slice(None, None, -1) for _ in shape)]
    if layout == "broadcast" and len(shape) >= 1 and shape[0] > 1:
        row = draw(hnp.arrays(dtype, (1,) + shape[1:], elements=elements))
        return np.broadcast_to(row, shape)
    return draw(hnp.arrays(dtype, shape, elements=elements))
