"""Timing harness for bench/run.py: median of many repeats, torch and numpy in the same process."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable, Optional


@dataclass
class Row:
    """One benchmark row: the same work done by tensorbridge, torch and (optionally) numpy.

    Each callable is a zero-argument closure over pre-built inputs; ``goal`` is the target
    ratio tensorbridge/torch from the issue (None when the issue sets none).
    """

    name: str
    tb: Callable[[], object]
    torch: Optional[Callable[[], object]] = None
    numpy: Optional[Callable[[], object]] = None
    goal: Optional[float] = None


def time_call(fn: Callable[[], object], min_time: float = 0.2, repeats: int = 15) -> float:
    """Median seconds per call of fn, over `repeats` batches each lasting about min_time/repeats."""
    fn()  # warm up
    n = 1
    while True:  # calibrate the batch size
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_time / repeats or n >= 1 << 20:
            break
        n *= 4
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        samples.append((time.perf_counter() - t0) / n)
    return statistics.median(samples)
