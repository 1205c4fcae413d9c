"""The CPU thread pool: set/get_num_threads, results independent of the thread count, callers on
several Python threads at once, fork, and matrix products (OpenBLAS runs its threads on our pool)."""

import os
import sys
import threading
import time

import numpy as np
import pytest

import tensorbridge as tb


@pytest.fixture
def threads():
    saved = tb.get_num_threads()
    yield
    tb.set_num_threads(saved)


def _work(seed):
    """A mix of pooled kernels and BLAS; returns (tensorbridge results, numpy results)."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((300, 400), dtype=np.float32)
    b = rng.standard_normal((400, 500), dtype=np.float32)
    big = rng.standard_normal(300_000).astype(np.float32)
    ta, tb_, tbig = tb.from_numpy(a), tb.from_numpy(b), tb.from_numpy(big)
    ours = [(ta @ tb_).numpy(), (tbig * 2 + 1).numpy(), tb.where(tbig > 0, tbig, 0.0).numpy(),
            tbig.exp().sum().item()]
    ref = [a @ b, big * 2 + 1, np.where(big > 0, big, np.float32(0)), float(np.exp(big.astype(np.float64)).sum())]
    return ours, ref


def _check(ours, ref):
    np.testing.assert_allclose(ours[0], ref[0], rtol=1e-4, atol=1e-3)
    np.testing.assert_array_equal(ours[1], ref[1])
    np.testing.assert_array_equal(ours[2], ref[2])
    assert ours[3] == pytest.approx(ref[3], rel=1e-5)


def test_set_num_threads_roundtrip_and_validation(threads):
    tb.set_num_threads(3)
    assert tb.get_num_threads() == 3
    tb.set_num_threads(1)
    assert tb.get_num_threads() == 1
    with pytest.raises(TypeError):
        tb.set_num_threads("2")
    assert tb.get_num_threads() == 1


@pytest.mark.parametrize("bad", [0, -1])
def test_set_num_threads_rejects_non_positive_like_torch(threads, torch, bad):
    with pytest.raises(RuntimeError) as ours:
        tb.set_num_threads(bad)
    with pytest.raises(RuntimeError) as theirs:
        torch.set_num_threads(bad)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_results_do_not_depend_on_the_thread_count(threads, n):
    tb.set_num_threads(n)
    _check(*_work(n))


def test_python_threads_share_the_pool(threads):
    tb.set_num_threads(2)
    errors, done = [], []

    def run(seed):
        try:
            for r in range(5):
                _check(*_work(seed * 10 + r))
            done.append(seed)
        except Exception as e:  # reported below, in the test's thread
            errors.append(e)

    workers = [threading.Thread(target=run, args=(s,)) for s in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert not any(w.is_alive() for w in workers), "a thread hangs (pool deadlock)"
    assert not errors, errors
    assert sorted(done) == [0, 1, 2, 3]


@pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "darwin", reason="needs fork(): none on Windows, unsafe with threads on macOS")
def test_pool_works_in_a_forked_child(threads):
    tb.set_num_threads(2)
    _check(*_work(0))  # the parent's pool (and OpenBLAS's jobs) are running before the fork
    pid = os.fork()
    if pid == 0:  # child: any failure must end the process with a non-zero status
        code = 1
        try:
            _check(*_work(1))
            code = 0
        finally:
            os._exit(code)
    deadline_status = None
    for _ in range(1200):  # up to 120 s
        wpid, status = os.waitpid(pid, os.WNOHANG)
        if wpid:
            deadline_status = status
            break
        time.sleep(0.1)
    if deadline_status is None:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked child hangs (pool not reset after fork)")
    assert os.WIFEXITED(deadline_status) and os.WEXITSTATUS(deadline_status) == 0
