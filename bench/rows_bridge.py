"""Bench rows of the NumPy bridge (the foundation issue): per-call cost of crossing the bridge."""

import numpy as np
import torch

import tensorbridge as tb
from harness import Row


def rows():
    a = np.random.default_rng(0).standard_normal((5, 5))
    t_tb, t_torch = tb.from_numpy(a), torch.from_numpy(a)
    w_tb, w_torch = tb.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    floats = [float(i) * 0.5 for i in range(25)]
    return [
        Row("from_numpy(5x5 float64)", lambda: tb.from_numpy(a), lambda: torch.from_numpy(a), goal=0.25),
        Row(".numpy() (5x5 float64)", lambda: t_tb.numpy(), lambda: t_torch.numpy(), goal=0.25),
        Row("detach().numpy() (5x5, requires_grad)", lambda: w_tb.detach().numpy(),
            lambda: w_torch.detach().numpy(), goal=0.25),
        Row("tensor(list of 25 floats)", lambda: tb.tensor(floats), lambda: torch.tensor(floats),
            lambda: np.array(floats, dtype=np.float32)),
    ]
