#!/usr/bin/env python3
"""Timing stand-in for the original (PyTorch) function-optimisation experiment.

THIS IS A RE-IMPLEMENTATION FOR TIMING ONLY. It is not the authors' code (which is not part
of this project); it was written from the functional description in
shared/docs/reference-spec.md §3.1-3.4 and §1.2-1.6 so that the per-step work matches the
original's: the same PyTorch calls in the same order, the same Python loop over tangents, the
same float32 tensors and the same per-step Python bookkeeping (the call order was cross-checked
by reading the public repository Helmholtz-AI-Energy/frog; nothing was copied). Its numbers are not used for any
result of this project; only its steps/s are, to say how much faster the TypeScript port is.

What one gradient-descent step does (spec §3.2-3.3):
  * bp: clone x, requires_grad, f(x_copy).backward(), gradient = x_copy.grad.
  * fg (k tangents): V = torch.randn((k, n), generator=<CPU torch.Generator seeded per run>);
    then, in a Python loop over the k rows v_j, one dual-number evaluation of f inside its own
    torch.autograd.forward_ad.dual_level() (make_dual(x, v_j) -> f -> unpack_dual(..).tangent);
    the k 0-d JVPs are collected with torch.tensor([...], dtype=torch.float32).
    Aggregation: mean = (V[:, :, None] * d[:, None, None]).mean(0) (the k x n x 1 "individual
    forward gradients" then the mean), or orthogonal projection ("frog"): first n rows when
    k > n, B = V^T, Gram = B^T B, explicit torch.linalg.inv(Gram), result B (Gram^-1 d).
  * x <- x - lr * gradient; last <- current; current <- f(x) (a 0-d tensor); the history row
    stores current.item() and the step's wall time; stop check: NaN in x (isnan().any().item()),
    current >= last -> steps_without_improvement += 1 else 0, stop when 0 < patience <= it.

Usage (CPU, 2 intra-op threads by default):
  python3 bench/reference/torch_functions.py                       # n = 16 256 1024, all 8 approaches
  python3 bench/reference/torch_functions.py --ns 1 2 4 8 16 32 64 128 256 512 1024 --steps 200
  python3 bench/reference/torch_functions.py --repeats 5 --steps 500 --json out.json

Needs PyTorch >= 1.11 (torch.autograd.forward_ad); measured with Debian's python3-torch 1.13.
"""

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

import torch
import torch.autograd.forward_ad as fwAD

# ---------------------------------------------------------------------------------------------
# Test functions (spec §3.1), vectorised torch code in float32.


def rosenbrock(x, a=1.0, b=100.0):
    head = x[:-1]
    return (b * (x[1:] - head ** 2) ** 2 + (a - head) ** 2).sum()


def sphere(x):
    return (x ** 2).sum()


def styblinski_tang(x):
    return 0.5 * (x ** 4 - 16 * x ** 2 + 5 * x).sum()


FUNCTIONS = {
    # name: (f, start(n), max_steps)
    "rosenbrock": (rosenbrock, lambda n: [-1.0] + [0.0] * (n - 1), 25000),
    "sphere": (sphere, lambda n: [-1.0] * n, 1000),
    "styblinski-tang": (styblinski_tang, lambda n: [0.0] * n, 1000),
}

# ---------------------------------------------------------------------------------------------
# Gradient computations (spec §3.2).


class Backprop:
    label = "bp"

    def __init__(self, seed=0):
        self.generator = torch.Generator()
        self.generator.manual_seed(seed)

    def gradient(self, f, x):
        x_copy = x.clone()
        x_copy.requires_grad = True
        x_copy.grad = None
        f(x_copy).backward()
        return x_copy.grad


def aggregate_mean(tangents, d):
    k = tangents.shape[0]
    individual = tangents.view(k, -1, 1) * d.view(k, 1, -1)  # k x n x 1
    return individual.mean(dim=0)


def aggregate_orthogonal_projection(tangents, d):
    k, n = tangents.shape
    if k > n:  # 'first_n' subset rule (spec §1.4)
        idx = torch.arange(n)
        tangents, d = tangents[idx], d[idx]
    basis = tangents.T
    gram = torch.matmul(basis.T, basis)
    inverse = torch.linalg.inv(gram)
    return torch.matmul(basis, torch.matmul(inverse, d))


AGGREGATIONS = {"mean": aggregate_mean, "orthogonal_projection": aggregate_orthogonal_projection}


