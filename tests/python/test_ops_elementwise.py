"""Element-wise ops compared with torch: one row per op, hypothesis-drawn dtypes, shapes,
broadcasting, scalars and memory layouts (transposed, strided, negative strides, stride 0).
Values, dtype, shape and error types must match torch (op_harness.check_op)."""

import math
import operator

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

import tensorbridge as tb
from op_harness import Dt, Raw, arrays, broadcast_pair, check_op, dtypes, elements_for, same_outcome, shapes

# ---- rows ----------------------------------------------------------------------------------------
# (name, dtype kind of the inputs, small values?)  -- module function tb.<name> vs torch.<name>
UNARY = [
    ("neg", "all", False), ("abs", "all", False), ("sign", "all", False),
    ("floor", "all", False), ("ceil", "all", False), ("round", "all", False), ("trunc", "all", False),
    ("relu", "all", False), ("bitwise_not", "all", False), ("logical_not", "all", False),
    ("isnan", "all", False), ("isinf", "all", False), ("isfinite", "all", False),
    ("exp", "all", True), ("exp2", "all", True), ("expm1", "all", True), ("log", "all", False),
    ("log2", "all", False), ("log10", "all", False), ("sqrt", "all", False),
    ("rsqrt", "all", False), ("sin", "all", True), ("cos", "all", True), ("tan", "all", True),
    ("asin", "all", True), ("acos", "all", True), ("atan", "all", False), ("sinh", "all", True),
    ("cosh", "all", True), ("tanh", "all", False), ("sigmoid", "all", False), ("erf", "all", False),
    ("log1p", "all", False),
    ("reciprocal", "all", False),
]

# (name, dtype kind, small values?)
BINARY = [
    ("add", "all", False), ("sub", "all", False), ("mul", "all", False), ("div", "all", False),
    ("true_divide", "all", False), ("floor_divide", "all", False), ("remainder", "all", False),
    ("fmod", "all", False), ("pow", "all", True), ("atan2", "all", False), ("minimum", "all", False),
    ("maximum", "all", False), ("bitwise_and", "all", False), ("bitwise_or", "all", False),
    ("bitwise_xor", "all", False), ("bitwise_left_shift", "all", True),
    ("bitwise_right_shift", "all", True), ("logical_and", "all", False), ("logical_or", "all", False),
    ("logical_xor", "all", False), ("eq", "all", False), ("ne", "all", False), ("lt", "all", False),
    ("le", "all", False), ("gt", "all", False), ("ge", "all", False),
]

OPERATORS = [
    operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod,
    operator.pow, operator.and_, operator.or_, operator.xor, operator.lshift, operator.rshift,
    operator.eq, operator.ne, operator.lt, operator.le, operator.gt, operator.ge,
]
INPLACE_OPERATORS = [
    operator.iadd, operator.isub, operator.imul, operator.itruediv, operator.ifloordiv,
    operator.imod, operator.ipow, operator.iand, operator.ior, operator.ixor,
]

# float32 transcendental functions: libm vs torch's vectorised versions differ by a few ulp
LOOSE = dict(rtol=1e-5, atol=1e-6)


def _tol(name):
    return LOOSE if name in {"exp", "exp2", "expm1", "sinh", "cosh", "tan", "pow", "sigmoid", "tanh",
                             "erf", "log", "log2", "log10", "log1p", "atan2", "asin", "acos", "atan",
                             "sin", "cos", "rsqrt", "reciprocal", "sqrt"} else {}


def _no_complex32(*xs):
    """torch gives complex32 for float16 with complex; tensorbridge has no complex32 (complex64)."""
    kinds = {np.asarray(x).dtype.name if not isinstance(x, complex) else "complex" for x in xs}
    assume(not ("float16" in kinds and any(k.startswith("complex") for k in kinds)))


_LOOP_DEPENDENT = {"remainder": "remainder", "fmod": "fmod", "mod": "remainder", "imod": "remainder",
                   "pow": "pow", "ipow": "pow"}


