"""Shared pytest setup: the torch reference for differential tests.

Differential tests take the ``torch`` fixture. Without torch they are skipped, unless
``TB_REQUIRE_TORCH=1`` (set by CI), in which case they fail: CI must never silently skip them.
"""

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=200, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("TB_HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


def _import_torch():
    try:
        import torch
    except ImportError:
        if os.environ.get("TB_REQUIRE_TORCH") == "1":
            pytest.fail("torch is required (TB_REQUIRE_TORCH=1) but cannot be imported")
        pytest.skip("torch is not installed (set TB_REQUIRE_TORCH=1 to make this a failure)")
    return torch


@pytest.fixture(scope="session")
def torch():
    """The real PyTorch, the reference every differential test compares against."""
    return _import_torch()
