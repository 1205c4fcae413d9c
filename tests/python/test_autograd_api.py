"""The autograd API against torch: backward/grad options, .grad accumulation, retain_grad, hooks,
grad modes, anomaly detection, version counters and torch's error messages."""
import re
import warnings

import numpy as np
import pytest

import tensorbridge as tb


def both(torch):
    return (("torch", torch), ("tb", tb))


def err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e), str(e).replace("torch.", "tensorbridge.")
    return None


def same_error(torch, make):
    """make(lib) raises in both libraries with the same type and text (torch. -> tensorbridge.)."""
    t = err(lambda: make(torch))
    b = err(lambda: make(tb))
    assert t is not None, "torch did not raise"
    assert b is not None, f"tensorbridge did not raise (torch: {t})"
    assert b[0].__name__ == t[0].__name__, (b, t)
    assert b[1] == t[1], f"\n tb:    {b[1]}\n torch: {t[1]}"


def leaf(lib, data=((1.0, 2.0, 3.0), (4.0, 5.0, 6.0)), dtype="float64"):
    return lib.tensor(data, dtype=getattr(lib, dtype), requires_grad=True)


# ---- errors ----------------------------------------------------------------------------------
def test_backward_twice(torch):
    def f(lib):
        x = leaf(lib)
        y = (x * x).sum()
        y.backward()
        y.backward()
    same_error(torch, f)


def test_backward_twice_allowed_without_saved_tensors(torch):
    for name, lib in both(torch):
        x = leaf(lib)
        y = (x + 1).sum()
        y.backward()
        y.backward()
        assert x.grad.tolist() == [[2.0] * 3] * 2, name


@pytest.mark.parametrize("case", ["output", "input_nonleaf", "input_leaf"])
def test_inplace_modified_saved_tensor(torch, case):
    def f(lib):
        x = leaf(lib)
        if case == "output":
            y = x.exp()
            y.mul_(2)
            y.sum().backward()
        elif case == "input_nonleaf":
            a = x * 1
            y = a * a
            a.add_(1)
            y.sum().backward()
        else:
            w = lib.ones(3)
            l = lib.ones(3, requires_grad=True)
            y = l * w
            w.add_(1)
            y.sum().backward()
    same_error(torch, f)


def test_inplace_on_leaf_and_view_of_leaf(torch):
    same_error(torch, lambda lib: leaf(lib).add_(1))
    same_error(torch, lambda lib: leaf(lib).mul_(2))
    same_error(torch, lambda lib: leaf(lib)[0].add_(1))


def test_nonscalar_backward_and_missing_grad(torch):
    same_error(torch, lambda lib: (leaf(lib) * 2).backward())
    same_error(torch, lambda lib: lib.ones(3).backward())
    same_error(torch, lambda lib: lib.ones(2, requires_grad=True).backward(lib.ones(3)))


def test_numpy_of_requires_grad(torch):
    same_error(torch, lambda lib: leaf(lib).numpy())
    same_error(torch, lambda lib: (leaf(lib) * 2).numpy())
    for _, lib in both(torch):
        assert leaf(lib).detach().numpy().shape == (2, 3)


def test_grad_errors(torch):
    same_error(torch, lambda lib: lib.autograd.grad((leaf(lib) * 2).sum(), [leaf(lib)]))
    same_error(torch, lambda lib: lib.autograd.grad((leaf(lib) * 2).sum(), [lib.ones(2)]))


def test_requires_grad_on_nonleaf(torch):
    same_error(torch, lambda lib: (leaf(lib) * 2).requires_grad_(False))

    def set_attr(lib):
        (leaf(lib) * 2).requires_grad = False
    same_error(torch, set_attr)
    same_error(torch, lambda lib: lib.ones(2, dtype=lib.int64).requires_grad_())


# ---- behaviour -------------------------------------------------------------------------------
def test_grad_accumulates_and_zero(torch):
    res = {}
    for name, lib in both(torch):
        x = leaf(lib)
        (x * x).sum().backward()
        (x * 3).sum().backward()
        g1 = x.grad.tolist()
        x.grad.zero_()
        (x ** 3).sum().backward()
        res[name] = (g1, x.grad.tolist(), x.is_leaf, (x * 2).is_leaf)
    assert res["tb"] == res["torch"]