def _assume_torch_loop_independent(torch, name, *xs):
    """Known torch inconsistency (docs/ops.md): its vectorised fmod/remainder returns nan where
    |a / b| overflows the dtype (2 % 3e-39 in float32, in rows of 8+ or 16+ contiguous elements)
    while its scalar loop returns the exact remainder, which tensorbridge returns for every
    element. Skips only inputs where torch's own result depends on the loop that ran; xs are the
    operands (arrays or numbers) of name's out-of-place function."""
    if name not in _LOOP_DEPENDENT:
        return
    fn = getattr(torch, _LOOP_DEPENDENT[name])
    ts = [torch.from_numpy(np.array(x, copy=True)) if isinstance(x, np.ndarray) else x for x in xs]
    try:
        whole = fn(*ts)
    except (RuntimeError, TypeError):
        return
    if _LOOP_DEPENDENT[name] == "pow":
        _assume_torch_pow_loop_independent(torch, whole, ts)
        return
    if not (whole.is_floating_point() and bool(whole.isnan().any())):
        return

    def element(t, i):  # operand i of a one-element call: torch's scalar loop
        if isinstance(t, torch.Tensor) and t.dim() > 0:
            return t.expand(whole.shape).reshape(-1)[i:i + 1]
        return t
    each = torch.cat([fn(*(element(t, i) for t in ts)).reshape(-1) for i in range(whole.numel())])
    w = whole.reshape(-1)
    assume(bool(((w == each) | (w.isnan() & each.isnan())).all()))


def _assume_torch_pow_loop_independent(torch, whole, ts):
    """torch's float32 `x ** number` reads the number in float32 in its vectorised loop (Sleef) but
    in double in its scalar loop (0-d tensors, tails): (-1) ** 1.9999999999999991 is 1 in one and
    nan in the other (docs/ops.md). tensorbridge reads it in float32 everywhere. Skips inputs where
    torch's two loops disagree beyond the tests' tolerance."""
    if not (whole.is_floating_point() or whole.is_complex()) or whole.numel() == 0:
        return

    def element(t, i, rows):  # operand i alone (scalar loop) or repeated in a 64-element row
        if isinstance(t, torch.Tensor):
            e = t.expand(whole.shape).reshape(-1)[i:i + 1] if t.dim() > 0 else t.reshape(1)
            return e.repeat(rows)
        return t

    for i in range(min(whole.numel(), 16)):
        one = torch.pow(*(element(t, i, 1) for t in ts))
        row = torch.pow(*(element(t, i, 64) for t in ts))[:1]
        assume(bool(torch.allclose(one, row, rtol=1e-5, atol=1e-5, equal_nan=True)))


def _arr(data, kind, shape, small=False, finite=True):
    dt = data.draw(dtypes(kind))
    return data.draw(arrays(dt, shape, elements=elements_for(dt, finite=finite, small=small)))


# ---- unary ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,kind,small", UNARY, ids=[r[0] for r in UNARY])
@given(data=st.data())
def test_unary_function(torch, name, kind, small, data):
    a = _arr(data, kind, data.draw(shapes()), small=small, finite=data.draw(st.booleans()))
    check_op(getattr(tb, name), getattr(torch, name), a, **_tol(name))


@pytest.mark.parametrize("name,kind,small", UNARY, ids=[r[0] for r in UNARY])
@given(data=st.data())
def test_unary_method_and_inplace(torch, name, kind, small, data):
    a = _arr(data, kind, data.draw(shapes()), small=small)
    check_op(lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), a, **_tol(name))
    if hasattr(torch.Tensor, name + "_"):
        b = np.array(a, copy=True)  # writable, own memory
        check_op(lambda x: getattr(x, name + "_")(), lambda x: getattr(x, name + "_")(), b, **_tol(name))


@pytest.mark.parametrize("name", ["exp", "neg", "abs", "sqrt", "isnan"])
@given(data=st.data())
def test_unary_out(torch, name, data):
    # (complex abs with out=: torch's dtype rules there are irregular; real inputs only)
    a = _arr(data, "real" if name == "abs" else "all", data.draw(shapes()))
    out_dt = data.draw(dtypes("all"))
    out_shape = data.draw(st.sampled_from([a.shape, (0,)]))
    out = np.zeros(out_shape, dtype=out_dt)

    def run(lib):
        def f(x, o):
            r = getattr(lib, name)(x, out=o)
            assert r is o
            return o
        return f
    check_op(run(tb), run(torch), a, out, **_tol(name))


# ---- binary --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,kind,small", BINARY, ids=[r[0] for r in BINARY])
@given(data=st.data())
def test_binary_tensors_broadcast(torch, name, kind, small, data):
    sa, sb = data.draw(broadcast_pair())
    a = _arr(data, kind, sa, small=small, finite=data.draw(st.booleans()))
    b = _arr(data, kind, sb, small=small)
    _no_complex32(a, b)
    _assume_torch_loop_independent(torch, name, a, b)
    check_op(getattr(tb, name), getattr(torch, name), a, b, **_tol(name))


