"""Gradients of the element-wise ops against torch (values, grad_fn names, gradcheck, second
derivatives), on hypothesis-generated float64 inputs."""
import math

import numpy as np
import pytest
from hypothesis import given, strategies as st, assume

from grad_harness import check_grad, Const
from op_harness import arrays, broadcast_pair

# name -> (domain, second_order): domain limits inputs where the function is smooth
UNARY = {
    "neg": (None, True), "abs": ("nonzero", True), "sign": ("frac", False), "floor": ("frac", False),
    "ceil": ("frac", False), "trunc": ("frac", False), "round": ("frac", False), "relu": ("nonzero", True),
    "exp": (None, True), "exp2": (None, True), "expm1": (None, True), "log": ("pos", True),
    "log2": ("pos", True), "log10": ("pos", True), "log1p": ("pos", True), "sqrt": ("pos", True),
    "rsqrt": ("pos", True), "sin": (None, True), "cos": (None, True), "tan": ("small", True),
    "asin": ("unit", True), "acos": ("unit", True), "atan": (None, True), "sinh": (None, True),
    "cosh": (None, True), "tanh": (None, True), "sigmoid": (None, True), "erf": (None, True),
    "reciprocal": ("pos", True),
}


def _domain(a, domain):
    if domain == "pos":
        return np.abs(a) + 0.5
    if domain == "unit":
        return np.clip(a, -0.9, 0.9) * 0.9
    if domain == "small":
        return np.clip(a, -1.2, 1.2)
    if domain == "frac":  # away from the jumps of floor/ceil/round/sign
        return np.floor(a) + 0.25
    if domain == "nonzero":
        return np.where(np.abs(a) < 1e-2, 0.5, a)
    return a


floats = st.floats(-3, 3, allow_nan=False, width=64)


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_grad(torch, name, data):
    domain, second = UNARY[name]
    a = _domain(data.draw(arrays("float64", st.sampled_from([(3,), (2, 3), ()]), elements=floats)), domain)
    check_grad(lambda lib, x: getattr(lib, name)(x), a, second_order=second)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_method_and_inplace(torch, name):
    domain, _ = UNARY[name]
    a = _domain(np.linspace(-0.8, 0.9, 6).reshape(2, 3), domain)
    check_grad(lambda lib, x: getattr(x * 1, name)(), a)
    check_grad(lambda lib, x: getattr(x * 1, name + "_")(), a)


BINARY = {
    "add": (lambda lib, a, b: a + b, None, True),
    "sub": (lambda lib, a, b: a - b, None, True),
    "mul": (lambda lib, a, b: a * b, None, True),
    "div": (lambda lib, a, b: a / b, "b_pos", True),
    "pow": (lambda lib, a, b: a ** b, "a_pos", True),
    "atan2": (lambda lib, a, b: lib.atan2(a, b), "b_pos", True),
    "maximum": (lambda lib, a, b: lib.maximum(a, b), None, False),
    "minimum": (lambda lib, a, b: lib.minimum(a, b), None, False),
    "remainder": (lambda lib, a, b: lib.remainder(a, b), "b_pos_away", False),
    "fmod": (lambda lib, a, b: lib.fmod(a, b), "b_pos_away", False),
    "add_alpha": (lambda lib, a, b: lib.add(a, b, alpha=2.5), None, True),
    "sub_alpha": (lambda lib, a, b: lib.sub(a, b, alpha=-1.5), None, True),
    "div_floor": (lambda lib, a, b: lib.div(a, b, rounding_mode="floor"), "b_pos_away", False),
    "div_trunc": (lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"), "b_pos_away", False),
}


def _fix(a, b, domain):
    if domain == "b_pos":
        b = np.abs(b) + 0.5
    elif domain == "a_pos":
        a = np.abs(a) + 0.5
    if domain != "b_pos_away":
        return np.asarray(a), np.asarray(b)
    elif domain == "b_pos_away":
        b = np.abs(b) + 0.5
        q = a / b  # keep a/b away from integers (the quotient's jumps break finite differences)
        a = (np.floor(q) + 0.5) * b
    return np.asarray(a), np.asarray(b)


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_grad(torch, name, data):
    f, domain, second = BINARY[name]
    sa, sb = data.draw(broadcast_pair())
    a = data.draw(arrays("float64", st.just(sa), elements=floats))
    b = data.draw(arrays("float64", st.just(sb), elements=floats))
    a, b = _fix(a, b, domain)
    if name in ("maximum", "minimum"):
        assume(np.all(np.abs(np.subtract(a, b)) > 1e-3) or np.broadcast(a, b).size == 0)
    check_grad(f, a, b, second_order=second)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_one_side_and_scalars(torch, name):
    f, domain, _ = BINARY[name]
    a, b = _fix(np.linspace(-1.3, 1.7, 6).reshape(2, 3), np.array([0.7, -1.1, 1.9]), domain)
    check_grad(f, a, Const(b))
    check_grad(f, Const(a), b)
    if name not in ("atan2", "maximum", "minimum"):
        check_grad(lambda lib, x: f(lib, x, 1.5), a)
    if name in ("add", "sub", "mul", "div", "pow"):
        check_grad(lambda lib, x: f(lib, 2.0, x), np.abs(b) + 0.5)


@pytest.mark.parametrize("op", ["add_", "sub_", "mul_", "div_", "pow_", "clamp_"])
def test_inplace_binary(torch, op):
    a = np.linspace(0.5, 2.0, 6).reshape(2, 3)
    b = np.array([0.7, 1.1, 1.9])

    def f(lib, x, y):
        z = x * 1
        if op == "clamp_":
            z.clamp_(0.75, 1.55)
        else:
            getattr(z, op)(y)
        return z
    check_grad(f, a, b)
    check_grad(f, a, Const(b))


def test_where_clamp_round(torch):
    a = np.array([[-1.5, 0.27, 2.0], [0.7, -0.33, 1.12]])
    b = np.array([0.5, -2.0, 3.0])
    check_grad(lambda lib, x, y: lib.where(x > 0, x, y), a, b)
    check_grad(lambda lib, x: lib.where(x > 0, x, 0.0), a)
    check_grad(lambda lib, x: x.clamp(-1.0, 1.0), a)
    check_grad(lambda lib, x: x.clamp(min=0.0), a)
    check_grad(lambda lib, x, lo: x.clamp(min=lo), a, b)
    check_grad(lambda lib, x, hi: x.clamp(max=hi), a, b)
    check_grad(lambda lib, x: lib.round(x, decimals=1), a)


def test_conversions_copy(torch):
    a = np.array([[1.5, -2.0], [0.25, 3.0]])
    check_grad(lambda lib, x: (x.float() * 2).double(), a, rtol=1e-6, atol=1e-6, gradcheck=False)
    check_grad(lambda lib, x: x.clone() * x, a)
    check_grad(lambda lib, x: x.t().contiguous() * 3, a)

    def copy_into(lib, x):
        z = lib.zeros(2, 2, dtype=lib.float64)
        z.copy_(x * 2)
        return z
    check_grad(copy_into, a)
