"""Random numbers: the test vectors of shared/spec/rng.md §10, the generator API and argument errors.

Vectors are torch 2.13's values (torch is installed; where the spec's older vectors differ,
the torch-computed value is used by the differential tests in test_random_diff.py).
"""

import struct

import numpy as np
import pytest

import tensorbridge as tb


def bits32(t):
    return [f"{v:08x}" for v in t.numpy().view(np.uint32).tolist()]


# ---- spec vectors -------------------------------------------------------------------------------


def test_randn_5_matches_torch_seed_0():
    tb.manual_seed(0)
    assert tb.randn(5).tolist() == [
        1.5409960746765137, -0.293428897857666, -2.1787893772125244, 0.5684312582015991, -1.0845223665237427,
    ]
    # the generator caches the second value of the last Box-Muller pair
    state = tb.get_rng_state().numpy().tobytes()
    assert struct.unpack_from("<i", state, 8)[0] == 613
    assert struct.unpack_from("<Q", state, 16)[0] == 12
    assert struct.unpack_from("<d", state, 5024)[0] == -1.3985953953708767
    assert struct.unpack_from("<i", state, 5040)[0] == 1


def test_rand_vectors():
    tb.manual_seed(0)
    assert bits32(tb.rand(5)) == ["3efe1558", "3f44aa2f", "3db533a8", "3e073300", "3e9d6686"]
    tb.manual_seed(0)
    assert tb.rand(5, dtype=tb.float64).tolist() == [
        0.9700530018065531, 0.707819864399788, 0.45938294312745087, 0.9207476841219603, 0.6450241201227648,
    ]
    tb.manual_seed(42)
    assert tb.rand(3).tolist() == [0.8822692632675171, 0.9150039553642273, 0.38286375999450684]


def test_randn_vectors():
    tb.manual_seed(0)
    assert tb.randn(5, dtype=tb.float64).tolist() == [
        1.5409961082440433, -0.2934289057609464, -2.1787893820745574, 0.5684312772806678, -1.084522342424021,
    ]
    tb.manual_seed(42)
    assert tb.randn(3).tolist() == [0.33669036626815796, 0.12880940735340118, 0.23446236550807953]
    tb.manual_seed(123456789)  # log1p, torch >= 2.0
    assert tb.randn(3, dtype=tb.float64).tolist() == [0.11027837135924266, 2.200769735743272, -0.8969969383847308]


def test_randn_16_avx2_path_and_tail():
    tb.manual_seed(0)
    assert bits32(tb.randn(16)) == [
        "bf901b85", "bf93808a", "be804bd6", "bede255d", "3f594515", "3f312783", "bea1cc6d", "c0075fc1",
        "3ea50138", "bfa1b4f4", "3eb330ff", "3e9dc3bb", "3df56f77", "3f9e6b93", "3f8ef28e", "be7d367c",
    ]
    tb.manual_seed(0)
    v = tb.randn(17).tolist()
    assert v[0] == -1.1258398294448853 and v[1] == -1.6959311962127686 and v[16] == 0.9318265914916992
    tb.manual_seed(0)
    d = tb.randn(16, dtype=tb.float64).tolist()
    assert d[0] == -2.310411800234176 and d[15] == 0.3380174030507378


def test_cache_carries_over_between_calls():
    tb.manual_seed(0)
    tb.randn(3)
    assert tb.randn(3).tolist() == [0.5684312582015991, -1.0845223665237427, -1.3985954523086548]


def test_integer_vectors():
    tb.manual_seed(0)
    assert tb.randint(0, 10, (8,)).tolist() == [4, 9, 3, 0, 3, 9, 7, 3]
    tb.manual_seed(0)
    assert tb.randint(-5, 5, (10,)).tolist() == [-1, 4, -2, -5, -2, 4, 2, -2, 2, -2]
    tb.manual_seed(0)
    assert tb.randint(0, 2**33, (3,)).tolist() == [2546248239, 7921061056, 7979815675]
    tb.manual_seed(0)
    assert tb.randperm(10).tolist() == [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]
    tb.manual_seed(123)
    assert tb.randperm(20).tolist() == [2, 9, 14, 15, 16, 7, 8, 5, 19, 0, 11, 18, 10, 17, 12, 6, 1, 13, 3, 4]
    tb.manual_seed(0)
    assert tb.empty(4, dtype=tb.int64).random_().tolist() == [
        900450186894289455, 3969543146641149120, 1895649597198586619, 827948490035658087,
    ]
    tb.manual_seed(0)
    assert tb.empty(4, dtype=tb.int32).random_().tolist() == [209652396, 398764591, 924231285, 1478610112]
    tb.manual_seed(0)
    assert tb.empty(4).random_().tolist() == [8325664.0, 12888472.0, 1484222.0, 2214888.0]