def _py_scalar(data, small=False):
    return data.draw(st.one_of(
        st.booleans(),
        st.integers(-8, 8) if small else st.integers(-(2 ** 40), 2 ** 40),
        # no tiny magnitudes: torch keeps some scalar exponents in double (0 ** 1e-95 == 0)
        (st.floats(-8, 8) if small else st.floats(-1e6, 1e6, allow_nan=False)).filter(lambda v: v == 0 or abs(v) > 1e-30),
        st.sampled_from([math.inf, -math.inf, math.nan, 0.0, -0.0, 0, 1, 2, -1]),
        st.builds(complex, st.floats(-4, 4), st.floats(-4, 4)),
    ))


@pytest.mark.parametrize("name,kind,small", BINARY, ids=[r[0] for r in BINARY])
@given(data=st.data())
def test_binary_tensor_scalar(torch, name, kind, small, data):
    a = _arr(data, kind, data.draw(shapes()), small=small)
    s = _py_scalar(data, small=small)
    _no_complex32(a, s)
    _assume_torch_loop_independent(torch, name, a, s)
    check_op(lambda x: getattr(tb, name)(x, s), lambda x: getattr(torch, name)(x, s), a, **_tol(name))
    check_op(lambda x: getattr(x, name)(s), lambda x: getattr(x, name)(s), a, **_tol(name))


@pytest.mark.parametrize("op", OPERATORS, ids=[o.__name__ for o in OPERATORS])
@given(data=st.data())
def test_operators(torch, op, data):
    sa, sb = data.draw(broadcast_pair())
    small = op in (operator.pow, operator.lshift, operator.rshift)
    a = _arr(data, "all", sa, small=small)
    b = _arr(data, "all", sb, small=small)
    s = _py_scalar(data, small=small)
    _no_complex32(a, b, s)
    for pair in ((a, b), (a, s), (s, a)):
        _assume_torch_loop_independent(torch, op.__name__, *pair)
    check_op(op, op, a, b, **LOOSE)
    check_op(lambda x: op(x, s), lambda x: op(x, s), a, **LOOSE)
    check_op(lambda x: op(s, x), lambda x: op(s, x), a, **LOOSE)  # reflected


@pytest.mark.parametrize("op", INPLACE_OPERATORS, ids=[o.__name__ for o in INPLACE_OPERATORS])
@given(data=st.data())
def test_inplace_operators(torch, op, data):
    sa, sb = data.draw(broadcast_pair())
    small = op in (operator.ipow,)
    a = np.array(_arr(data, "all", sa, small=small), copy=True)
    b = _arr(data, "all", sb, small=small)
    _no_complex32(a, b)
    _assume_torch_loop_independent(torch, op.__name__, a, b)

    def run(x, y):
        before = x
        r = op(x, y)
        assert r is before  # in place: the same object comes back
        return r
    check_op(run, run, a, b, **LOOSE)


@given(data=st.data())
def test_zero_dim_and_scalar_promotion(torch, data):
    # 0-d tensors and Python numbers do not upgrade the dtype within a category
    a = _arr(data, "all", data.draw(shapes(min_dims=1)))
    z = _arr(data, "all", ())
    _no_complex32(a, z)
    check_op(operator.add, operator.add, a, z)
    check_op(operator.mul, operator.mul, z, a)
    check_op(operator.add, operator.add, z, z)


