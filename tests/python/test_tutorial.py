"""examples/tutorial.py runs, and what it prints is what torch prints for the same data."""

import pathlib
import runpy
import subprocess
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "examples" / "tutorial.py"


def _torch_text(torch, obj):
    return repr(obj).replace("torch.", "tensorbridge.")


def test_tutorial_prints_what_torch_prints(torch):
    out = subprocess.run([sys.executable, str(TUTORIAL)], capture_output=True, text=True, check=True).stdout
    ns = runpy.run_path(str(TUTORIAL), run_name="tutorial_check")  # the same data, in-process
    d = ns["d"].copy()
    d[0, 0] = 0.0050  # the tutorial prints before it writes 0.0051
    expected_x = _torch_text(torch, torch.from_numpy(d))
    assert out.startswith(expected_x + "\n")
    torch.manual_seed(0)
    w = torch.randn([5, 5], requires_grad=True)
    expected_w = _torch_text(torch, w)
    assert expected_w in out
    a = w.detach().numpy()
    assert str(a) in out
    assert "share memory with w: True" in out
    np.testing.assert_array_equal(ns["a"], a)