def test_grads_do_not_alias(torch):
    for _, lib in both(torch):
        a, b = leaf(lib), leaf(lib)
        (a + b).sum().backward()
        a.grad.add_(1)
        assert b.grad.tolist() == [[1.0] * 3] * 2


def test_retain_grad_and_hooks(torch):
    res = {}
    for name, lib in both(torch):
        x = leaf(lib)
        y = x * 2
        y.retain_grad()
        seen = []
        h = y.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
        x.register_hook(lambda g: g + 1)
        (y * y).sum().backward()
        h.remove()
        z = x * 2
        z.retain_grad()
        (z * z).sum().backward()
        res[name] = (y.retains_grad, y.grad.tolist(), seen, x.grad.tolist(), z.grad.tolist())
    assert res["tb"] == res["torch"]


def test_grad_fn_graph_and_names(torch):
    res = {}
    for name, lib in both(torch):
        x = leaf(lib)
        w = lib.ones(3, dtype=lib.float64, requires_grad=True)
        y = (x * w + 1).sum()
        fn = y.grad_fn
        chain = []
        while fn is not None:
            nxt = [f for f, _ in fn.next_functions]
            chain.append((fn.name().replace("torch::", "tensorbridge::"),
                          [None if f is None else f.name().replace("torch::", "tensorbridge::") for f in nxt]))
            fn = next((f for f in nxt if f is not None), None)
        acc = y.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0]
        res[name] = (chain, acc.variable is x or acc.variable.data_ptr() == x.data_ptr())
    assert res["tb"] == res["torch"]


def test_repr_shows_grad_fn(torch):
    x, tx = leaf(tb), leaf(torch)
    assert repr(x * 2).replace("tensorbridge", "torch") == repr(tx * 2)
    assert repr(x).replace("tensorbridge", "torch") == repr(tx)
    assert repr((x * 2).sum()).replace("tensorbridge", "torch") == repr((tx * 2).sum())


def test_backward_options(torch):
    res = {}
    for name, lib in both(torch):
        x = leaf(lib)
        w = leaf(lib, ((0.5, -1.0, 2.0),))
        y = (x * w).exp().sum()
        y.backward(retain_graph=True)
        g1 = x.grad.tolist()
        y.backward(inputs=[w])
        out = lib.autograd.grad((x * w).sum(), [x, w], create_graph=True)
        gg = lib.autograd.grad(out[1].sum(), x, allow_unused=True)
        v = x * 3
        lib.autograd.backward([v.sum(), (v * v).sum()], [lib.tensor(1.0, dtype=lib.float64), None])
        res[name] = (g1, x.grad.tolist(), w.grad.tolist(), gg[0].tolist(), out[0].requires_grad)
    assert res["tb"] == res["torch"]


def test_grad_modes(torch):
    res = {}
    for name, lib in both(torch):
        x = leaf(lib)
        with lib.no_grad():
            a = x * 2
            with lib.enable_grad():
                b = x * 2
        with lib.set_grad_enabled(False):
            c = x * 2
        lib.set_grad_enabled(False)
        d = x * 2
        lib.set_grad_enabled(True)

        @lib.no_grad()
        def f():
            return x * 2, lib.is_grad_enabled()

        with lib.inference_mode():
            e = x * 2
            inf = lib.is_inference_mode_enabled()
        res[name] = (a.requires_grad, b.requires_grad, c.requires_grad, d.requires_grad,
                     f()[0].requires_grad, f()[1], e.requires_grad, inf, lib.is_grad_enabled(),
                     lib.is_inference_mode_enabled())
    assert res["tb"] == res["torch"]


def test_version_counter_detach_and_data(torch):
    res = {}
    for name, lib in both(torch):
        x = lib.ones(3, requires_grad=True)
        v0 = x._version
        d = x.detach()
        d.add_(1)
        dd = x.data
        dd.add_(1)
        y = x.exp()
        x.detach().mul_(2)  # shares the counter: caught
        e = err(lambda: y.sum().backward())
        res[name] = (v0, x._version, d._version, dd._version, e is not None)
    assert res["tb"] == res["torch"]
    same_error(torch, lambda lib: (lambda x: (lambda y: (x.detach().mul_(2), y.sum().backward()))(x.sin()))(
        lib.ones(3, requires_grad=True)))