def test_add_alpha_and_div_rounding_modes(torch):
    a = np.array([[5, -7, 3], [-2, 9, -1]], dtype=np.int64)
    b = np.array([2, -3, 4], dtype=np.int64)
    f = a.astype(np.float32)
    for alpha in (1, 2, -3, 0.5, True):
        check_op(lambda x, y: tb.add(x, y, alpha=alpha), lambda x, y: torch.add(x, y, alpha=alpha), f, b)
        check_op(lambda x, y: tb.add(x, y, alpha=alpha), lambda x, y: torch.add(x, y, alpha=alpha), a, b)
        check_op(lambda x, y: tb.sub(x, y, alpha=alpha), lambda x, y: torch.sub(x, y, alpha=alpha), f, b)
        check_op(lambda x, y: x.add(y, alpha=alpha), lambda x, y: x.add(y, alpha=alpha), f, b)
    for mode in (None, "trunc", "floor", "bad"):
        check_op(lambda x, y: tb.div(x, y, rounding_mode=mode), lambda x, y: torch.div(x, y, rounding_mode=mode), a, b)
        check_op(lambda x, y: tb.div(x, y, rounding_mode=mode), lambda x, y: torch.div(x, y, rounding_mode=mode), f, b)
        check_op(lambda x: x.div(2, rounding_mode=mode), lambda x: x.div(2, rounding_mode=mode), a)
    # integer division by zero
    check_op(lambda x: x // 0, lambda x: x // 0, a)
    check_op(lambda x: x % 0, lambda x: x % 0, a)
    check_op(lambda x: x // 0, lambda x: x // 0, f)


@pytest.mark.parametrize("dt", ["float16", "bfloat16", "float32", "int8", "uint8", "int32"])
@pytest.mark.parametrize("v", [65504.0, 65519.0, -65520.0, 1e39, math.inf, 127, 128, 255, 256, -1, -256, 2 ** 31, 70000])
def test_number_overflow_checks(torch, dt, v):
    # torch converts pow's number exponent (float16/bfloat16/integer tensors) and clamp's number
    # bounds to the computation dtype with an overflow check (RuntimeError); other ops wrap/round
    def both(f):
        return [lambda lib=lib: f(lib.full((3,), 2, dtype=getattr(lib, dt))) for lib in (tb, torch)]
    if not (isinstance(v, int) and v < 0 and dt in ("int8", "uint8", "int32")):
        check_op(*both(lambda x: x ** v))
        check_op(*both(lambda x: x.pow_(v)))
    check_op(*both(lambda x: x.clamp(min=v)))
    check_op(*both(lambda x: x.clamp_(max=v)))
    check_op(*both(lambda x: x * v))


@pytest.mark.parametrize("name,kind,small", BINARY, ids=[r[0] for r in BINARY])
def test_binary_function_number_input(torch, name, kind, small):
    # torch takes a number as `input` for the arithmetic and bitwise functions only (TypeError else)
    check_op(lambda x: getattr(tb, name)(3, x), lambda x: getattr(torch, name)(3, x), np.arange(1, 4))


@pytest.mark.parametrize("mode", ["trunc", "floor"])
@given(data=st.data())
def test_div_rounding_modes(torch, mode, data):
    # float16/bfloat16: torch rounds the quotient (and floor's intermediates) to the dtype first
    sa, sb = data.draw(broadcast_pair())
    a = _arr(data, "real", sa, finite=data.draw(st.booleans()))
    b = _arr(data, "real", sb)
    cast = data.draw(st.sampled_from([None, "bfloat16", "float16"]))

    def run(lib):
        def f(x, y):
            if cast:
                x, y = x.to(getattr(lib, cast)), y.to(getattr(lib, cast))
            return lib.div(x, y, rounding_mode=mode)
        return f
    check_op(run(tb), run(torch), a, b)
    check_op(lambda x, y: x.div_(y, rounding_mode=mode), lambda x, y: x.div_(y, rounding_mode=mode),
             np.array(a, copy=True), b)


def test_inplace_refuses_unsafe_cast(torch):
    a = np.arange(4, dtype=np.int64)
    for fn in (lambda x: x.add_(1.5), lambda x: x.mul_(2.0), lambda x: x.exp_(), lambda x: x.div_(2),
               lambda x: x.__iadd__(0.5)):
        e = check_op(fn, fn, np.array(a))
        assert "can't be cast to the desired output type Long" in str(e)
    # (clamp's Number overload names the C++ type: "... output type long int")
    e = check_op(lambda x: x.clamp_(0.5), lambda x: x.clamp_(0.5), np.array(a))
    assert str(e) == "result type Float can't be cast to the desired output type long int"
    # shape mismatch
    check_op(lambda x, y: x.add_(y), lambda x, y: x.add_(y), np.zeros(3), np.zeros((2, 3)))
    # bool tensors
    check_op(lambda x: x - True, lambda x: x - True, np.ones(2, dtype=bool))
    check_op(lambda x: -x, lambda x: -x, np.ones(2, dtype=bool))
    check_op(lambda x: x ** -1, lambda x: x ** -1, np.arange(3))


def test_inplace_checks_read_only_and_bumps_version():
    a = np.arange(4.0)
    a.flags.writeable = False
    t = tb.from_numpy(a)
    with pytest.raises(RuntimeError, match="add_"):
        t.add_(1)
    with pytest.raises(RuntimeError):
        t += 1
    w = tb.from_numpy(np.arange(4.0))
    v0 = w._version
    w.add_(1)
    w.mul_(2)
    w += 1
    w.exp_()
    w.clamp_(0, 5)
    assert w._version >= v0 + 5
    assert w.tolist() == [5.0, 5.0, 5.0, 5.0]


@pytest.mark.parametrize("name", ["add", "mul", "sub", "div", "maximum", "eq", "bitwise_and", "pow"])
@given(data=st.data())
def test_binary_out(torch, name, data):
    sa, sb = data.draw(broadcast_pair())
    a = _arr(data, "numeric", sa, small=True)
    b = _arr(data, "numeric", sb, small=True)
    _no_complex32(a, b)
    out_dt = data.draw(dtypes("all"))
    out = np.zeros(data.draw(st.sampled_from([np.broadcast_shapes(sa, sb), (0,), (1,)])), dtype=out_dt)

    def run(lib):
        def f(x, y, o):
            r = getattr(lib, name)(x, y, out=o)
            assert r is o
            return o
        return f
    check_op(run(tb), run(torch), a, b, out, **LOOSE)


# ---- clamp, where, closeness ---------------------------------------------------------------------

@given(data=st.data())
def test_clamp(torch, data):
    a = _arr(data, "real", data.draw(shapes()), finite=data.draw(st.booleans()))
    lo = data.draw(st.one_of(st.none(), st.integers(-5, 5), st.floats(-5, 5), st.just(math.nan)))
    hi = data.draw(st.one_of(st.none(), st.integers(-5, 5), st.floats(-5, 5)))
    check_op(lambda x: tb.clamp(x, lo, hi), lambda x: torch.clamp(x, lo, hi), a)
    check_op(lambda x: x.clip(min=lo, max=hi), lambda x: x.clip(min=lo, max=hi), a)
    lt = _arr(data, "real", data.draw(shapes(max_dims=2)))
    check_op(lambda x, m: tb.clamp(x, min=m), lambda x, m: torch.clamp(x, min=m), a, lt)
    check_op(lambda x, m: x.clamp(max=m), lambda x, m: x.clamp(max=m), a, lt)


@given(data=st.data())
def test_where(torch, data):
    sa, sb = data.draw(broadcast_pair())
    c = data.draw(arrays("bool", data.draw(st.sampled_from([sa, sb, ()]))))
    a = _arr(data, "all", sa)
    b = _arr(data, "all", sb)
    s = _py_scalar(data)
    _no_complex32(a, b, s)
    check_op(tb.where, torch.where, c, a, b)
    check_op(lambda cc, x: tb.where(cc, x, s), lambda cc, x: torch.where(cc, x, s), c, a)
    check_op(lambda cc, x: tb.where(cc, s, x), lambda cc, x: torch.where(cc, s, x), c, a)
    check_op(lambda cc, x: x.where(cc, s), lambda cc, x: x.where(cc, s), c, a)
    check_op(tb.where, torch.where, a, a, b)  # non-bool condition: error


@pytest.mark.parametrize("dt", ["int8", "uint8", "int16", "int32", "int64"])
@pytest.mark.parametrize("number", [300, -200, 2**40, -(2**63), 2**63 - 1])
def test_where_number_must_fit_the_integer_result(torch, dt, number):
    """c10's overflow check and its type names ("int" for int32), both argument orders."""
    c = np.array([True, False])
    a = np.array([1, 2], dtype=dt)
    for f in (lambda lib: lambda cc, x: lib.where(cc, x, number), lambda lib: lambda cc, x: lib.where(cc, number, x)):
        same_outcome(lambda: f(tb)(tb.from_numpy(c), tb.from_numpy(a)),
                     lambda: f(torch)(torch.from_numpy(c), torch.from_numpy(a)))


@given(data=st.data())
def test_isclose_allclose_equal(torch, data):
    dt = data.draw(dtypes("all"))
    sa, sb = data.draw(broadcast_pair())
    a = data.draw(arrays(dt, sa, elements=elements_for(dt, finite=False, small=True)))
    b = data.draw(arrays(dt, sb, elements=elements_for(dt, finite=False, small=True)))
    en = data.draw(st.booleans())
    rtol = data.draw(st.sampled_from([1e-5, 0.1, 0.0]))
    atol = data.draw(st.sampled_from([1e-8, 0.5, 0.0]))
    check_op(lambda x, y: tb.isclose(x, y, rtol, atol, en), lambda x, y: torch.isclose(x, y, rtol, atol, en), a, b)
    check_op(lambda x, y: tb.allclose(x, y, rtol, atol, en), lambda x, y: torch.allclose(x, y, rtol, atol, en), a, b)
    check_op(tb.equal, torch.equal, a, b)
    check_op(tb.equal, torch.equal, a, np.array(a))


# ---- promotion -----------------------------------------------------------------------------------

ALL = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
       "complex64", "complex128"]


def test_promote_types_and_can_cast_tables(torch):
    for x in ALL + ["uint16", "uint32", "uint64"]:
        for y in ALL + ["uint16", "uint32", "uint64"]:
            check_op(tb.promote_types, torch.promote_types, Dt(x), Dt(y))
            check_op(tb.can_cast, torch.can_cast, Dt(x), Dt(y))


@pytest.mark.parametrize("x", ALL)
def test_result_type_categories(torch, x):
    scalars = [True, 3, 2.5, 1j, -(2 ** 40)]
    for y in ALL:
        for dims_x, dims_y in [((2,), (2,)), ((2,), ()), ((), (2,)), ((), ())]:
            def mk(lib, dt, shape):
                return lib.zeros(shape, dtype=getattr(lib, dt))
            if "float16" in (x, y) and (x.startswith("complex") or y.startswith("complex")):
                continue  # torch: complex32, which tensorbridge does not have
            check_op(lambda: tb.result_type(mk(tb, x, dims_x), mk(tb, y, dims_y)),
                     lambda: torch.result_type(mk(torch, x, dims_x), mk(torch, y, dims_y)))
    for s in scalars:
        if x == "float16" and isinstance(s, complex):
            continue
        check_op(lambda: tb.result_type(tb.zeros(2, dtype=getattr(tb, x)), s),
                 lambda: torch.result_type(torch.zeros(2, dtype=getattr(torch, x)), s))
        check_op(lambda: tb.result_type(s, tb.zeros((), dtype=getattr(tb, x))),
                 lambda: torch.result_type(s, torch.zeros((), dtype=getattr(torch, x))))


# ---- NumPy mixing (numpy_bridge.md §5) ------------------------------------------------------------

NP_OPS = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv, operator.mod,
          operator.pow, operator.and_, operator.or_, operator.xor]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("op", NP_OPS + [operator.eq, operator.ne, operator.lt],
                         ids=[o.__name__ for o in NP_OPS] + ["eq", "ne", "lt"])
