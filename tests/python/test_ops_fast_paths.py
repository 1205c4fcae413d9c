"""The float32 rows with SIMD variants (backend/cpu/arith_f32.cpp, vec_math.cpp) and the where()
select loop give the same bits as NumPy's IEEE operations, for every layout they take: both
operands contiguous, a scalar on either side, in place, odd lengths and special values."""

import numpy as np
import pytest

import tensorbridge as tb

SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 3.4e38, -3.4e38, 1e-38],
                   dtype=np.float32)


def _data(n, seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(n) * 10).astype(np.float32)
    x[: min(n, SPECIAL.size)] = SPECIAL[: min(n, SPECIAL.size)]
    rng.shuffle(x)
    return x


OPS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide}


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("n", [1, 7, 16, 33, 1000, 70_001])
def test_float32_arith_rows_match_numpy_bits(op, n):
    a, b = _data(n, 1), _data(n, 2)
    s = np.float32(-2.5)
    ta, tb_ = tb.from_numpy(a.copy()), tb.from_numpy(b.copy())
    f = getattr(tb, op)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(f(ta, tb_).numpy(), OPS[op](a, b))
        np.testing.assert_array_equal(f(ta, float(s)).numpy(), OPS[op](a, s))
        # a scalar first: a 0-d tensor broadcasts with stride 0 (`2.5 / t` is reciprocal * 2.5, as torch)
        np.testing.assert_array_equal(f(tb.tensor(s), tb_).numpy(), OPS[op](s, b))
        # in place, the output aliasing the first operand; then both operands the same tensor
        t = tb.from_numpy(a.copy())
        getattr(t, op + "_")(tb_)
        np.testing.assert_array_equal(t.numpy(), OPS[op](a, b))
        t = tb.from_numpy(a.copy())
        getattr(t, op + "_")(t)
        np.testing.assert_array_equal(t.numpy(), OPS[op](a, a))


@pytest.mark.parametrize("n", [1, 5, 64, 70_001])
def test_float32_relu_and_where_rows_match_numpy_bits(n):
    a = _data(n, 3)
    t = tb.from_numpy(a.copy())
    expect = np.where(a < 0, np.float32(0), a)  # NaN stays NaN, -0.0 stays -0.0
    np.testing.assert_array_equal(t.relu().numpy(), expect)
    assert np.array_equal(np.signbit(t.relu().numpy()), np.signbit(expect))
    strided = tb.from_numpy(a.copy()[::-1])
    np.testing.assert_array_equal(strided.relu().numpy(), expect[::-1])
    m = a > 0
    b = _data(n, 4)
    np.testing.assert_array_equal(tb.where(tb.from_numpy(m), t, tb.from_numpy(b)).numpy(), np.where(m, a, b))
    np.testing.assert_array_equal(tb.where(tb.from_numpy(m), t, 0.0).numpy(), np.where(m, a, np.float32(0)))
    np.testing.assert_array_equal(tb.where(tb.from_numpy(m), -1.5, t).numpy(), np.where(m, np.float32(-1.5), a))
    for dt in (np.int8, np.int16, np.int64, np.float64, np.bool_, np.complex128):
        x, y = a.astype(dt), b.astype(dt)
        np.testing.assert_array_equal(tb.where(tb.from_numpy(m), tb.from_numpy(x), tb.from_numpy(y)).numpy(),
                                      np.where(m, x, y))