def test_inplace_on_views_of_nonleaf(torch):
    res = {}
    for name, lib in both(torch):
        x = leaf(lib)
        w = leaf(lib, (7.0, 8.0, 9.0))
        b = x * 1
        b[0].mul_(2)
        b[1] = w * 3
        names = b.grad_fn.name().replace("torch::", "tensorbridge::")
        (b * b).sum().backward()
        buf = lib.zeros(3, dtype=lib.float64)
        buf[1] = (w * 2)[0]
        buf.sum().backward()
        res[name] = (names, x.grad.tolist(), w.grad.tolist())
    assert res["tb"] == res["torch"]


def test_anomaly_mode(torch):
    def nan_case(lib):
        with lib.autograd.detect_anomaly():
            a = lib.zeros(1, requires_grad=True)
            (a.sqrt() * 0).sum().backward()
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        same_error(torch, nan_case)
    msgs = [str(w.message) for w in wt]
    assert any(m.startswith("Error detected in SqrtBackward0. Traceback of forward call") and
               "a.sqrt()" in m for m in msgs), msgs

    def saved_case(lib):
        with lib.autograd.detect_anomaly():
            x = leaf(lib)
            y = x.exp()
            y.mul_(2)
            y.sum().backward()
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        same_error(torch, saved_case)
    assert not tb.is_anomaly_enabled()
    with tb.autograd.set_detect_anomaly(True):
        assert tb.is_anomaly_enabled()
    assert not tb.is_anomaly_enabled()


def test_gradcheck_detects_wrong_gradients():
    x = tb.tensor([0.3, 0.7], dtype=tb.float64, requires_grad=True)
    assert tb.autograd.gradcheck(lambda t: (t * t).sin(), (x,))
    assert tb.autograd.gradgradcheck(lambda t: (t * t).sin(), (x,))

    def wrong(t):  # the hook scales the gradient: the analytical Jacobian is wrong
        y = t * 2
        if y.requires_grad:
            y.register_hook(lambda g: g * 3)
        return y
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        tb.autograd.gradcheck(wrong, (x,))
    assert tb.autograd.gradcheck(wrong, (x,), raise_exception=False) is False


def test_no_reference_cycle_leaks():
    import gc
    import weakref

    x = tb.ones(3, requires_grad=True)
    y = (x * 2).exp()
    r = weakref.ref(y)
    y.sum().backward()
    del y
    gc.collect()
    assert r() is None


def test_out_with_requires_grad(torch):
    same_error(torch, lambda lib: lib.add(leaf(lib), 1, out=lib.empty(2, 3, dtype=lib.float64)))
    same_error(torch, lambda lib: lib.exp(leaf(lib), out=lib.empty(2, 3, dtype=lib.float64)))
    same_error(torch, lambda lib: lib.mul(leaf(lib), leaf(lib), out=lib.empty(2, 3, dtype=lib.float64)))
    for _, lib in both(torch):
        with lib.no_grad():
            o = lib.empty(2, 3, dtype=lib.float64)
            lib.add(leaf(lib), 1, out=o)
            assert o.tolist() == [[2.0, 3.0, 4.0], [5.0, 6.0, 7.0]]


