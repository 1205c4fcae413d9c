"""Matrix products compared with torch: matmul (every rank combination, broadcast batch dims,
the @ operator), mm, bmm, mv, dot, outer — dtypes, layouts (transposed, strided, negative
strides, stride-0 broadcasts) and error types."""

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tensorbridge as tb
from op_harness import arrays, check_op, elements_for

MATMUL_DTYPES = ["float32", "float64", "complex64", "complex128", "int64", "int32", "int16", "int8",
                 "uint8", "float16"]


def _tol(dtype, k):
    """Products of k terms: float16 rounds once per result in torch and in tensorbridge, but the
    summation order differs; scale the tolerance with k."""
    return {"float16": (1e-2, 1e-2 * k), "float32": (1e-5, 1e-5 * k), "complex64": (1e-5, 1e-5 * k)}.get(
        dtype, (1e-12, 1e-12 * k))


@st.composite
def matmul_operands(draw):
    dt = draw(st.sampled_from(MATMUL_DTYPES))
    n, m, p = (draw(st.integers(0, 5)) for _ in range(3))
    ra, rb = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch = tuple(draw(st.integers(1, 3)) for _ in range(max(ra, rb) - 2))

    def shape(r, last2, other_batch):
        if r == 1:
            return (last2[1],) if other_batch == "a" else (last2[0],)
        b = batch[len(batch) - (r - 2):] if r > 2 else ()
        b = tuple(1 if draw(st.integers(0, 3)) == 0 else s for s in b)  # broadcast dims
        return b + last2

    sa = shape(ra, (n, m), "a")
    sb = shape(rb, (m, p), "b")
    if draw(st.integers(0, 9)) == 0:  # an inner-size mismatch: an error in both
        sb = sb[:-2] + (sb[-2] + 1, sb[-1]) if len(sb) >= 2 else (sb[0] + 1,)
    el = elements_for(dt, small=True)
    a = draw(arrays(dt, st.just(sa), elements=el))
    b = draw(arrays(dt, st.just(sb), elements=el))
    return dt, a, b


@given(ops=matmul_operands())
def test_matmul_matches_torch(torch, ops):
    dt, a, b = ops
    k = a.shape[-1]
    rtol, atol = _tol(dt, k)
    check_op(lambda x, y: tb.matmul(x, y), lambda x, y: torch.matmul(x, y), a, b, rtol=rtol, atol=atol)
    check_op(lambda x, y: x @ y, lambda x, y: x @ y, a, b, rtol=rtol, atol=atol)
    check_op(lambda x, y: x.matmul(y), lambda x, y: x.matmul(y), a, b, rtol=rtol, atol=atol)


@given(ops=matmul_operands())
def test_mm_bmm_mv_dot(torch, ops):
    dt, a, b = ops
    rtol, atol = _tol(dt, a.shape[-1])
    for name in ["mm", "bmm", "mv", "dot"]:
        check_op(lambda x, y: getattr(tb, name)(x, y), lambda x, y: getattr(torch, name)(x, y), a, b,
                 rtol=rtol, atol=atol)
        check_op(lambda x, y: getattr(x, name)(y), lambda x, y: getattr(x, name)(y), a, b,
                 rtol=rtol, atol=atol)


def test_matmul_bfloat16(torch):
    a = np.arange(12, dtype=np.float32).reshape(3, 4) / 8
    x_tb = tb.from_numpy(a).bfloat16()
    x_t = torch.from_numpy(a).bfloat16()
    r_tb, r_t = x_tb @ x_tb.t(), x_t @ x_t.t()
    assert r_tb.dtype == tb.bfloat16
    np.testing.assert_allclose(r_tb.float().numpy(), r_t.float().numpy(), rtol=1e-2)


@pytest.mark.parametrize("case", range(12))
def test_linalg_errors(torch, case):
    f = [
        lambda lib: lib.matmul(lib.tensor(1.0), lib.zeros(2, 2)),
        lambda lib: lib.matmul(lib.zeros(2, 3), lib.zeros(3, 5, dtype=lib.float64)),
        lambda lib: lib.matmul(lib.zeros(2, 2, dtype=lib.bool), lib.zeros(2, 2, dtype=lib.bool)),
        lambda lib: lib.matmul(lib.zeros(2, 2, 3), lib.zeros(4, 3, 5)),
        lambda lib: lib.mm(lib.zeros(3), lib.zeros(3, 3)),
        lambda lib: lib.mm(lib.zeros(2, 3), lib.zeros(4, 5)),
        lambda lib: lib.bmm(lib.zeros(2, 2, 3), lib.zeros(3, 3, 3)),
        lambda lib: lib.mv(lib.zeros(2, 3), lib.zeros(4)),
        lambda lib: lib.dot(lib.zeros(3), lib.zeros(3, dtype=lib.float64)),
        lambda lib: lib.dot(lib.zeros(3, dtype=lib.bool), lib.zeros(3, dtype=lib.bool)),
        lambda lib: lib.outer(lib.zeros(2, 2), lib.zeros(3)),
        lambda lib: lib.matmul(lib.zeros(3), lib.zeros(4)),
    ][case]
    check_op(lambda: f(tb), lambda: f(torch))


def test_mm_error_text(torch):
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        tb.mm(tb.zeros(2, 3), tb.zeros(4, 5))


@given(data=st.data())
def test_outer(torch, data):
    da, db = data.draw(st.sampled_from(["bool", "uint8", "int8", "int64", "float32", "float64", "complex64"])), \
        data.draw(st.sampled_from(["bool", "int32", "float32", "float64"]))
    a = data.draw(arrays(da, st.tuples(st.integers(0, 5)), elements=elements_for(da, small=True)))
    b = data.draw(arrays(db, st.tuples(st.integers(0, 5)), elements=elements_for(db, small=True)))
    check_op(lambda x, y: tb.outer(x, y), lambda x, y: torch.outer(x, y), a, b)
    check_op(lambda x, y: x.outer(y), lambda x, y: x.outer(y), a, b)


def test_integer_matmul_wraps_like_torch(torch):
    a = np.array([[100, 100]], dtype=np.int8)
    check_op(lambda x: x @ x.t(), lambda x: x @ x.t(), a)
    big = np.full((2, 3), 2**62, dtype=np.int64)
    check_op(lambda x: x @ x.t(), lambda x: x @ x.t(), big)


def test_matmul_large_uses_blas_and_agrees(torch):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((130, 70)).astype(np.float32)
    b = rng.standard_normal((70, 90)).astype(np.float32)
    check_op(lambda x, y: x @ y, lambda x, y: x @ y, a, b, rtol=1e-4, atol=1e-4)
    check_op(lambda x, y: x.t() @ y.t().t(), lambda x, y: x.t() @ y.t().t(), b.T.copy(), b, rtol=1e-4, atol=1e-4)


def test_rmatmul_with_non_tensor(torch):
    with pytest.raises(TypeError):
        tb.zeros(2, 2) @ "x"
