"""Anomaly detection (torch.autograd.detect_anomaly / set_detect_anomaly)."""
import atexit
import traceback
import warnings

from .. import _core
from .grad_mode import _DecoratorContextManager


def _forward_trace():
    # the Python stack of the forward call, without this function's frame
    return "".join(traceback.format_list(traceback.extract_stack()[:-1]))


def _report(name, trace):
    warnings.warn(f"Error detected in {name}. Traceback of forward call that caused the error:\n{trace}",
                  UserWarning, stacklevel=2)


def _set(enabled, check_nan):
    _core._set_anomaly_enabled(bool(enabled), bool(check_nan), _forward_trace, _report)


class detect_anomaly(_DecoratorContextManager):
    """Inside the block, nodes remember the forward traceback; a failing backward function reports
    it (as a UserWarning) and, with check_nan, gradients holding nan raise RuntimeError."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self.prev = (False, True)
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and "
                      "should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self):
        self.prev = (_core.is_anomaly_enabled(), _core.is_anomaly_check_nan_enabled())
        _set(True, self.check_nan)

    def __exit__(self, *exc):
        _set(*self.prev)

    def clone(self):
        return self.__class__(self.check_nan)


class set_detect_anomaly:
    """set_detect_anomaly(mode, check_nan=True): a function call, or a context manager that restores
    the previous setting on exit."""

    def __init__(self, mode, check_nan=True):
        self.prev = (_core.is_anomaly_enabled(), _core.is_anomaly_check_nan_enabled())
        _set(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _set(*self.prev)


def _release_at_exit():
    # the C++ side keeps the two callables above while anomaly mode is on; drop them while the
    # interpreter still runs
    if _core.is_anomaly_enabled():
        _core._set_anomaly_enabled(False, True, None, None)


atexit.register(_release_at_exit)
