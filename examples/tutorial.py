"""The tutorial tensorbridge grew from: NumPy arrays into tensors and back, without copies.

Run it with:  python examples/tutorial.py
"""

import numpy as np

import tensorbridge as tb

# A 5x5 float64 array from NumPy becomes a tensor that shares its memory and keeps float64.
d = np.array([[0.0050, 0.8963, -0.7895, 0.3241, -1.2210],
              [2.3930, 1.4334, 1.0084, -0.0411, 0.5572],
              [-0.6637, 0.1122, 0.9918, 1.7604, -2.0453],
              [0.0601, -0.3320, 0.4489, -1.1093, 0.8861],
              [1.2345, -0.9876, 0.5555, 0.0100, -0.2500]])
x = tb.from_numpy(d)
print(x)

# Writes through either side are seen by the other: no copy was made.
d[0, 0] = 0.0051
assert x.tolist()[0][0] == 0.0051

# A tensor of standard normal samples that records gradients.
tb.manual_seed(0)
w = tb.randn([5, 5], requires_grad=True)
print(w)

# Back to NumPy without a copy: .data and .detach() leave autograd, .cpu() is a no-op on the CPU.
a = w.data.cpu().numpy()
b = w.detach().numpy()
print(a)
print(b)
assert np.shares_memory(a, b)
print("a and b share memory with w:", a.ctypes.data == b.ctypes.data == w.data_ptr())
