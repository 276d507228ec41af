"""GFLOPS of one float32 square matrix product in PyTorch on the CPU (a BLAS / load probe).

Not a re-implementation of anything in the original: it tells the interleaving driver how fast
torch's BLAS runs at the moment, next to the model timings. One untimed warm-up product, then
--repeats timed products of two fixed N(0, 1) matrices; a sample is one product's wall time.

Usage:

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/reference/torch_matmul.py \\
      [--size 1024] [--repeats 20] [--threads 2] [--json out.json]

Row matmul/<size>: median_s, min_s, max_s, samples (seconds per product) and gflops
(2·size³ / median_s; gflops_best from min_s). With --check it compares one product with a
float64 product (max relative error).
"""
import argparse
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_common import finish_meta, load_line, start_meta, timing_row, write_json  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    meta = start_meta("torch_matmul.py", size=args.size, repeats=args.repeats)
    gen = torch.Generator().manual_seed(0)
    a = torch.randn((args.size, args.size), generator=gen)
    b = torch.randn((args.size, args.size), generator=gen)
    c = a @ b  # warm-up
    samples = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        c = a @ b
        samples.append(time.perf_counter() - t0)
    flops = 2 * args.size**3
    row = timing_row(f"matmul/{args.size}", samples)
    row["gflops"] = flops / row["median_s"] / 1e9
    row["gflops_best"] = flops / row["min_s"] / 1e9
    finish_meta(meta)
    if args.check:
        err = ((c.double() - a.double() @ b.double()).abs().max() / c.abs().max()).item()
        meta["check_max_rel_err"] = err
        print(f"  check float32 product vs float64: max rel err {err:.1e} {'OK' if err < 1e-4 else 'FAIL'}")
    print(f"matmul/{args.size}: median {row['median_s'] * 1e3:.2f} ms ({row['gflops']:.1f} GFLOPS), "
          f"min {row['min_s'] * 1e3:.2f} ms ({row['gflops_best']:.1f} GFLOPS), {args.threads} threads")
    print(f"# {load_line(meta)}; peak RSS {meta['peak_rss_mb']:.0f} MB", flush=True)
    write_json(args.json, meta, [row])
    if args.check and meta["check_max_rel_err"] >= 1e-4:
        sys.exit("check failed")


if __name__ == "__main__":
    main()
