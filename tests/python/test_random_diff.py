"""Differential tests: every sampler against torch's CPU generator, bit for bit.

Each case seeds both libraries alike, runs the same sampler (contiguous and strided outputs,
random seeds, dtypes and sizes around multiples of 16), and compares the values exactly and the
generator state afterwards (get_rng_state bytes, which include the Box-Muller cache).
"""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tensorbridge as tb

FLOATS = ["float32", "float64", "float16", "bfloat16"]
NP_FLOATS = ["float32", "float64", "float16"]  # the ones numpy can hold (strided views via numpy)
INTS = ["int64", "int32", "int16", "int8", "uint8", "bool"]

seeds = st.integers(min_value=0, max_value=2**64 - 1)
sizes = st.one_of(
    st.integers(1, 100),
    st.sampled_from([15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 127, 128, 129, 1000, 4096, 4097]),
)
shapes = st.one_of(
    sizes.map(lambda n: (n,)),
    st.tuples(st.integers(1, 12), st.integers(1, 12)),
    st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5)),
)
layouts = st.sampled_from(["contiguous", "transposed", "strided", "permuted"])


def values(t):
    """Exact comparable form: bit patterns for floats numpy can hold, else the Python values."""
    return t.tolist()


def same_values(a, b, torch):
    """a: tensorbridge tensor, b: torch tensor; exact equality (NaN-aware) and same dtype name."""
    assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
    assert tuple(a.shape) == tuple(b.shape)
    if b.dtype == torch.bfloat16:
        bb = b.view(torch.int16).numpy()
        ab = np.array([np.float32(v) for v in np.ravel(a.tolist())], dtype=np.float32).view(np.uint32) >> 16
        assert np.array_equal(ab.astype(np.uint16), bb.ravel().view(np.uint16))
        return
    an, bn = a.numpy(), b.numpy()
    if an.dtype.kind == "f":
        ui = {2: np.uint16, 4: np.uint32, 8: np.uint64}[an.dtype.itemsize]
        assert np.array_equal(np.ascontiguousarray(an).view(ui), np.ascontiguousarray(bn).view(ui))
    else:
        assert np.array_equal(an, bn)


def same_state(torch):
    assert tb.get_rng_state().numpy().tobytes() == torch.get_rng_state().numpy().tobytes()


def seed_both(torch, seed):
    tb.manual_seed(seed)
    torch.manual_seed(seed)


def make_pair(torch, shape, dtype, layout):
    """The same (possibly strided) view in both libraries, over memory owned by numpy arrays."""
    full = list(shape)
    if layout == "strided":
        full[-1] = 2 * full[-1]
    base = np.zeros(full, dtype=dtype)
    base_t = base.copy()
    if layout == "contiguous":
        va, vb = base, base_t
    elif layout == "transposed":
        va, vb = base.T, base_t.T
    elif layout == "strided":
        va, vb = base[..., ::2], base_t[..., ::2]
    else:  # a permutation that is not a plain reversal where possible
        axes = list(range(base.ndim))
        axes = axes[1:] + axes[:1]
        va, vb = base.transpose(axes), base_t.transpose(axes)
    return tb.from_numpy(va), torch.from_numpy(vb)


def empty_pair(torch, shape, dtype):
    return tb.empty(shape, dtype=getattr(tb, dtype)), torch.empty(shape, dtype=getattr(torch, dtype))


# ---- factories ----------------------------------------------------------------------------------


@given(seed=seeds, shape=shapes, dtype=st.sampled_from(FLOATS))
def test_rand_randn(torch, seed, shape, dtype):
    for name in ("rand", "randn"):
        seed_both(torch, seed)
        a = getattr(tb, name)(*shape, dtype=getattr(tb, dtype))
        b = getattr(torch, name)(*shape, dtype=getattr(torch, dtype))
        same_values(a, b, torch)
        same_state(torch)


@given(seed=seeds, n=sizes, dtype=st.sampled_from(FLOATS))
def test_randn_twice_uses_the_cache(torch, seed, n, dtype):
    seed_both(torch, seed)
    for m in (n, 3, n + 1):
        same_values(tb.randn(m, dtype=getattr(tb, dtype)), torch.randn(m, dtype=getattr(torch, dtype)), torch)
    same_state(torch)