@settings(suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data())
def test_tensor_op_ndarray_matches_torch(torch, op, data):
    sa, sb = data.draw(broadcast_pair(min_dims=0))
    a = _arr(data, "all", sa, small=True)
    b = _arr(data, "all", sb, small=True)
    if op in (operator.floordiv, operator.mod) and b.dtype.kind in "iub" and not np.all(b != 0):
        return  # NumPy's integer division by zero gives 0 with a warning; tensorbridge raises
    # torch's 0-d and empty NumPy round trips have their own dtype quirks
    assume(a.ndim > 0 and b.ndim > 0 and a.size > 0 and b.size > 0)
    if op is operator.eq:
        b = np.array(b, copy=True)  # torch refuses negative strides here; tensorbridge accepts them
    check_op(lambda x: op(x, b), lambda x: op(x, b), a, rtol=1e-5, atol=1e-6)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("op", NP_OPS, ids=[o.__name__ for o in NP_OPS])
@given(data=st.data())
def test_ndarray_op_tensor_matches_numpy(op, data):
    # torch refuses `nd OP t`; tensorbridge returns a tensor equal to NumPy's nd OP t.numpy()
    sa, sb = data.draw(broadcast_pair(min_dims=0))
    a = _arr(data, "numeric", sa, small=True)
    b = _arr(data, "numeric", sb, small=True)
    if op in (operator.floordiv, operator.mod) and a.dtype.kind in "iu" and not np.all(a != 0):
        return
    try:
        expected = op(b, np.array(a))
    except (TypeError, ValueError):
        return  # NumPy refuses too (e.g. float & int, int ** negative int)
    if op is operator.pow and b.dtype.kind in "iu" and a.dtype.kind in "iu":
        return  # integer power overflow differs between NumPy and torch-style wrapping
    got = op(b, tb.from_numpy(a))
    assert isinstance(got, tb.Tensor)
    assert str(got.dtype).split(".")[-1] == expected.dtype.name
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-5, atol=1e-6, equal_nan=True)


