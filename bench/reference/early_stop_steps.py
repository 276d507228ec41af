#!/usr/bin/env python3
"""How many steps each run of the rosenbrock paper grid takes under the spec's early stopping.

FOR THE GRID-TIME ESTIMATE ONLY (bench/reference/README.md). A fast numpy float32 simulation of
the descent loop of shared/docs/reference-spec.md §3.3 (patience 50, max 25,000 steps, start
(-1, 0, ..., 0), LRs from shared/lrs/math.csv), with the analytic rosenbrock gradient and
d = V g for the directional derivatives (mathematically what the forward-mode JVPs give).
The tangents come from numpy's generator, not torch's, and numpy rounds in a different order,
so individual runs stop at different steps than the original's would; the totals per
(n, approach) are what the estimate needs.

Usage: python3 bench/reference/early_stop_steps.py [--seeds 0 1] [--json out.json]
"""

import argparse
import csv
import json
import os

import numpy as np

F32 = np.float32


def rosenbrock(x):
    h = x[:-1]
    return F32((F32(100) * (x[1:] - h * h) ** 2 + (F32(1) - h) ** 2).sum(dtype=F32))


def rosenbrock_grad(x):
    g = np.zeros_like(x)
    if x.size < 2:
        return g
    h, t = x[:-1], x[1:]
    inner = t - h * h
    g[:-1] += F32(-400) * h * inner - F32(2) * (F32(1) - h)
    g[1:] += F32(200) * inner
    return g


def gradient(approach, k, x, rng):
    g = rosenbrock_grad(x)
    if approach == "bp":
        return g
    n = x.size
    v = rng.standard_normal((k, n), dtype=F32)
    d = v @ g
    if approach == "mean":
        return (v * d[:, None]).mean(axis=0, dtype=F32)
    if k > n:  # first_n
        v, d = v[:n], d[:n]
    gram = v @ v.T
    return v.T @ (np.linalg.inv(gram).astype(F32) @ d)


def run(n, approach, k, lr, seed, max_steps=25000, patience=50):
    rng = np.random.default_rng(seed)
    x = np.zeros(n, dtype=F32)
    x[0] = -1
    lr = F32(lr)
    current, last, without = rosenbrock(x), np.nan, 0
    with np.errstate(all="ignore"):
        for step in range(1, max_steps + 1):
            x = x - lr * gradient(approach, k, x, rng)
            last, current = current, rosenbrock(x)
            if np.isnan(x).any():
                return step, "NaN values"
            without = without + 1 if current >= last else 0
            if 0 < patience <= without:
                return step, "early stopping"
    return max_steps, "max steps"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--lrs", default=os.path.join(here, "../../../shared/lrs/math.csv"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    lrs = {}
    with open(args.lrs) as fh:
        for row in csv.DictReader(fh):
            if row["function"] != "rosenbrock":
                continue
            k = int(float(row["k"])) if row["k"] else 0
            agg = "bp" if row["gradient_approach"] == "bp" else (
                "mean" if "agg=mean" in row["optimizer"] else "frog")
            lrs[(int(row["n"]), agg, k)] = float(row["lr"])
    approaches = [("bp", 0), ("mean", 1)] + [(a, k) for k in (2, 4, 16) for a in ("mean", "frog")]
    out = []
    for n in [2 ** i for i in range(11)]:
        for agg, k in approaches:
            for seed in args.seeds:
                steps, reason = run(n, agg, k, lrs[(n, agg, k)], seed)
                out.append({"n": n, "approach": agg, "k": k, "seed": seed, "steps": steps, "reason": reason})
                print(f"{n:>5} {agg:<5} k={k:<3} seed {seed}: {steps:>6} steps ({reason})", flush=True)
    total = sum(r["steps"] for r in out)
    print(f"# total {total} steps over {len(out)} runs; upper bound {25000 * len(out)}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)


if __name__ == "__main__":
    main()