def test_other_sampler_vectors():
    tb.manual_seed(0)
    assert tb.empty(5).normal_(2.0, 3.0).tolist() == [
        6.622988224029541, 1.119713306427002, -4.536368370056152, 3.705293893814087, -1.2535669803619385,
    ]
    tb.manual_seed(0)
    assert bits32(tb.empty(6).uniform_(-0.333, 0.1428)) == [
        "bdc6699b", "3d05339f", "be94f12a", "be8a5505", "be3f35af", "bd003a0d",
    ]
    tb.manual_seed(0)
    assert tb.empty(10).bernoulli_(0.5).tolist() == [0, 0, 1, 0, 0, 0, 1, 1, 0, 1]
    tb.manual_seed(0)
    ones = [i for i, v in enumerate(tb.empty(30).bernoulli_(0.3).tolist()) if v]
    assert ones == [6, 9, 11, 17, 20, 22, 24, 29]
    tb.manual_seed(0)
    assert tb.bernoulli(tb.full((10,), 0.5)).tolist() == [1, 0, 1, 1, 1, 0, 1, 0, 1, 0]
    tb.manual_seed(0)
    assert tb.empty(4).exponential_(1.0).tolist() == [
        3.508326292037964, 1.2303847074508667, 0.615044116973877, 2.535118579864502,
    ]
    tb.manual_seed(0)
    assert tb.empty(5).cauchy_().tolist() == [
        10.597729682922363, 0.7647672891616821, -0.12829934060573578, 3.9330732822418213, 0.48998892307281494,
    ]
    tb.manual_seed(0)
    assert tb.empty(5).log_normal_().tolist() == [
        59.2634162902832, 1.5115599632263184, 0.03481946140527725, 8.47281265258789, 0.3106635808944702,
    ]
    tb.manual_seed(0)
    assert tb.empty(10).geometric_(0.3).tolist() == [1, 1, 3, 1, 2, 1, 5, 3, 2, 4]
    tb.manual_seed(0)
    assert tb.multinomial(tb.tensor([0.1, 0.2, 0.3, 0.4]), 4).tolist() == [2, 1, 3, 0]


def test_non_contiguous_output_is_filled_in_memory_order():
    tb.manual_seed(0)
    a = np.zeros((5, 8), dtype=np.float32)
    tb.from_numpy(a.T).normal_()
    assert a.ravel()[:6].tolist() == [
        1.5409960746765137, -0.293428897857666, -2.1787893772125244, 0.5684312582015991,
        -1.0845223665237427, -1.3985954523086548,
    ]


# ---- generator API ------------------------------------------------------------------------------


def test_generator_objects():
    g = tb.Generator()
    assert g.initial_seed() == 67280421310721
    assert str(g.device) == "cpu"
    assert g.manual_seed(2147483647) is g
    assert tb.rand(3, generator=g).tolist() == [0.7081288695335388, 0.3542391061782837, 0.10543233156204224]
    s = g.get_state()
    assert s.dtype == tb.uint8 and s.shape == (5056,)
    a = tb.randn(20, generator=g).tolist()
    assert g.set_state(s) is g
    assert tb.randn(20, generator=g).tolist() == a
    # a generator does not touch the default one
    tb.manual_seed(5)
    before = tb.get_rng_state().numpy().tobytes()
    tb.rand(10, generator=g)
    assert tb.get_rng_state().numpy().tobytes() == before


def test_seed_functions():
    assert tb.manual_seed(7) is tb.default_generator
    assert tb.initial_seed() == 7
    tb.manual_seed(-1)
    assert tb.initial_seed() == 2**64 - 1
    x = tb.rand(4).tolist()
    tb.manual_seed(2**32 - 1)  # only the low 32 bits reach the engine
    assert tb.rand(4).tolist() == x
    s = tb.seed()
    assert isinstance(s, int) and tb.initial_seed() == s
    with pytest.raises(ValueError):
        tb.manual_seed(2**64)
    with pytest.raises(TypeError):
        tb.Generator().manual_seed(1.5)


def test_rng_state_errors():
    with pytest.raises(RuntimeError, match="size to be 10"):
        tb.set_rng_state(tb.zeros(10, dtype=tb.uint8))
    with pytest.raises(RuntimeError, match="Invalid mt19937 state"):
        tb.set_rng_state(tb.zeros(5056, dtype=tb.uint8))
    with pytest.raises(TypeError, match="ByteTensor"):
        tb.set_rng_state(tb.zeros(5056))


