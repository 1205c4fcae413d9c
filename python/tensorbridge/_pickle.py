"""Pickle support for tensorbridge tensors.

``Tensor.__reduce_ex__`` (bindings/interop/pickle.cpp) reduces a tensor to a call of
:func:`_rebuild_tensor`; this module gives that function a stable import path
(``tensorbridge._pickle._rebuild_tensor``) for unpickling.
"""

from . import _core


def _rebuild_tensor(buffer, dtype, offset, shape, strides, requires_grad, copy):
    """Rebuilds a pickled tensor.

    ``buffer`` holds the bytes the original view addressed; ``offset``, ``shape`` and ``strides``
    (in elements) place the view inside it. With ``copy=False`` (protocol 5) the tensor wraps the
    buffer without copying and is read-only when the buffer is; with ``copy=True`` the bytes are
    copied into new writable memory.
    """
    return _core._tensor_from_pickle(buffer, dtype, offset, shape, strides, requires_grad, copy)