def test_tensor_of_tensor_is_a_new_leaf(torch):
    for _, lib in both(torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = lib.tensor(leaf(lib) * 2)
        assert y.grad_fn is None and not y.requires_grad and y.is_leaf


def test_version_counts_like_torch(torch):
    def run(lib):
        x = lib.zeros(3, 4)
        seq = [x._version]
        x.add_(1); seq.append(x._version)
        x[0] = 2; seq.append(x._version)
        x[:, 1] += 1; seq.append(x._version)
        x[lib.tensor([0, 2])] = 5.0; seq.append(x._version)
        x.mul_(2).sub_(1); seq.append(x._version)
        lib.add(x, 1, out=x); seq.append(x._version)
        x.clamp_(0, 3); seq.append(x._version)
        x.masked_fill_(x > 1, 0.0); seq.append(x._version)
        x.zero_(); x.fill_(2); seq.append(x._version)
        x.exp_(); seq.append(x._version)
        x.view(12).neg_(); seq.append(x._version)
        y = x.t().contiguous(); seq.append(y._version)
        x.copy_(y.t()); seq.append(x._version)
        x.scatter_(0, lib.zeros(1, 4, dtype=lib.int64), 1.0); seq.append(x._version)
        x.resize_(12); seq.append(x._version)
        x.round_(); x.abs_(); seq.append(x._version)
        z = lib.randn(3); z.normal_(); z.uniform_(); seq.append(z._version)
        fresh = [lib.ones(2), lib.full((2,), 3.0), lib.rand(2), lib.randint(0, 3, (2,)), lib.randperm(3),
                 lib.arange(3), lib.eye(2), lib.ones(2).clone(), lib.ones(2).double(), lib.tensor([1.0])]
        return seq, [t._version for t in fresh]
    assert run(tb) == run(torch)


def test_hooks_make_no_hidden_cycles_and_exit_cleanly():
    import gc
    import subprocess
    import sys
    import weakref

    x = tb.ones(2, requires_grad=True)
    x.register_hook(lambda g: g * x)  # the hook refers to its own tensor
    r = weakref.ref(x)
    del x
    gc.collect()
    assert r() is None  # the cycle goes through Python objects only: collected

    script = ("import tensorbridge as tb\n"
              "tb.autograd.set_detect_anomaly(True)\n"
              "x = tb.ones(2, requires_grad=True)\n"
              "h = x.register_hook(lambda g: g * 2)\n"
              "y = x * 2\n"
              "y.grad_fn.register_hook(lambda gi, go: None)\n"
              "(y * 2).sum().backward()\n")
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "leaked" not in p.stderr, p.stderr


# ---- inference tensors -------------------------------------------------------------------------
def _inference_tensors(lib):
    """(made in inference mode, a view of a normal tensor made there, its detach, a normal one)."""
    n = lib.ones(3)
    with lib.inference_mode():
        a = lib.ones(3) * 2
        v = n[:2]
        d = n.detach()
        c = lib.zeros(2).clone()
    return a, v, d, c, n


def test_inference_tensors_are_marked_as_torch_marks_them(torch):
    for name, lib in both(torch):
        a, v, d, c, n = _inference_tensors(lib)
        flags = [a.is_inference(), v.is_inference(), d.is_inference(), c.is_inference(), n.is_inference(),
                 a[:1].is_inference(), a.detach().is_inference(), (a + 1).is_inference(), a.clone().is_inference()]
        if name == "torch":
            expected = flags
        else:
            assert flags == expected
    with tb.inference_mode():
        with tb.inference_mode(False):
            assert not tb.ones(1).is_inference()
        x = tb.ones(2)
        x.add_(1)  # in place inside inference mode is fine
        x.requires_grad_()
        x.requires_grad_(False)

    @tb.inference_mode()
    def make():
        return tb.ones(1)

    assert make().is_inference()


@pytest.mark.parametrize("case", ["version", "add_", "mul_", "zero_", "fill_", "copy_", "setitem", "out=",
                                  "requires_grad_", "normal_", "uniform_", "clamp_", "index_put_",
                                  "saved", "view_add_"])
def test_inference_tensor_errors_outside_inference_mode(torch, case):
    def make(lib):
        a, v, d, c, n = _inference_tensors(lib)
        w = lib.ones(3, requires_grad=True)
        if case == "version":
            return a._version
        if case == "add_":
            return a.add_(1)
        if case == "mul_":
            return a.mul_(a)
        if case == "zero_":
            return a.zero_()
        if case == "fill_":
            return a.fill_(3)
        if case == "copy_":
            return a.copy_(n)
        if case == "setitem":
            a[0] = 5
        if case == "out=":
            return lib.add(n, n, out=a)
        if case == "requires_grad_":
            return a.requires_grad_()
        if case == "normal_":
            return a.normal_()
        if case == "uniform_":
            return a.uniform_()
        if case == "clamp_":
            return a.clamp_(0, 1)
        if case == "index_put_":
            return a.index_put_((lib.tensor([0]),), lib.tensor([1.0]))
        if case == "saved":
            return w * a
        if case == "view_add_":
            return a[:2].add_(1)

    same_error(torch, make)


def test_inference_tensors_still_work_where_torch_allows(torch):
    for lib in (torch, tb):
        a, v, d, c, n = _inference_tensors(lib)
        w = lib.ones(3, requires_grad=True)
        (w + a).sum().backward()  # add saves nothing
        assert w.grad.tolist() == [1.0, 1.0, 1.0]
        v.add_(1)  # a view of a normal tensor made in inference mode is a normal tensor
        n.copy_(a)  # reading an inference tensor is fine
        assert n.tolist() == [2.0, 2.0, 2.0]
        assert a.requires_grad_(False).tolist() == [2.0, 2.0, 2.0]
        assert (a.clone().requires_grad_() * w).sum().item() == 6.0