class ForwardGradient:
    def __init__(self, k, aggregation, seed=0):
        self.k = k
        self.aggregation = aggregation
        self.generator = torch.Generator()  # its own CPU generator, re-seeded per run
        self.generator.manual_seed(seed)
        name = "fg-mean" if aggregation == "mean" else "frog"
        self.label = f"fg k={k}" if (k == 1 and aggregation == "mean") else f"{name} k={k}"

    @staticmethod
    def jvp(f, x, v):
        with fwAD.dual_level():
            dual = fwAD.make_dual(x, v)
            return fwAD.unpack_dual(f(dual)).tangent

    def gradient(self, f, x):
        n = x.shape[0]
        tangents = torch.randn((self.k, n), generator=self.generator, device="cpu")
        d = torch.tensor([self.jvp(f, x, v) for v in tangents], dtype=torch.float32)
        flat = AGGREGATIONS[self.aggregation](tangents.view(self.k, -1), d)
        return flat.view(tangents.shape[1:])


def paper_approaches(ks=(2, 4, 16)):
    """The 8 approaches of spec §3.4, in order, as factories taking the seed."""
    out = [("bp", lambda seed: Backprop(seed)), ("fg k=1", lambda seed: ForwardGradient(1, "mean", seed))]
    for k in ks:
        out.append((f"fg-mean k={k}", lambda seed, k=k: ForwardGradient(k, "mean", seed)))
        out.append((f"frog k={k}", lambda seed, k=k: ForwardGradient(k, "orthogonal_projection", seed)))
    return out


# ---------------------------------------------------------------------------------------------
# Gradient-descent loop (spec §3.3).


def descend(f, start, lr, max_steps, patience, method):
    """One run; returns (history rows, steps executed, stop reason)."""
    x = torch.tensor(start, dtype=torch.float)
    current = f(x)
    last = math.nan
    without_improvement = 0
    history = [{"y": current.item(), "step_duration_s": 0.0}]
    reason = "max steps"
    for _ in range(max_steps):
        t0 = time.perf_counter()
        grad = method.gradient(f, x)
        x = x - lr * grad
        last = current
        current = f(x)
        history.append({"y": current.item(), "step_duration_s": time.perf_counter() - t0})
        if x.isnan().any().item():
            reason = "NaN values"
            break
        if current >= last:
            without_improvement += 1
        else:
            without_improvement = 0
        if 0 < patience <= without_improvement:
            reason = "early stopping"
            break
    return history, len(history) - 1, reason


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--function", default="rosenbrock", choices=sorted(FUNCTIONS))
    parser.add_argument("--ns", type=int, nargs="+", default=[16, 256, 1024])
    parser.add_argument("--approaches", nargs="+", default=None,
                        help="labels to run, e.g. 'bp' 'frog k=16' (default: all 8)")
    parser.add_argument("--steps", type=int, default=300, help="steps per timed run")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per (n, approach)")
    parser.add_argument("--lr", type=float, default=1e-6,
                        help="tiny so that no run diverges or stalls within --steps")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--json", default=None, help="also write the results to this JSON file")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    f, start_fn, _ = FUNCTIONS[args.function]
    approaches = paper_approaches()
    if args.approaches:
        known = {label for label, _ in approaches}
        bad = [a for a in args.approaches if a not in known]
        if bad:
            parser.error(f"--approaches: unknown {bad}; allowed: {sorted(known)}")
        approaches = [a for a in approaches if a[0] in args.approaches]

    meta = {
        "torch": torch.__version__, "python": platform.python_version(), "threads": torch.get_num_threads(),
        "function": args.function, "steps": args.steps, "repeats": args.repeats, "lr": args.lr,
        "loadavg_start": os.getloadavg(),
    }
    print(f"# torch {meta['torch']}, python {meta['python']}, {meta['threads']} threads, "
          f"{args.function}, {args.steps} steps x {args.repeats} repeats, lr {args.lr}, "
          f"load {meta['loadavg_start'][0]:.2f}", flush=True)
    print(f"{'n':>5}  {'approach':<12} {'best steps/s':>13} {'median':>9} {'worst':>9}", flush=True)
    rows = []
    for n in args.ns:
        for label, make in approaches:
            # warm-up run (allocator, autograd/forward-AD first-call costs), not timed
            descend(f, start_fn(n), args.lr, min(args.steps, 20), 0, make(0))
            rates = []
            for rep in range(args.repeats):
                method = make(rep)
                t0 = time.perf_counter()
                _, steps, reason = descend(f, start_fn(n), args.lr, args.steps, 0, method)
                elapsed = time.perf_counter() - t0
                if steps != args.steps:
                    sys.exit(f"n={n} {label}: run stopped early ({reason}); timings would lie")
                rates.append(steps / elapsed)
            row = {"n": n, "approach": label, "steps_per_s": rates,
                   "min": min(rates), "median": statistics.median(rates), "max": max(rates)}
            rows.append(row)
            # best = from the fastest (minimum-time) run; worst = from the slowest
            print(f"{n:>5}  {label:<12} {row['max']:>13.1f} {row['median']:>9.1f} {row['min']:>9.1f}",
                  flush=True)
    meta["loadavg_end"] = os.getloadavg()
    print(f"# load at end {meta['loadavg_end'][0]:.2f}", flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"meta": meta, "rows": rows}, fh, indent=1)


if __name__ == "__main__":
    main()
