"""Benchmarks: tensorbridge against torch and numpy in the same process.

    python bench/run.py [substring ...]

Rows come from bench/rows_*.py (each module defines ``rows()`` returning a list of Row);
arguments filter rows by substring. Prints a table of median times and ratios to torch.
"""

from __future__ import annotations

import importlib
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from harness import time_call  # noqa: E402


def _fmt(t):
    if t is None:
        return "-"
    for unit, scale in (("s", 1), ("ms", 1e3), ("us", 1e6), ("ns", 1e9)):
        if t * scale >= 1:
            return f"{t * scale:.3g} {unit}"
    return f"{t * 1e9:.3g} ns"


def main(argv):
    import torch

    here = pathlib.Path(__file__).parent
    rows = []
    for path in sorted(here.glob("rows_*.py")):
        rows += importlib.import_module(path.stem).rows()
    if argv:
        rows = [r for r in rows if any(a in r.name for a in argv)]
    print(f"torch {torch.__version__}, threads: torch={torch.get_num_threads()}, "
          f"cpus={os.cpu_count()}")
    head = f"{'row':44} {'tensorbridge':>13} {'torch':>11} {'numpy':>11} {'tb/torch':>9} {'goal':>6}"
    print(head)
    print("-" * len(head))
    for r in rows:
        t_tb = time_call(r.tb)
        t_torch = time_call(r.torch) if r.torch else None
        t_np = time_call(r.numpy) if r.numpy else None
        ratio = f"{t_tb / t_torch:.3f}" if t_torch else "-"
        goal = f"{r.goal:g}" if r.goal is not None else "-"
        ok = "" if r.goal is None or not t_torch else ("  ok" if t_tb / t_torch <= r.goal else "  MISS")
        print(f"{r.name:44} {_fmt(t_tb):>13} {_fmt(t_torch):>11} {_fmt(t_np):>11} {ratio:>9} {goal:>6}{ok}",
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
