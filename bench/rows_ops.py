"""Bench rows of the element-wise ops and reductions (issue 5, first half)."""

from __future__ import annotations

import numpy as np

from harness import Row


def rows():
    """tensorbridge vs torch vs numpy on the same inputs; goals are ratios tb/torch from the issue."""
    import torch

    import tensorbridge as tb

    small = np.arange(4, dtype=np.float32)
    big = np.random.default_rng(0).standard_normal(10_000_000).astype(np.float32)
    big2 = np.random.default_rng(1).standard_normal(10_000_000).astype(np.float32)
    mat = big.reshape(1000, 10_000)

    s_tb, s_t = tb.from_numpy(small.copy()), torch.from_numpy(small.copy())
    a_tb, b_tb = tb.from_numpy(big), tb.from_numpy(big2)
    a_t, b_t = torch.from_numpy(big), torch.from_numpy(big2)
    m_tb, m_t = tb.from_numpy(mat), torch.from_numpy(mat)
    return [
        Row("add: 4-element float32 t + t", tb=lambda: s_tb + s_tb, torch=lambda: s_t + s_t,
            numpy=lambda: small + small, goal=0.35),
        Row("add: 1e7 float32 t + t", tb=lambda: a_tb + b_tb, torch=lambda: a_t + b_t,
            numpy=lambda: big + big2, goal=1.0),
        Row("sum: 1e7 float32 full", tb=lambda: a_tb.sum(), torch=lambda: a_t.sum(),
            numpy=lambda: big.sum(), goal=1.0),
        Row("mul: 1e7 float32 t * 2.5 (scalar)", tb=lambda: a_tb * 2.5, torch=lambda: a_t * 2.5,
            numpy=lambda: big * np.float32(2.5)),
        Row("sum: 1000x10000 float32 dim=0", tb=lambda: m_tb.sum(0), torch=lambda: m_t.sum(0),
            numpy=lambda: mat.sum(0)),
        Row("exp: 1e7 float32", tb=lambda: a_tb.exp(), torch=lambda: a_t.exp(), numpy=lambda: np.exp(big)),
        Row("sum: 1000x10000 float32 dim=1", tb=lambda: m_tb.sum(1), torch=lambda: m_t.sum(1),
            numpy=lambda: mat.sum(1)),
        Row("mean: 1e7 float32 full", tb=lambda: a_tb.mean(), torch=lambda: a_t.mean(), numpy=lambda: big.mean()),
        Row("norm: 1e7 float32 (2-norm)", tb=lambda: a_tb.norm(), torch=lambda: a_t.norm(),
            numpy=lambda: np.linalg.norm(big)),
        Row("sigmoid: 1e7 float32", tb=lambda: a_tb.sigmoid(), torch=lambda: a_t.sigmoid()),
        Row("tanh: 1e7 float32", tb=lambda: a_tb.tanh(), torch=lambda: a_t.tanh(), numpy=lambda: np.tanh(big)),
    ]
