"""Autograd on complex tensors against torch: values, grad_fn names, gradients (torch's conjugate
Wirtinger convention), gradcheck with real and imaginary perturbations, second derivatives, on
hypothesis-generated complex128 inputs. Also: real inputs meeting complex values (the gradient is
the real part), the errors torch raises, and the ops that still refuse complex autograd."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tensorbridge as tb
from grad_harness import check_grad, Const
from op_harness import arrays, broadcast_pair

cplx = st.complex_numbers(max_magnitude=2.5, allow_nan=False, allow_infinity=False)
reals = st.floats(-2.5, 2.5, allow_nan=False, width=64)
shapes = st.sampled_from([(3,), (2, 3), ()])


def _domain(z, domain):
    """Keeps inputs where the function is smooth (away from poles, zeros and branch cuts)."""
    z = np.asarray(z)
    if domain == "right":  # log/sqrt/reciprocal: the right half-plane, away from 0 and the cut
        return np.asarray(np.abs(z.real) + 0.5 + 1j * z.imag)
    if domain == "small":  # tan/tanh/sigmoid poles, asin/acos/atan cuts: |re|, |im| <= 0.6
        return np.asarray(np.clip(z.real, -2.5, 2.5) * 0.24 + 1j * np.clip(z.imag, -2.5, 2.5) * 0.24)
    if domain == "nonzero":
        return np.asarray(np.where(np.abs(z) < 1e-2, 0.5 + 0.5j, z))
    return z


def cdata(data, shape=shapes, domain=None):
    return _domain(data.draw(arrays("complex128", shape, elements=cplx)), domain)


# name -> domain
UNARY = {
    "neg": None, "exp": None, "exp2": None, "expm1": None, "log": "right", "log2": "right",
    "log10": "right", "log1p": "right", "sqrt": "right", "rsqrt": "right", "reciprocal": "right",
    "sin": None, "cos": None, "tan": "small", "sinh": None, "cosh": None, "tanh": "small",
    "sigmoid": "small", "asin": "small", "acos": "small", "atan": "small", "abs": "nonzero",
    "conj": None, "conj_physical": None, "real": None, "imag": None,
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_complex(torch, name, data):
    z = cdata(data, domain=UNARY[name])
    check_grad(lambda lib, x: getattr(lib, name)(x), z, second_order=True)


@pytest.mark.parametrize("name", ["neg", "exp", "log", "sqrt", "sin", "tanh", "sigmoid", "reciprocal"])
def test_unary_complex_method_and_inplace(torch, name):
    z = _domain(np.array([[0.3 + 0.2j, -0.1 + 0.5j, 0.4 - 0.3j], [0.2 + 0.1j, 0.5 - 0.5j, -0.2 - 0.1j]]),
                "right" if name in ("log", "sqrt", "reciprocal") else "small")
    check_grad(lambda lib, x: getattr(x * 1, name)(), z)
    check_grad(lambda lib, x: getattr(x * 1, name + "_")(), z)


BINARY = {
    "add": lambda lib, a, b: a + b,
    "sub": lambda lib, a, b: a - b,
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "add_alpha": lambda lib, a, b: lib.add(a, b, alpha=1.5 - 0.5j),
    "sub_alpha": lambda lib, a, b: lib.sub(a, b, alpha=-2.0),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_complex(torch, name, data):
    sa, sb = data.draw(broadcast_pair(max_dims=2, max_side=3))
    a = cdata(data, sa)
    b = cdata(data, sb, domain="nonzero" if name == "div" else None)
    check_grad(BINARY[name], a, b, second_order=True)


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_real_with_complex(torch, name, data):
    """A real input that meets a complex one gets the real part of its complex gradient."""
    sa, sb = data.draw(broadcast_pair(max_dims=2, max_side=3))
    r = data.draw(arrays("float64", sa, elements=reals))
    z = cdata(data, sb, domain="nonzero")
    check_grad(BINARY[name], r, z, second_order=True)
    if name == "div":
        r = np.where(np.abs(r) < 1e-2, 0.5, r)
    check_grad(BINARY[name], z, r, second_order=True)


@pytest.mark.parametrize("scalar", [2.0, -1.5 + 0.5j, 1j])
@given(data=st.data())
def test_tensor_with_complex_scalar(torch, scalar, data):
    z = cdata(data, domain="nonzero")
    r = data.draw(arrays("float64", shapes, elements=reals))
    for f in (lambda lib, x: x * scalar, lambda lib, x: x + scalar, lambda lib, x: scalar - x,
              lambda lib, x: x / scalar, lambda lib, x: scalar / x):
        check_grad(f, z, second_order=True)
        check_grad(f, np.where(np.abs(r) < 1e-2, 0.5, r), second_order=True)


@pytest.mark.parametrize("exponent", [2, 3.5, -1.5, 0, 0.5 + 1j])
@given(data=st.data())
def test_pow_scalar_exponent(torch, exponent, data):
    z = cdata(data, domain="right")
    check_grad(lambda lib, x: x ** exponent, z, second_order=True)
    check_grad(lambda lib, x: lib.pow(x, exponent), z)
    if isinstance(exponent, complex):  # real base, complex exponent: a complex result
        r = np.asarray(np.abs(data.draw(arrays("float64", shapes, elements=reals))) + 0.5)
        check_grad(lambda lib, x: x ** exponent, r, second_order=True)


@given(data=st.data())
def test_casts_between_real_and_complex(torch, data):
    r = data.draw(arrays("float64", shapes, elements=reals))
    z = cdata(data)
    check_grad(lambda lib, x: x.to(lib.complex128) * (1 + 2j), r, second_order=True)
    check_grad(lambda lib, x: (x * (2 - 1j)).abs(), np.where(np.abs(r) < 1e-2, 0.5, r))
    check_grad(lambda lib, x: lib.real(x * x) + lib.imag(x), z, second_order=True)
    check_grad(lambda lib, x: x.to(lib.complex64).to(lib.complex128), z, gradcheck=False)
    check_grad(lambda lib, x: x.clone() * 1j, z)


@given(data=st.data())
def test_abs_at_zero(torch, data):
    z = np.array(cdata(data, st.just((4,))))
    z[0] = 0
    check_grad(lambda lib, x: x.abs(), z, gradcheck=False)


# ---- reductions ---------------------------------------------------------------------------------
REDUCE = {
    "sum": lambda lib, x: x.sum(),
    "sum_dim": lambda lib, x: x.sum(-1, keepdim=True),
    "mean": lambda lib, x: x.mean(),
    "mean_dim": lambda lib, x: x.mean(0),
    "prod": lambda lib, x: x.prod(),
    "prod_dim": lambda lib, x: x.prod(-1),
    "cumsum": lambda lib, x: x.cumsum(0),
    "cumprod": lambda lib, x: x.cumprod(-1),
    "var": lambda lib, x: x.var(),
    "var_dim": lambda lib, x: x.var(-1, keepdim=True),
    "std": lambda lib, x: x.std(),
    "std_dim": lambda lib, x: x.std(0, correction=0),
    "norm": lambda lib, x: x.norm(),
    "norm_1": lambda lib, x: x.norm(1),
    "norm_3_dim": lambda lib, x: x.norm(3, -1),
    "norm_half": lambda lib, x: x.norm(0.5),
    "norm_1_5": lambda lib, x: x.norm(1.5, 0, keepdim=True),
    "norm_inf": lambda lib, x: x.norm(float("inf")),
}


@pytest.mark.parametrize("name", sorted(REDUCE))
@given(data=st.data())
def test_reductions_complex(torch, name, data):
    # no tiny nonzero values: prod's second derivatives there are huge sums that cancel (both
    # libraries lose every digit); exact zeros are test_prod_with_zero's
    z = cdata(data, st.sampled_from([(3,), (2, 3)]), domain="nonzero")
    if name.startswith("std") or name == "norm_inf":
        # away from std == 0 (infinite second derivatives) and from ties of the largest |z|
        z = z + 0.3j * np.arange(z.size).reshape(z.shape)
    check_grad(REDUCE[name], z, second_order=True)


@pytest.mark.parametrize("name", ["prod", "prod_dim", "cumprod"])
def test_prod_with_zero(torch, name):
    z = np.array([[0.5 + 1j, 0, -1 + 0.25j], [2 - 1j, 1j, 0.5]])
    check_grad(REDUCE[name], z, second_order=True)


# ---- views, shape ops, indexing -----------------------------------------------------------------
SHAPE = {
    "reshape": lambda lib, x: x.reshape(3, 2) * 1j,
    "view": lambda lib, x: (x * 1).view(6),
    "permute": lambda lib, x: x.permute(1, 0),
    "transpose": lambda lib, x: x.transpose(0, 1),
    "t": lambda lib, x: x.t(),
    "expand": lambda lib, x: x[:1].expand(4, 3),
    "unsqueeze": lambda lib, x: x.unsqueeze(1).squeeze(),
    "index": lambda lib, x: x[lib.from_numpy(np.array([1, 0, 1]))],
    "select": lambda lib, x: x[1],
    "slice": lambda lib, x: x[:, ::2],
    "index_select": lambda lib, x: x.index_select(1, lib.from_numpy(np.array([2, 0, 2]))),
    "gather": lambda lib, x: x.gather(1, lib.from_numpy(np.array([[0, 0], [2, 1]]))),
    "cat": lambda lib, x: lib.cat([x, x * (1 - 1j)], 0),
    "stack": lambda lib, x: lib.stack([x, x.conj()], 1),
    "flip": lambda lib, x: x.flip(0),
    "unbind": lambda lib, x: x.unbind(0)[1],
    "split": lambda lib, x: x.split(1, 1)[2],
    "repeat": lambda lib, x: x.repeat(2, 1),
    "roll": lambda lib, x: x.roll(1, 1),
    "scatter_add": lambda lib, x: x.scatter_add(1, lib.from_numpy(np.array([[0, 0], [2, 1]])), x[:, 1:] * 1j),
    "scatter": lambda lib, x: x.scatter(1, lib.from_numpy(np.array([[0, 2], [2, 1]])), x[:, 1:] * 1j),
    "scatter_value": lambda lib, x: x.scatter(1, lib.from_numpy(np.array([[0], [2]])), 2.0),
    "masked_fill": lambda lib, x: x.masked_fill(lib.from_numpy(np.array([True, False, True])), 1.5),
    "masked_fill_tensor": lambda lib, x: x.masked_fill(lib.from_numpy(np.array([[True], [False]])), x[0, 0]),
    "index_put": lambda lib, x: x.index_put((lib.from_numpy(np.array([1])),), x[0] * 1j),
    "take": lambda lib, x: x.take(lib.from_numpy(np.array([5, 0, 3]))),
    "where": lambda lib, x: lib.where(lib.from_numpy(np.array([True, False, True])), x, x * 2j),
    "where_scalar": lambda lib, x: lib.where(lib.from_numpy(np.array([True, False, True])), x, 1.5),
}


@pytest.mark.parametrize("name", sorted(SHAPE))
@given(data=st.data())
def test_shape_ops_complex(torch, name, data):
    z = cdata(data, st.just((2, 3)))
    check_grad(SHAPE[name], z, second_order=True)


def test_copy_and_fill_complex(torch):
    z = np.array([[0.5 + 1j, -1j, 2], [1 - 1j, 0.25j, -0.5 + 0.5j]])
    r = np.array([0.5, -2.0, 1.5])

    def f(lib, x, y):
        b = x * 1
        b[0].copy_(y)          # a real source copied into a complex tensor
        b[1, 1:].fill_(2 - 1j)
        return b * (1 + 1j)
    check_grad(f, z, r)


def test_inplace_through_view_complex(torch):
    z = np.array([[0.5 + 1j, -1j, 2], [1 - 1j, 0.25j, -0.5 + 0.5j]])
    r = np.array([0.5, -2.0, 1.5])

    def f(lib, x, y):
        b = x * 1
        b[0].mul_(y)   # a complex view written in place with a real factor
        b[1] += 1j
        return b.exp()
    check_grad(f, z, r)


# ---- matrix products ----------------------------------------------------------------------------
MATMUL = [((3, 4), (4, 2)), ((2, 3, 4), (2, 4, 2)), ((3, 4), (4,)), ((4,), (4,)), ((4,), (4, 2)),
          ((2, 3, 4), (4, 2)), ((3, 4), (2, 4, 2)), ((2, 1, 3, 4), (3, 4, 1))]


@pytest.mark.parametrize("sa,sb", MATMUL)
@given(data=st.data())
def test_matmul_complex(torch, sa, sb, data):
    a, b = cdata(data, st.just(sa)), cdata(data, st.just(sb))
    check_grad(lambda lib, x, y: x @ y, a, b, second_order=True)
    check_grad(lambda lib, x, y: lib.matmul(x, y), a, Const(b))


@given(data=st.data())
def test_mm_bmm_mv_dot_complex(torch, data):
    a, b = cdata(data, st.just((2, 3))), cdata(data, st.just((3, 2)))
    check_grad(lambda lib, x, y: lib.mm(x, y), a, b, second_order=True)
    check_grad(lambda lib, x, y: lib.mv(x, y[:, 0]), a, b, second_order=True)
    check_grad(lambda lib, x, y: lib.dot(x[0], y[:, 1]), a, b, second_order=True)
    a3, b3 = cdata(data, st.just((2, 2, 3))), cdata(data, st.just((2, 3, 2)))
    check_grad(lambda lib, x, y: lib.bmm(x, y), a3, b3, second_order=True)


# ---- engine: accumulation, roots, errors --------------------------------------------------------
def test_backward_accumulates_complex_grad(torch):
    z = np.array([0.5 + 1j, -1j, 2 - 0.5j])
    got, want = [], []
    for lib, out in ((tb, got), (torch, want)):
        x = lib.from_numpy(z.copy()).requires_grad_()
        r = lib.from_numpy(np.array([1.0, -2.0, 0.5])).requires_grad_()
        (x * r).abs().sum().backward()
        (x.exp() * r).abs().pow(2).sum().backward()  # .grad accumulates
        out += [x.grad.numpy(), r.grad.numpy(), str(x.grad.dtype).split(".")[-1], str(r.grad.dtype).split(".")[-1]]
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-12)
    assert got[2:] == want[2:] == ["complex128", "float64"]


def test_backward_of_complex_scalar_raises(torch):
    msgs = []
    for lib in (tb, torch):
        x = lib.from_numpy(np.array([1 + 2j, 3j])).requires_grad_()
        with pytest.raises(RuntimeError) as e:
            (x * x).sum().backward()
        msgs.append(str(e.value).replace("torch.", "tensorbridge."))
    assert msgs[0] == msgs[1]
    assert "grad can be implicitly created only for real scalar outputs" in msgs[0]


def test_grad_output_must_match_complexity(torch):
    msgs = []
    for lib in (tb, torch):
        x = lib.from_numpy(np.array([1 + 2j, 3j])).requires_grad_()
        with pytest.raises(RuntimeError) as e:
            lib.autograd.grad(x * 2, x, lib.ones(2, dtype=lib.float64))
        msgs.append(str(e.value).replace("torch.", "tensorbridge."))
    assert msgs[0] == msgs[1]


def test_complex_loss_through_real_part(torch):
    z = np.array([[0.5 + 1j, -1j], [2 - 0.5j, 0.3 + 0.3j]])
    got, want = [], []
    for lib, out in ((tb, got), (torch, want)):
        x = lib.from_numpy(z.copy()).requires_grad_()
        lib.real((x @ x.conj().t()).sum()).backward()
        out.append(x.grad.numpy())
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)


# ---- gradcheck on complex functions -------------------------------------------------------------
def test_gradcheck_checks_imaginary_perturbations(torch):
    """A gradient whose imaginary part is wrong (conjugated by a hook) must fail gradcheck, as in
    torch: only the imaginary perturbations can see it."""
    z = np.array([0.5 + 1j, -0.25 + 0.5j])
    results = []
    for lib in (tb, torch):
        def f(x):
            y = x * (2 + 1j)
            y.register_hook(lambda g: g.conj() if hasattr(g, "resolve_conj") else lib.conj(g))
            return y.exp()
        x = lib.from_numpy(z.copy()).requires_grad_()
        results.append(lib.autograd.gradcheck(f, (x,), raise_exception=False))
        ok = lib.autograd.gradcheck(lambda x: (x * (2 + 1j)).exp(), (x,))
        assert ok
    assert results == [False, False]


def test_gradgradcheck_complex(torch):
    z = tb.from_numpy(np.array([0.5 + 1j, -0.25 + 0.5j, 1 - 1j])).requires_grad_()
    assert tb.autograd.gradgradcheck(lambda x: (x * x.conj() * x).sin(), (z,))
    r = tb.from_numpy(np.array([0.5, -0.25])).requires_grad_()
    assert tb.autograd.gradgradcheck(lambda x: (x * (1 + 1j)).exp(), (r,))


# ---- ops that still refuse ----------------------------------------------------------------------
REFUSED = {
    "number_base_pow": lambda x: 2 ** x,
    "pow_tensor_exponent": lambda x: x ** x,
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_ops_without_complex_rules_refuse(name):
    x = tb.from_numpy(np.array([0.5 + 1j, -1j, 2.0 + 0j])).requires_grad_()
    with pytest.raises(NotImplementedError, match="autograd for complex tensors is not supported"):
        REFUSED[name](x)
    with tb.no_grad():  # the forward itself works
        REFUSED[name](x)


def test_real_input_into_refused_complex_op():
    r = tb.from_numpy(np.array([0.5, 1.0, 2.0])).requires_grad_()
    with pytest.raises(NotImplementedError, match="PowBackward1"):
        (r * 1j) ** tb.from_numpy(np.array([2.0, 1.0, 0.5]))