@given(
    seed=seeds,
    shape=shapes,
    dtype=st.sampled_from(INTS + ["float32", "float64", "float16", "bfloat16"]),
    bounds=st.sampled_from([(0, 2), (0, 10), (-5, 5), (3, 100), (0, 2**31 - 1), (0, 2**32), (-(2**40), 2**40)]),
)
def test_randint(torch, seed, shape, dtype, bounds):
    lo, hi = bounds

    def run(m):
        try:
            return m.randint(lo, hi, shape, dtype=getattr(m, dtype)), None
        except Exception as e:  # noqa: BLE001  (compare the failure instead)
            return None, type(e)

    seed_both(torch, seed)
    b, eb = run(torch)
    a, ea = run(tb)
    assert ea == eb
    if b is not None:
        same_values(a, b, torch)
    same_state(torch)


@given(seed=seeds, n=st.one_of(st.integers(0, 300), st.sampled_from([1000, 4096, 100000])),
       dtype=st.sampled_from(["int64", "int32", "float32", "float64"]))
def test_randperm(torch, seed, n, dtype):
    seed_both(torch, seed)
    same_values(tb.randperm(n, dtype=getattr(tb, dtype)), torch.randperm(n, dtype=getattr(torch, dtype)), torch)
    same_state(torch)


# ---- in-place samplers on contiguous and strided outputs -----------------------------------------

SAMPLERS = [
    ("uniform_", ()),
    ("uniform_", (-1 / 3, 1 / 7)),
    ("uniform_", (2.0, 5.5)),
    ("normal_", ()),
    ("normal_", (0.1, 1.7)),
    ("exponential_", (1.5,)),
    ("geometric_", (0.3,)),
    ("cauchy_", (0.5, 2.0)),
    ("log_normal_", (0.2, 0.7)),
    ("bernoulli_", (0.3,)),
    ("random_", ()),
    ("random_", (7,)),
    ("random_", (-3, 12)),
]


@given(seed=seeds, shape=shapes, dtype=st.sampled_from(NP_FLOATS), layout=layouts,
       sampler=st.sampled_from(SAMPLERS))
def test_inplace_samplers_strided(torch, seed, shape, dtype, layout, sampler):
    name, args = sampler
    a, b = make_pair(torch, shape, dtype, layout)
    seed_both(torch, seed)
    getattr(b, name)(*args)
    getattr(a, name)(*args)
    same_values(a, b, torch)
    same_state(torch)


@given(seed=seeds, n=sizes, dtype=st.sampled_from(FLOATS), sampler=st.sampled_from(SAMPLERS))
def test_inplace_samplers_all_float_dtypes(torch, seed, n, dtype, sampler):
    name, args = sampler
    a, b = empty_pair(torch, (n,), dtype)
    seed_both(torch, seed)
    getattr(b, name)(*args)
    getattr(a, name)(*args)
    same_values(a, b, torch)
    same_state(torch)


@given(seed=seeds, shape=shapes, dtype=st.sampled_from(INTS), layout=layouts,
       sampler=st.sampled_from([("random_", ()), ("random_", (2,)), ("random_", (1, 3)), ("bernoulli_", (0.6,)),
                                ("geometric_", (0.2,))]))
def test_inplace_integer_samplers(torch, seed, shape, dtype, layout, sampler):
    name, args = sampler
    if dtype == "bool" and name == "geometric_":
        return
    a, b = make_pair(torch, shape, dtype, layout)
    seed_both(torch, seed)
    eb = ea = None
    try:
        getattr(b, name)(*args)
    except Exception as e:  # noqa: BLE001  (then tensorbridge must fail the same way)
        eb = type(e)
    try:
        getattr(a, name)(*args)
    except Exception as e:  # noqa: BLE001
        ea = type(e)
    assert ea == eb
    same_values(a, b, torch)
    same_state(torch)


# ---- functional forms -----------------------------------------------------------------------------