def test_ndarray_comparisons_and_inplace_fallback(torch):
    a = np.arange(3.0, dtype=np.float32)
    nd = np.ones(3)
    with pytest.raises(TypeError):
        tb.from_numpy(a) < nd
    with pytest.raises(TypeError):
        nd < tb.from_numpy(a)
    r = nd == tb.from_numpy(a)
    assert isinstance(r, tb.Tensor) and r.tolist() == [False, True, False]
    t = tb.from_numpy(a)
    t0 = t
    t += nd  # declines in place: rebinds to a new float64 tensor, like torch
    assert t is not t0 and str(t.dtype) == "tensorbridge.float64" and a.tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(TypeError):
        tb.add(tb.from_numpy(a), nd)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_numpy_scalars_act_like_python_scalars(torch):
    scalars = [np.float64(2.5), np.float32(1.5), np.float16(0.5), np.int64(300), np.int8(-3), np.uint8(7),
               np.bool_(True), np.complex128(1 + 2j), np.int32(-1)]
    for dt in ["float32", "int32", "bool", "float16", "uint8", "int64"]:
        a = np.ones(3, dtype=dt)
        for s in scalars:
            if dt == "float16" and isinstance(s, np.complexfloating):
                continue  # torch: complex32
            for op in (operator.add, operator.mul, operator.sub):
                check_op(lambda x: op(x, s), lambda x: op(x, s), a)
                check_op(lambda x: op(s, x), lambda x: op(s, x), a)


