"""Bench rows of the random-number issue (4): samplers against torch's CPU generator.

Both libraries are reseeded inside every call, so each timed call produces the same values
(checked once here before timing: bit-identical results are part of the goal).
"""

import numpy as np
import torch

import tensorbridge as tb
from harness import Row


def _same(a, b):
    an, bn = a.numpy(), b.numpy()
    return an.dtype == bn.dtype and np.array_equal(an.view(np.uint8), bn.view(np.uint8))


def rows():
    cases = [
        ("randn 1e7 float32", lambda m: m.randn(10**7), lambda r: r.standard_normal(10**7, dtype=np.float32)),
        ("rand 1e7 float64", lambda m: m.rand(10**7, dtype=m.float64), lambda r: r.random(10**7)),
        ("randint(0, 100) 1e7 int64", lambda m: m.randint(0, 100, (10**7,)), lambda r: r.integers(0, 100, 10**7)),
        ("randperm 1e6", lambda m: m.randperm(10**6), lambda r: r.permutation(10**6)),
    ]
    out = []
    for name, make, make_np in cases:
        def run(m, make=make):
            m.manual_seed(0)
            return make(m)

        if not _same(run(tb), run(torch)):
            name += " (VALUES DIFFER)"
        out.append(Row(name, tb=lambda run=run: run(tb), torch=lambda run=run: run(torch),
                       numpy=lambda make_np=make_np: make_np(np.random.default_rng(0)), goal=1.0))
    return out
