"""Differential printing test: random tensors and print options, tensorbridge vs torch, same text.

Values are generated with NumPy from a hypothesis-drawn seed and recipe (whole tensors of a few
thousand elements are too slow to draw element by element); both libraries then view the SAME
array (``from_numpy``, strides kept), so the texts must match byte for byte after
``torch.`` -> ``tensorbridge.``.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tensorbridge as tb

# name -> numpy dtype ("bfloat16" is made from float32 data)
DTYPES = [
    "bool", "uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64",
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
]
FLOATS = {"float16", "bfloat16", "float32", "float64", "complex64", "complex128"}

TRICKY = np.array([
    1.0, 1000.0, 1001.0, 1.5, 1500.0, 1501.5, 1e-4, 9.9999e-5, 1.0001e-4, 1e8, 1e8 + 8, 99999999.0,
    0.5, 2.5, 0.125, 0.00015, 0.00025, 999.99999, 9.99995, 0.99995, 1e-3, 1e3, 123456.7, 65504.0,
])

MAX_EXAMPLES = 2000 if os.environ.get("CI") else 300


@st.composite
def print_options(draw):
    """A print-option dict for set_printoptions (profile applied first, then the rest)."""
    opts = {}
    if draw(st.booleans()):
        opts["profile"] = draw(st.sampled_from(["default", "short", "full"]))
    if draw(st.booleans()):
        opts["precision"] = draw(st.integers(0, 20))
    if draw(st.booleans()):
        opts["edgeitems"] = draw(st.integers(0, 5))
    if draw(st.booleans()):
        opts["linewidth"] = draw(st.integers(-5, 160))
    if draw(st.booleans()):
        opts["threshold"] = draw(
            st.one_of(st.integers(-2, 3000), st.sampled_from([float("inf"), 7.5])))
    opts["sci_mode"] = draw(st.sampled_from([None, None, True, False]))
    return opts


@st.composite
def shapes(draw):
    """Rank 0..4, sizes 0..40, at most ~2500 elements (so threshold 1000 is crossed both ways)."""
    rank = draw(st.integers(0, 4))
    limit = [1, 2500, 60, 14, 7][rank]
    dims = draw(st.lists(st.integers(0, limit), min_size=rank, max_size=rank))
    while int(np.prod(dims, dtype=np.int64)) > 2500:
        dims[dims.index(max(dims))] //= 2
    return tuple(dims)


def real_values(rng, n, recipe):
    """float64 data for one recipe: magnitudes 1e-10..1e12, integers, nan/inf/-0.0 mixed in."""
    kind, lo, hi, special = recipe
    if kind == "tricky":  # the strict boundaries of the notation choice and rounding ties
        pool = rng.choice(TRICKY, size=rng.integers(1, 4))  # few values: boundaries get hit
        v = rng.choice(pool, size=n) * rng.choice([-1.0, 1.0], size=n)
    elif kind == "int":
        v = rng.integers(-(10 ** hi), 10 ** hi + 1, size=n).astype(np.float64)
    else:
        v = rng.choice([-1.0, 1.0], size=n) * 10.0 ** rng.uniform(lo, hi, size=n)
        if kind == "round":  # few significant digits: exercises rounding ties and "1." style
            v = np.round(v, rng.integers(0, 6))
    if special and n:
        k = rng.integers(0, n + 1)
        idx = rng.integers(0, n, size=k)
        v[idx] = rng.choice([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0], size=k)
    return v


@st.composite
def recipes(draw):
    """(kind, lo, hi, special): decimal exponent range lo..hi (int kind: |v| <= 10**hi)."""
    kind = draw(st.sampled_from(["int", "uniform", "round", "tricky"]))
    a, b = draw(st.integers(-10, 12)), draw(st.integers(-10, 12))
    lo, hi = min(a, b), max(a, b)
    if kind == "int":
        hi = max(0, b)
    return kind, lo, hi, draw(st.booleans())


def make_array(rng, dtype, shape, recipe):
    n = int(np.prod(shape, dtype=np.int64))
    if dtype == "bool":
        return rng.integers(0, 2, size=n).astype(bool).reshape(shape)
    if dtype in ("uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64"):
        info = np.iinfo(dtype)
        if recipe[3]:  # full range
            a = rng.integers(info.min, info.max, size=n, dtype=dtype, endpoint=True)
        else:
            span = min(int(info.max), 10 ** max(recipe[2], 1))
            a = rng.integers(max(int(info.min), -span), span, size=n, endpoint=True).astype(dtype)
        return a.reshape(shape)
    with np.errstate(over="ignore", invalid="ignore"):
        if dtype.startswith("complex"):
            a = real_values(rng, n, recipe) + 1j * real_values(rng, n, recipe)
            return a.astype(dtype).reshape(shape)
        np_dtype = "float32" if dtype == "bfloat16" else dtype
        return real_values(rng, n, recipe).astype(np_dtype).reshape(shape)


def pair(torch, a, dtype):
    """The same data as (torch tensor, tensorbridge tensor)."""
    t = torch.from_numpy(a)
    if dtype == "bfloat16":
        t = t.to(torch.bfloat16)
        exact = t.float()  # bfloat16 values are exact in float32
        x = tb.empty(tuple(a.shape), dtype=tb.bfloat16) if a.size == 0 else tb.tensor(
            exact.tolist(), dtype=tb.bfloat16)
        return t, x
    return t, tb.from_numpy(a)


@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    dtype=st.sampled_from(DTYPES),
    shape=shapes(),
    recipe=recipes(),
    seed=st.integers(0, 2**32 - 1),
    opts=print_options(),
    threshold_delta=st.one_of(st.none(), st.integers(-3, 3)),
    view=st.sampled_from(["contiguous", "transpose", "step", "offset"]),
    requires_grad=st.booleans(),
)
def test_repr_matches_torch(torch, dtype, shape, recipe, seed, opts, threshold_delta, view,
                            requires_grad):
    rng = np.random.default_rng(seed)
    a = make_array(rng, dtype, shape, recipe)
    if view == "transpose" and a.ndim >= 2:
        a = a.T
    elif view == "step" and a.ndim >= 1:
        a = a[..., ::2]
    elif view == "offset" and a.ndim >= 1:
        a = a[..., 1:]
    if threshold_delta is not None:  # sizes around the threshold: summarize or not by a hair
        opts = {**opts, "threshold": max(0, a.size + threshold_delta)}
    t, x = pair(torch, a, dtype)
    if requires_grad and dtype in FLOATS:
        t.requires_grad_(True)
        x.requires_grad_(True)
    try:
        torch.set_printoptions(**opts)
        tb.set_printoptions(**opts)
        expected = repr(t).replace("torch.", "tensorbridge.")
        got = repr(x)
    finally:
        torch.set_printoptions(profile="default")
        tb.set_printoptions(profile="default")
    assert got == expected, f"opts={opts}\n--- torch\n{expected}\n--- tensorbridge\n{got}"


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_small(torch, dtype):
    """A fixed small tensor per dtype (the hypothesis test may miss a dtype on an unlucky run)."""
    rng = np.random.default_rng(0)
    a = make_array(rng, dtype, (3, 4), ("round", -2, 3, True))
    t, x = pair(torch, a, dtype)
    assert repr(x) == repr(t).replace("torch.", "tensorbridge.")