TWO_NUMBER_FUNCTIONS = [r[0] for r in BINARY] + [
    "subtract", "multiply", "divide", "arctan2", "not_equal", "less", "less_equal", "greater",
    "greater_equal"]
NUMBER_PAIRS = [(3, 3), (3.0, 2), (True, False), (True, 1), (2.5, False), (True, 2j), (2j, 1), (7, -2), (-7.5, 2),
                (1, 0), (2.5, 1j),
                (np.float64(1.5), np.int32(2)), (2 ** 62, 2 ** 62),
                # an int past int64 is a uint64 wrapped number: promotes with a float only
                (2 ** 64 - 1, 1), (True, 2 ** 64 - 1), (2 ** 64 - 1, False), (2 ** 64 - 1, 1j), (2 ** 63, 1.5)]


@pytest.mark.parametrize("name", TWO_NUMBER_FUNCTIONS)
@pytest.mark.parametrize("pair", NUMBER_PAIRS, ids=repr)
def test_binary_function_two_numbers(torch, name, pair):
    # add/sub/mul/div (and aliases, floor_divide, true_divide) take two numbers as wrapped numbers:
    # a 0-d tensor of their result_type (add(3, 3) int64, add(3.0, 2) float32); the others raise
    # torch's TypeError ("invalid combination of arguments" listing the overloads, or "argument
    # 'input' (position 1) must be Tensor") -- same text
    same_outcome(lambda: getattr(tb, name)(*pair), lambda: getattr(torch, name)(*pair))


@pytest.mark.parametrize("name", ["fmod", "eq", "lt", "greater_equal", "atan2", "maximum", "logical_or"])
def test_binary_function_number_input_messages(torch, name):
    x = np.arange(1, 4)
    same_outcome(lambda: getattr(tb, name)(3, tb.from_numpy(x)), lambda: getattr(torch, name)(3, torch.from_numpy(x)))


def test_two_numbers_with_alpha_rounding_mode_and_out(torch):
    for lib_call in [
        lambda L: L.add(3, 3, alpha=2), lambda L: L.sub(3.5, 2, alpha=2), lambda L: L.sub(True, False),
        lambda L: L.sub(True, 1), lambda L: L.sub(1.5, True), lambda L: L.add(True, 2 ** 64 - 1, alpha=2),
        lambda L: L.add(3, 3, alpha=0.5), lambda L: L.add(True, True, alpha=True), lambda L: L.sub(3, 3, alpha=True),
        lambda L: L.div(7, 2, rounding_mode="floor"), lambda L: L.div(-7, 2, rounding_mode="trunc"),
        lambda L: L.div(-7.5, 2, rounding_mode="floor"), lambda L: L.floor_divide(1, 0),
        lambda L: L.add(3, 3, out=L.empty(0, dtype=L.uint8)), lambda L: L.mul(2.5, 2, out=L.empty(0, dtype=L.int64)),
        lambda L: L.remainder(3, 3, out=L.empty(0)), lambda L: L.pow(3, 3, out=L.empty(0)),
        lambda L: L.fmod(3, L.ones(2), out=L.empty(0)), lambda L: L.bitwise_and(3, 3.5),
    ]:
        same_outcome(lambda: lib_call(tb), lambda: lib_call(torch))


