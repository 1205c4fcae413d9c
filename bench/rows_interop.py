"""Bench rows of the interop protocols (issue 7): per-call cost of np.asarray / DLPack in both
directions, and a 100 MB pickle round trip with protocol 5 (out-of-band buffers).

The pickle rows also report the extra peak memory of one round trip (peak RSS above the
resident data, measured in a fresh subprocess per library) in the row name: out-of-band pickling
moves no extra copy, in-band pickling moves at least one.
"""

import pickle
import subprocess
import sys

import numpy as np
import torch

import tensorbridge as tb
from harness import Row

_PEAK_CODE = r"""
import pickle, resource, sys
import numpy as np
lib, mode = sys.argv[1], sys.argv[2]
a = np.ones(25 * 2**20, dtype=np.float32)  # 100 MiB
if lib == "tb":
    import tensorbridge as tb
    x = tb.from_numpy(a)
elif lib == "torch":
    import torch
    x = torch.from_numpy(a)
else:
    x = a
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if mode == "oob":
    bufs = []
    y = pickle.loads(pickle.dumps(x, protocol=5, buffer_callback=bufs.append), buffers=bufs)
else:
    y = pickle.loads(pickle.dumps(x, protocol=5))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) / 1024)
"""


def _extra_peak_mb(lib, mode):
    """Extra peak RSS (MiB) of one 100 MiB pickle round trip, in a fresh process."""
    try:
        out = subprocess.run([sys.executable, "-c", _PEAK_CODE, lib, mode], capture_output=True,
                             text=True, timeout=120, check=True)
        return float(out.stdout.strip().splitlines()[-1])
    except Exception:  # noqa: BLE001  (a bench row must not fail the whole run)
        return float("nan")


def _roundtrip_oob(x):
    bufs = []
    return pickle.loads(pickle.dumps(x, protocol=5, buffer_callback=bufs.append), buffers=bufs)


def _roundtrip_inband(x):
    return pickle.loads(pickle.dumps(x, protocol=5))


def rows():
    a = np.random.default_rng(0).standard_normal((5, 5)).astype(np.float32)
    t_tb, t_torch = tb.from_numpy(a), torch.from_numpy(a)
    big = np.ones(25 * 2**20, dtype=np.float32)  # 100 MiB
    big_tb, big_torch = tb.from_numpy(big), torch.from_numpy(big)
    peak = {(lib, mode): _extra_peak_mb(lib, mode) for lib in ("tb", "torch", "np")
            for mode in ("oob", "inband")}

    def mb(lib, mode):
        return f"{peak[(lib, mode)]:.0f}"

    return [
        Row("np.asarray(t) (5x5 float32)", lambda: np.asarray(t_tb), lambda: np.asarray(t_torch),
            lambda: np.asarray(a), goal=0.25),
        Row("np.from_dlpack(t) (5x5 float32)", lambda: np.from_dlpack(t_tb),
            lambda: np.from_dlpack(t_torch), lambda: np.from_dlpack(a), goal=0.25),
        Row("tb.from_dlpack(nd) (5x5 float32)", lambda: tb.from_dlpack(a),
            lambda: torch.from_dlpack(a), lambda: np.from_dlpack(a), goal=0.25),
        Row("t.__dlpack__(max_version=(1,0))", lambda: t_tb.__dlpack__(max_version=(1, 0)),
            lambda: t_torch.__dlpack__(max_version=(1, 0)), lambda: a.__dlpack__(max_version=(1, 0))),
        Row("from_dlpack(t.__dlpack__()) tb->tb / torch->torch",
            lambda: tb.from_dlpack(t_tb.__dlpack__(max_version=(1, 0))),
            lambda: torch.from_dlpack(t_torch.__dlpack__(max_version=(1, 0)))),
        Row("memoryview(t) (5x5 float32)", lambda: memoryview(t_tb), None, lambda: memoryview(a)),
        Row("asarray(nd) (5x5 float32)", lambda: tb.asarray(a), lambda: torch.asarray(a),
            lambda: np.asarray(a)),
        Row(f"pickle5 oob 100MB (extra peak MiB tb {mb('tb', 'oob')} torch {mb('torch', 'oob')} "
            f"np {mb('np', 'oob')})",
            lambda: _roundtrip_oob(big_tb), lambda: _roundtrip_oob(big_torch),
            lambda: _roundtrip_oob(big)),
        Row(f"pickle5 in-band 100MB (extra peak MiB tb {mb('tb', 'inband')} torch "
            f"{mb('torch', 'inband')} np {mb('np', 'inband')})",
            lambda: _roundtrip_inband(big_tb), lambda: _roundtrip_inband(big_torch),
            lambda: _roundtrip_inband(big)),
    ]
