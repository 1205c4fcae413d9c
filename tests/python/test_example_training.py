"""The training example: its loss falls, and it ends where torch ends for the same seed and data."""
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "examples"))

import tensorbridge as tb  # noqa: E402
from train_mlp import train  # noqa: E402


def test_loss_falls_and_matches_torch(torch):
    ours = train(tb, log=None)
    ref = train(torch, log=None)
    assert ours[-1] < 0.5 * ours[0]
    assert all(b <= a * 1.05 for a, b in zip(ours, ours[1:]))  # falls step after step (SGD noise aside)
    # float32 sums in another order: equal to torch within float32 rounding
    np.testing.assert_allclose(ours, ref, rtol=2e-5)
