"""tensorbridge: a tensor library with PyTorch's semantics and zero-copy NumPy interoperability.

    >>> import numpy as np, tensorbridge as tb
    >>> x = tb.from_numpy(np.arange(3.0))   # shares memory with the array
    >>> x.numpy()                            # and back, no copy
    array([0., 1., 2.])
"""

from ._size import Size
from . import _core
from ._core import *  # noqa: F401,F403  (Tensor, dtype, device, factories, from_numpy, ...)
from ._core import Tensor, dtype, device  # noqa: F401  (explicit for type checkers)

__version__ = "0.1.0"

# The classes are defined in the extension; users (and pickle) know them as tensorbridge.X.
for _cls in (Tensor, dtype, device):
    _cls.__module__ = "tensorbridge"
del _cls

# torch's dtype aliases
float = _core.float32  # noqa: A001
double = _core.float64
half = _core.float16
cfloat = _core.complex64
cdouble = _core.complex128
short = _core.int16
int = _core.int32  # noqa: A001
long = _core.int64
bool = _core.bool  # noqa: A001

# Optional areas: each adds one import line here.
from ._printing import printoptions  # noqa: E402,F401  (set/get_printoptions come from _core)
from . import autograd  # noqa: E402  (also adds Tensor.backward)
from .autograd import no_grad, enable_grad, set_grad_enabled, inference_mode  # noqa: E402,F401
