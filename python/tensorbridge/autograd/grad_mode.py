"""Grad-mode switches, usable as context managers and as decorators (like torch's)."""
import functools

from .. import _core


class _DecoratorContextManager:
    """A context manager that also decorates functions (each call runs inside the context)."""

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()


class _GradModeBlock(_DecoratorContextManager):
    """Sets grad mode to `mode` inside the block and restores the previous one on exit."""

    mode = True

    def __init__(self):
        self.prev = False

    def __enter__(self):
        self.prev = _core.is_grad_enabled()
        _core._set_grad_enabled(self.mode)

    def __exit__(self, *exc):
        _core._set_grad_enabled(self.prev)


class no_grad(_GradModeBlock):
    """Disables gradient recording inside the block (torch.no_grad)."""

    mode = False


class enable_grad(_GradModeBlock):
    """Enables gradient recording inside the block (torch.enable_grad)."""

    mode = True


class set_grad_enabled(_DecoratorContextManager):
    """set_grad_enabled(mode): sets grad mode now (a function call) or for a block (a context
    manager), as torch.set_grad_enabled."""

    def __init__(self, mode):
        self.prev = _core.is_grad_enabled()
        self.mode = bool(mode)
        _core._set_grad_enabled(self.mode)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _core._set_grad_enabled(self.prev)

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """inference_mode(mode=True): no gradient recording and is_inference_mode_enabled() inside.
    Tensors made inside are inference tensors (is_inference()), as torch's: outside inference mode
    they cannot be updated in place, made to require grad, saved for backward, or asked `_version`."""

    def __init__(self, mode=True):
        self.mode = bool(mode)
        self.prev = (False, False)

    def __call__(self, fn):
        if isinstance(fn, bool):  # @inference_mode(False) written as inference_mode()(False)
            return self.__class__(fn)
        return super().__call__(fn)

    def __enter__(self):
        self.prev = (_core.is_grad_enabled(), _core.is_inference_mode_enabled())
        if self.mode:
            _core._set_grad_enabled(False)
        _core._set_inference_mode(self.mode)

    def __exit__(self, *exc):
        _core._set_grad_enabled(self.prev[0])
        _core._set_inference_mode(self.prev[1])

    def clone(self):
        return self.__class__(self.mode)
