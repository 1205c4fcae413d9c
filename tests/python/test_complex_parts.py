"""real / imag as torch has them: views of the complex memory (writes go through, strides double,
imag starts one real further), t.real / t.imag attributes with assignment, a real tensor's real
is itself, imag of a real tensor raises; while autograd records they are copies with torch's
gradients (test_autograd_complex.py), and assigning then is refused instead of writing a copy."""

import numpy as np
import pytest

import tensorbridge as tb


def _z(lib):
    return lib.tensor([[1 + 2j, 3 - 1j, -2j], [4 + 0.5j, 0j, 7 + 7j]], dtype=lib.complex128)


@pytest.mark.parametrize("part", ["real", "imag"])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "sliced"])
def test_parts_are_views_like_torch(torch, part, layout):
    out = {}
    for lib in (torch, tb):
        z = _z(lib)
        z = {"contiguous": z, "transposed": z.t(), "sliced": z[:, 1:]}[layout]
        p = getattr(z, part)
        q = getattr(lib, part)(z)
        meta = (p.dtype == lib.float64, tuple(p.shape), tuple(p.stride()), p.storage_offset(),
                tuple(q.stride()), q.storage_offset())
        p[0] = 100.0  # writes the complex tensor
        p.mul_(2)
        out[lib.__name__] = (meta, np.asarray(z.numpy()), z._version)
    (m_t, v_t, ver_t), (m_b, v_b, ver_b) = out["torch"], out["tensorbridge"]
    assert m_b == m_t
    np.testing.assert_array_equal(v_b, v_t)
    assert ver_b == ver_t


def test_assigning_parts_like_torch(torch):
    res = []
    for lib in (torch, tb):
        z = _z(lib)
        z.real = lib.tensor([5.0, 6.0, 7.0])  # broadcast over rows
        z.imag = 0
        x = lib.tensor([1.0, 2.0])
        x.real = lib.tensor([7.0, 8.0])
        res.append((z.numpy().copy(), x.numpy().copy(), x.real is x, lib.real(x) is x))
    np.testing.assert_array_equal(res[1][0], res[0][0])
    np.testing.assert_array_equal(res[1][1], res[0][1])
    assert res[1][2:] == res[0][2:] == (True, True)


def test_part_errors_like_torch(torch):
    for call in (lambda lib: lib.tensor([1.0]).imag, lambda lib: lib.imag(lib.tensor([1])),
                 lambda lib: lib.real(3)):
        errs = []
        for lib in (torch, tb):
            with pytest.raises((RuntimeError, TypeError)) as e:
                call(lib)
            errs.append((type(e.value).__name__, str(e.value)))
        assert errs[1] == errs[0]


def test_parts_share_numpy_memory_and_keep_read_only():
    a = np.array([1 + 1j, 2 + 2j], dtype=np.complex64)
    t = tb.from_numpy(a)
    t.real.mul_(10)
    t.imag[1] = -5
    np.testing.assert_array_equal(a, np.array([10 + 1j, 20 - 5j], dtype=np.complex64))
    ro = np.array([1 + 1j])
    ro.flags.writeable = False
    with pytest.raises(RuntimeError, match="read-only"):
        tb.from_numpy(ro).real.fill_(0)
    with tb.inference_mode():
        inf = tb.ones(2, dtype=tb.complex64)
    assert inf.real.is_inference()
    assert inf.view(tb.float32).is_inference()


def test_parts_while_autograd_records():
    w = tb.tensor([1 + 2j], requires_grad=True)
    assert w.real.grad_fn.name() == "SelectBackward0"
    with pytest.raises(NotImplementedError):
        w.real = 3.0  # would write a copy: refused rather than lost
    with tb.no_grad():
        w.imag = 5.0
    assert w.detach().numpy().tolist() == [1 + 5j]