@given(seed=seeds, shape=shapes, dtype=st.sampled_from(["float32", "float64"]), layout=layouts)
def test_like_factories_keep_strides(torch, seed, shape, dtype, layout):
    a, b = make_pair(torch, shape, dtype, layout)
    for name, extra in (("rand_like", ()), ("randn_like", ()), ("randint_like", (3, 9))):
        seed_both(torch, seed)
        same_values(getattr(tb, name)(a, *extra), getattr(torch, name)(b, *extra), torch)
        same_state(torch)


@given(seed=seeds, shape=shapes, dtype=st.sampled_from(["float32", "float64"]))
def test_normal_overloads(torch, seed, shape, dtype):
    rs = np.random.RandomState(seed % 2**32)
    mean_np = rs.standard_normal(shape).astype(dtype)
    std_np = np.abs(rs.standard_normal(shape)).astype(dtype) + 0.5
    mt, ms = tb.from_numpy(mean_np), tb.from_numpy(std_np)
    tt, ts = torch.from_numpy(mean_np.copy()), torch.from_numpy(std_np.copy())
    cases = [
        (lambda m, x, s: m.normal(x, s)),
        (lambda m, x, s: m.normal(x, 2.5)),
        (lambda m, x, s: m.normal(-1.25, s)),
        (lambda m, x, s: m.normal(0.3, 1.9, shape, dtype=getattr(m, dtype))),
    ]
    for fn in cases:
        seed_both(torch, seed)
        same_values(fn(tb, mt, ms), fn(torch, tt, ts), torch)
        same_state(torch)


@given(seed=seeds, shape=shapes, dtype=st.sampled_from(["float32", "float64", "float16"]), layout=layouts)
def test_bernoulli_tensor_p(torch, seed, shape, dtype, layout):
    rs = np.random.RandomState(seed % 2**32)
    pa, pb = make_pair(torch, shape, dtype, layout)
    p = rs.uniform(size=tuple(pa.shape)).astype(dtype)
    pa.numpy()[...] = p
    pb.numpy()[...] = p
    shape = tuple(pa.shape)
    seed_both(torch, seed)
    same_values(tb.bernoulli(pa), torch.bernoulli(pb), torch)
    same_state(torch)
    seed_both(torch, seed)
    same_values(tb.bernoulli(pa, 0.25), torch.bernoulli(pb, 0.25), torch)
    same_state(torch)
    out_a, out_b = tb.empty(shape), torch.empty(shape)
    seed_both(torch, seed)
    same_values(out_a.bernoulli_(pa), out_b.bernoulli_(pb), torch)
    same_state(torch)


@given(seed=seeds, rows=st.integers(1, 4), cats=st.integers(1, 40), dtype=st.sampled_from(["float32", "float64"]),
       data=st.data())
def test_multinomial(torch, seed, rows, cats, dtype, data):
    rs = np.random.RandomState(seed % 2**32)
    p = (rs.uniform(size=(rows, cats)) + 0.01).astype(dtype)
    replacement = data.draw(st.booleans())
    n = data.draw(st.integers(1, cats if not replacement else 50))
    for pa_np in (p, p[0]):
        seed_both(torch, seed)
        a = tb.multinomial(tb.from_numpy(pa_np), n, replacement)
        b = torch.multinomial(torch.from_numpy(pa_np.copy()), n, replacement)
        same_values(a, b, torch)
        same_state(torch)


@given(seed=seeds, n=sizes)
def test_generator_objects_match_torch(torch, seed, n):
    g, h = tb.Generator(), torch.Generator()
    same_values(tb.randn(n, generator=g), torch.randn(n, generator=h), torch)
    g.manual_seed(seed)
    h.manual_seed(seed)
    same_values(tb.rand(n, generator=g), torch.rand(n, generator=h), torch)
    same_values(tb.randn(n, generator=g), torch.randn(n, generator=h), torch)
    assert g.get_state().numpy().tobytes() == h.get_state().numpy().tobytes()
    assert g.initial_seed() == h.initial_seed()


