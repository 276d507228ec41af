"""Shared helpers of the PyTorch timing scripts that write the common JSON format.

The format, read by the interleaving driver:

  {"meta": {"tool": "torch_fc.py", "torch": "1.13.0a0", "threads": 2, "python": "3.11.2",
            "load_start": [1, 5, 15 min], "load_end": [...], "started": "2026-12-03T17:30:00Z",
            "peak_rss_mb": 312.5, ...script-specific keys},
   "rows": [{"id": "fc/bp", "median_s": .., "min_s": .., "max_s": .., "samples": [..], ...}, ...]}

`samples` are seconds (per step for the training scripts, per grid run for the approximation
grid, per product for matmul); the extra keys of a row describe what was timed.
"""
import datetime
import json
import os
import platform
import resource
import statistics
import sys
import time

import torch


def require_fast_blas(min_gflops=20.0):
    """Stops (exit 2) when torch's matrix products run on the reference BLAS.

    Same idea as torch_models.py: Debian's python3-torch is built with BLAS_INFO=generic and
    uses whatever libblas.so.3 is installed; the reference BLAS (about 5 GFLOPS here) would make
    every timing meaningless. Install libopenblas0-pthread.
    """
    a, b = torch.randn(512, 512), torch.randn(512, 512)
    a @ b
    best = float("inf")
    for _ in range(8):  # the fastest of 8 products, so that a load spike does not stop the run
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    gflops = 2 * 512**3 / best / 1e9
    if gflops < min_gflops:
        sys.exit(
            f"torch's 512x512 matmul runs at {gflops:.1f} GFLOPS (< {min_gflops}): the reference BLAS; "
            "install OpenBLAS (apt-get install libopenblas0-pthread) before timing"
        )
    return gflops


def peak_rss_mb():
    """Peak resident set size of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def start_meta(tool, **extra):
    """The meta object at the start of a run; `finish_meta` completes it."""
    return {
        "tool": tool,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "load_start": list(os.getloadavg()),
        "started": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "openblas_env": {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ},
        **extra,
    }


def finish_meta(meta):
    meta["load_end"] = list(os.getloadavg())
    meta["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return meta


def timing_row(row_id, samples, **extra):
    """One row: median/min/max of the samples (seconds), the samples, and any extra keys."""
    return {
        "id": row_id,
        "median_s": statistics.median(samples),
        "min_s": min(samples),
        "max_s": max(samples),
        "samples": list(samples),
        **extra,
    }


def write_json(path, meta, rows):
    """Writes {meta, rows} to path (when given) atomically: a .part file, then a rename."""
    if path:
        with open(path + ".part", "w") as fh:
            json.dump({"meta": meta, "rows": rows}, fh, indent=1)
            fh.write("\n")
        os.replace(path + ".part", path)


def load_line(meta):
    s, e = meta["load_start"], meta.get("load_end", ["?"] * 3)
    return f"/proc/loadavg 1/5/15 min: start {s[0]:.2f} {s[1]:.2f} {s[2]:.2f}, end {e[0]:.2f} {e[1]:.2f} {e[2]:.2f}"
