"""tensorbridge.Size: the shape of a tensor, a tuple of ints (like torch.Size)."""

from __future__ import annotations


class Size(tuple):
    """The shape of a tensor: a tuple of ints that prints as ``tensorbridge.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"tensorbridge.Size([{', '.join(str(int(s)) for s in self)}])"

    def numel(self) -> int:
        """Number of elements a tensor of this shape holds (the product of the sizes)."""
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        r = super().__getitem__(key)
        return Size(r) if isinstance(key, slice) else r

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __reduce__(self):
        return (Size, (tuple(self),))


Size.__module__ = "tensorbridge"
