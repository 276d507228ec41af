#!/usr/bin/env python3
"""Wall time of the full rosenbrock paper grid (spec §3.4: n = 1..1024, 8 approaches, 5 seeds,
up to 25,000 steps) from measured steps/s, for the original (torch_functions.py JSON) and ours
(ours_functions.ts JSON). Compute only: history DataFrames / CSV writing are left out on both sides.

Usage:
  python3 bench/reference/grid_estimate.py --torch t1.json t2.json --ours o1.json o2.json \
      [--steps early_stop_steps.json]

Per (n, approach) the rate is the median (and, separately, the best) of all repeats in the given
files. Step counts: "all" = 25,000 per run except n = 1, where f is identically 0 and patience 50
stops every run after 50 steps; "simulated" = the per-run counts from early_stop_steps.py (seed 0
counts used for all 5 seeds unless more seeds were simulated).
"""

import argparse
import json
import statistics
from collections import defaultdict

SEEDS = 5
MAX_STEPS = 25000
LABEL = {("bp", 0): "bp", ("mean", 1): "fg k=1"}


def rates(files):
    pooled = defaultdict(list)
    for path in files:
        with open(path) as fh:
            for row in json.load(fh)["rows"]:
                pooled[(row["n"], row["approach"])].extend(row["steps_per_s"])
    return pooled


def sim_label(r):
    if (r["approach"], r["k"]) in LABEL:
        return LABEL[(r["approach"], r["k"])]
    return f"{'fg-mean' if r['approach'] == 'mean' else 'frog'} k={r['k']}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--torch", nargs="+", required=True)
    p.add_argument("--ours", nargs="+", required=True)
    p.add_argument("--steps", default=None)
    p.add_argument("--table", action="store_true", help="also print a markdown table per (n, approach)")
    args = p.parse_args()
    t, o = rates(args.torch), rates(args.ours)
    if args.table:
        print("| n | approach | original steps/s best / median | ours wasm steps/s best / median "
              "| ours / original (medians) | (bests) |")
        print("|---:|---|---:|---:|---:|---:|")
        for key in sorted(t, key=lambda key: key[0]):
            tb, tm, ob, om = max(t[key]), statistics.median(t[key]), max(o[key]), statistics.median(o[key])
            print(f"| {key[0]} | {key[1]} | {tb:,.0f} / {tm:,.0f} | {ob:,.0f} / {om:,.0f} "
                  f"| {om / tm:.2f}x | {ob / tb:.2f}x |")
        print()
    keys = sorted(t, key=lambda key: key[0])
    missing = [key for key in keys if key not in o]
    if missing:
        raise SystemExit(f"ours has no measurement for {missing}")

    steps_all = {key: SEEDS * (50 if key[0] == 1 else MAX_STEPS) for key in keys}
    schemes = {"all 25,000 steps (n = 1: 50)": steps_all}
    if args.steps:
        with open(args.steps) as fh:
            sim = json.load(fh)
        per = defaultdict(list)
        for r in sim:
            per[(r["n"], sim_label(r))].append(r["steps"])
        schemes["simulated early stopping"] = {
            key: SEEDS * statistics.mean(per[key]) for key in keys}

    for name, steps in schemes.items():
        total = sum(steps.values())
        print(f"## {name}: {total:,.0f} steps in all")
        for stat in ("median", "best"):
            pick = statistics.median if stat == "median" else max
            ts = sum(steps[key] / pick(t[key]) for key in keys)
            os_ = sum(steps[key] / pick(o[key]) for key in keys)
            print(f"  {stat:>6} rates: original {ts / 3600:6.2f} h, ours (wasm) {os_ / 3600:6.2f} h, "
                  f"ratio {ts / os_:.2f}x")


if __name__ == "__main__":
    main()
