"""Benchmark rows for printing (issue 3): repr of typical tensors, tensorbridge vs torch."""

from __future__ import annotations

import numpy as np
import torch

import tensorbridge as tb
from harness import Row


def rows():
    """repr() of a 30x30 and a summarized 1000x1000 float32, an 8x8 complex64, 100 int64."""
    rng = np.random.default_rng(0)
    f30 = rng.standard_normal((30, 30)).astype(np.float32)
    f1000 = rng.standard_normal((1000, 1000)).astype(np.float32)
    c8 = (rng.standard_normal((8, 8)) + 1j * rng.standard_normal((8, 8))).astype(np.complex64)
    i100 = rng.integers(-10**6, 10**6, size=100).astype(np.int64)
    out = []
    for name, a, goal in [
        ("printing: repr float32 30x30", f30, 0.05),
        ("printing: repr float32 1000x1000 (summarized)", f1000, 1.0),
        ("printing: repr complex64 8x8", c8, 1.0),
        ("printing: repr int64 100", i100, 1.0),
    ]:
        x, t = tb.from_numpy(a), torch.from_numpy(a)
        out.append(Row(name, tb=lambda x=x: repr(x), torch=lambda t=t: repr(t),
                       numpy=lambda a=a: repr(a), goal=goal))
    return out
