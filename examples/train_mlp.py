"""Train a 2-layer MLP with plain SGD on generated data, using tensorbridge's autograd.

    python examples/train_mlp.py            # prints the loss falling
    python examples/train_mlp.py --torch    # also runs the same code with torch, for comparison

The same function runs with either library (`lib` is the module), and the random numbers are
torch's streams, so both see the same data and the same initial weights.
"""
import sys

import tensorbridge as tb


def train(lib, steps=200, lr=0.1, seed=0, log_every=20, log=print):
    """Fits y = sin(x @ w) + noise with a tanh MLP; returns the losses of every step."""
    lib.manual_seed(seed)
    n, d, hidden = 256, 8, 32
    x = lib.randn(n, d)
    w_true = lib.randn(d, 1)
    y = (x @ w_true).sin() + 0.1 * lib.randn(n, 1)

    w1 = (lib.randn(d, hidden) / d ** 0.5).requires_grad_()
    b1 = lib.zeros(hidden, requires_grad=True)
    w2 = (lib.randn(hidden, 1) / hidden ** 0.5).requires_grad_()
    b2 = lib.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]

    losses = []
    for step in range(steps):
        pred = (x @ w1 + b1).tanh() @ w2 + b2
        loss = ((pred - y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= lr * p.grad
        losses.append(loss.item())
        if log and (step % log_every == 0 or step == steps - 1):
            log(f"step {step:4d}  loss {losses[-1]:.6f}")
    return losses


if __name__ == "__main__":
    print("tensorbridge:")
    ours = train(tb)
    if "--torch" in sys.argv:
        import torch
        print("torch:")
        ref = train(torch)
        print(f"final loss: tensorbridge {ours[-1]:.7f}, torch {ref[-1]:.7f}")