CLAMP_CASES = [
    # complex bounds, Number overload: a floating input reads them as double; others promote
    "x(1., 2.).clamp(1j)", "x(1., 2.).clamp(max=1j)", "x(1., 2.).clamp(1j, 2j)", "x(1., 2.).clamp(1 + 0j)",
    "x(1., 2., d='float16').clamp(1j)", "x(1., 2., d='bfloat16').clamp(max=1j)", "x(1., d='float64').clamp(1j)",
    "x(1., 2.).clamp(float('nan'), 1j)", "x(1., 2.).clamp(1e39, 1j)", "x(1., 2.).clamp(1e39)",
    "x(1, 2).clamp(1j)", "x(1, 2).clamp(1 + 0j)", "x(1, d='int8').clamp(max=1j)", "x(1., 2.).clamp_(1j)",
    "x(1, 2).clamp_(1j)", "L.clamp(x(1.), 1j, out=L.empty(1, dtype=L.complex64))",
    "L.clamp(x(1), 1j, out=L.empty(1, dtype=L.complex64))", "L.clamp(x(1), 0.5, out=L.empty(1, dtype=L.float64))",
    "L.clamp(x(1.), 0, out=L.empty(1, dtype=L.float64))", "L.clamp(x(1.), 0, out=L.empty(1))",
    # complex inputs
    "x(1j).clamp(0)", "x(1j).clamp(max=0)", "x(1j).clamp(L.tensor(1.))", "x(1j).clamp(1j)", "x(1j).clamp_(1)",
    "x(1j).clamp(L.tensor(1.), L.tensor(2.))", "L.clamp(x(1j), 1, out=L.empty(1, dtype=L.complex64))",
    # complex tensor bounds: the Tensor overload's kernels
    "x(1., 2.).clamp(L.tensor(1j))", "x(1., 2.).clamp(max=L.tensor([1j]))", "x(1.).clamp(L.tensor([1j]), L.tensor([2j]))",
    "x(1., d='float64').clamp(L.tensor([1j]), L.tensor([1j]))", "x(1.).clamp(L.tensor([1j], dtype=L.complex128))",
    "x(1, 2).clamp(L.tensor(1j))", "x(True).clamp(L.tensor([1j]))",
    # a 0-d tensor next to a number is a number; any other tensor there is a TypeError
    "x(1.).clamp(L.tensor(1j), 1)", "x(1.).clamp(1, L.tensor(1j))", "x(True).clamp(L.tensor(True), 1)",
    "x(1.).clamp(L.tensor([1.]), 1)", "x(1.).clamp(L.tensor([1.]), 1j)", "L.clamp(x(1.), L.tensor([0.]), 1)",
    "L.clamp(x(1.), 1j, L.tensor([0.]))",
    # bool inputs
    "x(True, False).clamp(0)", "x(True, False).clamp(0, 1)", "x(True, False).clamp(max=0)", "x(True).clamp(0, True)",
    "x(True).clamp(True, 0.5)", "x(True, False).clamp(False, True)", "x(True, False).clamp(0.5)",
    "x(True).clamp(True)", "x(True).clamp(max=True)", "x(True).clamp(1j)", "x(True).clamp(1j, 2)",
    "x(True, False).clamp(L.tensor(False))", "x(True, False).clamp(L.tensor([False, True]))",
    "x(True, False).clamp(min=L.tensor(0))", "x(True, False).clamp(min=L.tensor(0.5))",
    "x(True).clamp(L.tensor([False]), L.tensor([True]))", "x(True).clamp(L.tensor(False), L.tensor(True))",
    "x(True).clamp(L.tensor(True), L.tensor(1))", "x(True).clamp(max=L.tensor([True]))",
    "x(True, False).clamp_(0)", "x(True, False).clamp_(L.tensor(False))", "x(True).clamp_(True)",
    "x(True).clamp_(L.tensor(1))", "L.clamp(x(True, False), 0, out=L.empty(2))",
    "L.clamp(x(True), True, out=L.empty(1, dtype=L.bool))", "x(True, False).clip(0)",
    # in place with the Number overload names the input's C++ type
    "L.arange(4).clamp_(0.5)", "L.arange(4, dtype=L.int32).clamp_(0.5)", "L.arange(4, dtype=L.uint8).clamp_(0.5)",
    "L.arange(4, dtype=L.int8).clamp_(0.5)", "L.arange(4, dtype=L.int16).clamp_(0.5)", "L.arange(4).clamp_(1j)",
    "L.arange(4).clamp_(L.tensor(0.5))",
    # clamp_min / clamp_max
    "x(True, False).clamp_min(0)", "x(True).clamp_max(L.tensor(True))", "x(True).clamp_min(True)",
    "x(1.).clamp_min(1j)", "x(1.).clamp_min(1 + 0j)", "x(1j).clamp_min(1)", "x(1j).clamp_max(L.tensor(1.))",
    "x(1.).clamp_min(L.tensor([1j]))", "x(1.).clamp_min(L.tensor(1 + 0j))", "x(1j).clamp_min(L.tensor(1j))",
    "x(1).clamp_min(1.5)", "x(1).clamp_max(L.tensor(1.5))", "L.clamp_min(x(True), True)",
]


@pytest.mark.filterwarnings("ignore:An output with one or more elements was resized")
@pytest.mark.parametrize("expr", CLAMP_CASES)
def test_clamp_complex_and_bool(torch, expr):
    # see Note [clamp checks] in cpp/tensorbridge/ops/elementwise.cpp
    def run(L):
        def x(*v, d=None):
            return L.tensor(list(v), dtype=getattr(L, d) if d else None)
        return lambda: eval(expr, {"L": L, "x": x})
    same_outcome(run(tb), run(torch))