@settings(max_examples=10)
@given(seed=seeds, n=sizes)
def test_state_exchange_with_torch(torch, seed, n):
    torch.manual_seed(seed)
    torch.randn(n)  # leaves a cached normal for odd small n
    tb.set_rng_state(tb.from_numpy(torch.get_rng_state().numpy()))
    same_values(tb.randn(n), torch.randn(n), torch)
    torch.set_rng_state(torch.from_numpy(tb.get_rng_state().numpy()))
    same_values(tb.rand(n), torch.rand(n), torch)
    same_state(torch)


# ---- large sizes (>= 10^6) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.randn(10**6 + 3),
        lambda m: m.randn(2**20, dtype=m.float64),
        lambda m: m.rand(10**6 + 7, dtype=m.float64),
        lambda m: m.randint(0, 1000, (10**6 + 1,)),
        lambda m: m.randperm(10**6),
        lambda m: m.randn(10**6 + 5, dtype=m.float16),
        lambda m: m.empty(1000, 1001).uniform_(-2, 3),
    ],
)
def test_large(torch, make):
    seed_both(torch, 12345)
    same_values(make(tb), make(torch), torch)
    same_state(torch)


@pytest.mark.skipif(not os.environ.get("TB_SLOW_TESTS"), reason="about 2 minutes and 2 GB; set TB_SLOW_TESTS=1")
def test_randperm_large_regime(torch):
    """n >= 214748364 switches torch to the inside-out shuffle with 64-bit draws."""
    n = 214748364
    seed_both(torch, 0)
    a = tb.randperm(n, dtype=tb.int32).numpy()
    assert a[:8].tolist() == [180140102, 136514640, 18739608, 22357822, 33761584, 3964423, 190519392, 171944721]
    assert a[-8:].tolist() == [132226193, 67771934, 186011132, 117299213, 60523199, 10659741, 142775043, 79202631]
    b = torch.randperm(n, dtype=torch.int32).numpy()
    assert np.array_equal(a, b)
    same_state(torch)


_DEFAULT_SCRIPT = r"""
import numpy as np, torch, tensorbridge as tb
cases = [
    lambda m: m.randn(1000), lambda m: m.randn(7), lambda m: m.randn(100, dtype=m.float16),
    lambda m: m.randn(1000, dtype=m.float64), lambda m: m.rand(100, dtype=m.bfloat16),
    lambda m: m.empty(1000).uniform_(-1 / 3, 1 / 7), lambda m: m.empty(99, dtype=m.float64).uniform_(-1 / 3, 1 / 7),
    lambda m: m.empty(1000).normal_(0.1, 1.7), lambda m: m.empty(1000, dtype=m.float64).normal_(0.1, 1.7),
    lambda m: m.empty(9).normal_(0.1, 1.7), lambda m: m.empty(100).cauchy_(0.5, 2.0),
    lambda m: m.empty(100).exponential_(1.5), lambda m: m.empty(100).log_normal_(0.2, 0.7),
    lambda m: m.empty(100).geometric_(0.3), lambda m: m.empty(100).bernoulli_(0.3),
    lambda m: m.randint(-7, 1000, (100,)), lambda m: m.randperm(100),
]
bad = []
for i, f in enumerate(cases):
    torch.manual_seed(3); tb.manual_seed(3)
    a, b = f(torch), f(tb)
    same = a.view(torch.uint8).numpy().tobytes() == b.numpy().view(np.uint8).tobytes() if a.dtype != torch.bfloat16 \
        else a.float().tolist() == b.tolist()
    same = same and torch.get_rng_state().numpy().tobytes() == tb.get_rng_state().numpy().tobytes()
    if not same:
        bad.append(i)
print("BAD", bad, torch.backends.cpu.get_cpu_capability())
"""


def test_default_cpu_capability_matches_torch(torch):
    """With ATEN_CPU_CAPABILITY=default both libraries run their non-AVX2 kernels (what a CPU without
    AVX2 gets): scalar libm normal fill, no FMA contraction in the scalar samplers."""
    import subprocess
    import sys

    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    r = subprocess.run([sys.executable, "-W", "ignore", "-c", _DEFAULT_SCRIPT], env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "BAD [] DEFAULT" in r.stdout, r.stdout
