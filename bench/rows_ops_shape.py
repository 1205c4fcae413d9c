"""Bench rows of the shape/index/linalg half of the CPU ops issue: a transposing copy, a float32
matmul through the BLAS seam, and boolean-mask indexing."""

import numpy as np
import torch

import tensorbridge as tb
from harness import Row


def rows():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((4096, 4096)).astype(np.float32)
    a_tb, a_t = tb.from_numpy(a), torch.from_numpy(a)
    m = rng.standard_normal((1024, 1024)).astype(np.float32)
    n = rng.standard_normal((1024, 1024)).astype(np.float32)
    m_tb, n_tb, m_t, n_t = tb.from_numpy(m), tb.from_numpy(n), torch.from_numpy(m), torch.from_numpy(n)
    v = rng.standard_normal(1_000_000).astype(np.float32)
    mask = v > 0
    v_tb, mask_tb, v_t, mask_t = tb.from_numpy(v), tb.from_numpy(mask), torch.from_numpy(v), torch.from_numpy(mask)
    return [
        Row("permute(1,0).contiguous() 4096x4096 float32", lambda: a_tb.permute(1, 0).contiguous(),
            lambda: a_t.permute(1, 0).contiguous(), lambda: np.ascontiguousarray(a.T), goal=1.0),
        Row("matmul 1024x1024 float32", lambda: m_tb @ n_tb, lambda: m_t @ n_t, lambda: m @ n, goal=1.1),
        Row("boolean-mask indexing x[mask] 1e6 float32", lambda: v_tb[mask_tb], lambda: v_t[mask_t],
            lambda: v[mask], goal=1.0),
    ]
