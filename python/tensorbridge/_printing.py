"""Print options, as torch's: ``set_printoptions``, ``get_printoptions`` and ``printoptions``.

The tensor text itself is produced in C++ (``tb::repr``); this module only adds the context manager.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

from ._core import get_printoptions, set_printoptions

__all__ = ["get_printoptions", "printoptions", "set_printoptions"]


@contextlib.contextmanager
def printoptions(**kwargs) -> Iterator[None]:
    """Temporarily change the print options; takes the arguments of :func:`set_printoptions`.

    The previous options (as returned by :func:`get_printoptions`) are restored on exit, also
    when the block raises.
    """
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)