def test_factory_signatures():
    tb.manual_seed(0)
    a = tb.randn(2, 3)
    tb.manual_seed(0)
    b = tb.randn([2, 3])
    tb.manual_seed(0)
    c = tb.randn((2, 3))
    tb.manual_seed(0)
    d = tb.randn(size=(2, 3))
    assert a.tolist() == b.tolist() == c.tolist() == d.tolist() and a.shape == (2, 3)
    assert tb.rand(2, dtype=tb.float64).dtype == tb.float64
    assert tb.randn(3, requires_grad=True).requires_grad
    assert tb.randint(5, (3,)).dtype == tb.int64
    assert tb.randint(0, 5, (3,), dtype=tb.int32).dtype == tb.int32
    assert tb.randperm(4, dtype=tb.int32).dtype == tb.int32
    out = tb.empty(7)
    assert tb.rand(7, out=out) is out
    out2 = tb.empty(0)
    tb.randn(3, 2, out=out2)
    assert out2.shape == (3, 2)
    x = tb.zeros(2, 3, dtype=tb.float64)
    assert tb.rand_like(x).dtype == tb.float64 and tb.randn_like(x).shape == (2, 3)
    assert tb.randint_like(x, 10).dtype == tb.float64
    t = tb.empty(3)
    for r in (t.uniform_(), t.normal_(), t.random_(3), t.exponential_(), t.cauchy_(), t.log_normal_(),
              t.bernoulli_(), t.geometric_(0.5)):
        assert r is t


@pytest.mark.parametrize(
    "fn, exc, msg",
    [
        (lambda: tb.randint(5, 5, (3,)), RuntimeError, "random_ expects 'from' to be less than 'to', but got from=5 >= to=5"),
        (lambda: tb.randint(0, 300, (3,), dtype=tb.uint8), RuntimeError, "to - 1 is out of bounds for unsigned char"),
        (lambda: tb.randint(-1, 3, (3,), dtype=tb.uint8), RuntimeError, "from is out of bounds for unsigned char"),
        (lambda: tb.randn(-1), RuntimeError, "negative dimension -1"),
        (lambda: tb.rand(2, dtype=tb.int64), NotImplementedError, "\"check_uniform_bounds\" not implemented for 'Long'"),
        (lambda: tb.randn(2, dtype=tb.int64), NotImplementedError, "\"normal_kernel_cpu\" not implemented for 'Long'"),
        (lambda: tb.empty(3).uniform_(1, 0), RuntimeError, "uniform_ expects to return a [from, to) range, but found from=1 > to=0"),
        (lambda: tb.empty(3).normal_(0, -1), RuntimeError, "normal expects std >= 0.0, but found std -1"),
        (lambda: tb.empty(3).bernoulli_(1.5), RuntimeError, "bernoulli_ expects p to be in [0, 1], but got p=1.5"),
        (lambda: tb.empty(3).exponential_(0), RuntimeError, "exponential_ expects lambda > 0.0, but found lambda=0"),
        (lambda: tb.empty(3).geometric_(1.0), RuntimeError, "geometric_ expects p to be in (0, 1), but got p=1"),
        (lambda: tb.empty(3).cauchy_(0, -1), RuntimeError, "cauchy_ expects sigma > 0.0, but found sigma=-1"),
        (lambda: tb.empty(3).log_normal_(0, 0), RuntimeError, "log_normal_ expects std > 0.0, but found std=0"),
        (lambda: tb.randperm(-1), RuntimeError, "negative dimension -1"),
        (lambda: tb.multinomial(tb.tensor([0.1, 0.2]), 3), RuntimeError, "cannot sample n_sample > prob_dist.size(-1)"),
        (lambda: tb.multinomial(tb.tensor([0.1, -0.2]), 1), RuntimeError, "probability tensor contains"),
        (lambda: tb.multinomial(tb.tensor([0.0, 0.0]), 1), RuntimeError, "sum of probabilities <= 0"),
        (lambda: tb.empty(3, dtype=tb.int64).exponential_(), RuntimeError, "dtype must be a floating point"),
        (lambda: tb.normal(tb.zeros(2), -1.0), RuntimeError, "normal expects std >= 0.0"),
    ],
)
def test_errors_match_torch(fn, exc, msg, torch):
    with pytest.raises(exc) as info:
        fn()
    assert msg in str(info.value)


def test_error_types_agree_with_torch(torch):
    cases = [
        (lambda m: m.randint(5, 5, (3,)), RuntimeError),
        (lambda m: m.rand(2, dtype=m.int64), NotImplementedError),
        (lambda m: m.empty(3).uniform_(1, 0), RuntimeError),
        (lambda m: m.randperm(-1), RuntimeError),
    ]
    for fn, exc in cases:
        with pytest.raises(exc):
            fn(torch)
        with pytest.raises(exc):
            fn(tb)


def test_read_only_tensor_rejects_in_place_sampling():
    a = np.zeros(4, dtype=np.float32)
    a.setflags(write=False)
    t = tb.from_numpy(a)
    with pytest.raises(RuntimeError, match="read-only"):
        t.normal_()


def test_version_counter_bumps():
    t = tb.empty(4)
    v = t._version
    t.uniform_()
    assert t._version == v + 1
