"""Bench rows of autograd (issue 6): per-op overhead of recording and running the tape, and a
training step where the matrix products dominate."""

from __future__ import annotations

from harness import Row


def _chain(lib, x):
    y = x
    for i in range(25):  # 100 element-wise ops
        y = (y * 1.01 + 0.5).tanh() - y * 0.5
    y.sum().backward()
    return x.grad


def _mlp_step(lib, x, y, params, lr=0.01):
    w1, b1, w2, b2 = params
    pred = (x @ w1 + b1).relu() @ w2 + b2
    loss = ((pred - y) ** 2).mean()
    for p in params:
        p.grad = None
    loss.backward()
    with lib.no_grad():
        for p in params:
            p -= lr * p.grad
    return loss


def _mlp(lib):
    lib.manual_seed(0)
    x = lib.randn(256, 512)
    y = lib.randn(256, 1)
    params = [(lib.randn(512, 512) * 0.04).requires_grad_(), lib.zeros(512, requires_grad=True),
              (lib.randn(512, 1) * 0.04).requires_grad_(), lib.zeros(1, requires_grad=True)]
    return lambda: _mlp_step(lib, x, y, params)


def rows():
    import torch

    import tensorbridge as tb

    x_tb = tb.ones(4, requires_grad=True)
    x_t = torch.ones(4, requires_grad=True)
    return [
        Row("autograd: 100 elementwise ops fwd+bwd, 4 elems", tb=lambda: _chain(tb, x_tb),
            torch=lambda: _chain(torch, x_t), goal=0.5),
        Row("autograd: MLP step 256x512 float32", tb=_mlp(tb), torch=_mlp(torch), goal=1.0),
    ]
