"""Wall time of the original's approximation-quality experiment on a reduced grid, for timing only.

A re-implementation from shared/docs/reference-spec.md §2 (grids §2.2, true gradient §2.3,
configurations §2.4, per-sample procedure §2.5, metrics §2.6) and §1.2-1.4 (normal sampler,
normalisation, mean / sum / frog aggregation); no code of the authors' is used. What is timed,
float32 torch ops on the CPU:

  for n in ns:  g = ones(n)
    for each configuration (the order of src/stages/approx/configs.ts approxConfigs(ks), 1 + 5·|ks|):
      a fresh torch.Generator seeded with 0, then the original's per-sample loop (not batched):
        V = torch.randn((k, n), generator)             (normalised per row when configured)
        d = V @ g                                      (simulated JVPs)
        mean / sum: (V.view(k, n, 1) * d.view(k, 1, 1)).mean(0) / .sum(0)  (k×n×1 intermediate)
        frog: first n rows if k > n, B = Vᵀ, B @ (inv(BᵀB) @ d)
      stack the samples' forward gradients (samples × n), then the 6 metrics for all samples in
      one go (‖g‖, ‖fg‖, ‖g − fg‖, ‖fg‖/‖g‖, g·fg, cosine), and .numpy() as for the DataFrame

The pandas DataFrames, the summary (mean / std / CI) and the CSV files are left out (pandas is
not installed for /usr/bin/python3; the brief excludes file writing).

--repeats R runs the whole grid R times in one process; row approx/reduced-grid-first is the
first run, approx/reduced-grid the median of runs 2..R (of the single run when R = 1).

Usage:

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/reference/torch_approx.py \\
      [--ns 16 256 1024 4096] [--ks 1 4 16 64 256] [--samples 200] [--repeats 3] [--check] \\
      [--json out.json]
"""
import argparse
import math
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_common import finish_meta, load_line, require_fast_blas, start_meta, timing_row, write_json  # noqa: E402

METRICS = ["true_grad_norm", "fg_norm", "difference_norm", "fg_norm/true_grad_norm", "dot_product", "cosine_sim"]


def configs(ks):
    """(label, k, aggregation, normalize) in the order of approxConfigs(ks) (spec §2.4)."""
    out = [("fg_baseline", 1, "sum", False)]
    out += [(f"frog_k={k}", k, "orthogonal_projection", False) for k in ks]
    for agg in ("mean", "sum"):
        for normalize in (True, False):
            out += [(f"fg_{agg}_k={k}", k, agg, normalize) for k in ks]
    return out


def individual(tangents, d):
    k = tangents.shape[0]
    return tangents.view(k, -1, 1) * d.view(k, 1, -1)  # k × n × 1


def frog(tangents, d):
    k, n = tangents.shape
    if k > n:  # first_n (spec §1.4)
        tangents, d = tangents[torch.arange(n)], d[torch.arange(n)]
    basis = tangents.T
    inverse = torch.linalg.inv(basis.T @ basis)
    return basis @ (inverse @ d)


AGGREGATE = {
    "mean": lambda V, d: individual(V, d).mean(dim=0),
    "sum": lambda V, d: individual(V, d).sum(dim=0),
    "orthogonal_projection": frog,
}


def forward_gradients(g, k, aggregation, normalize, samples):
    """The per-sample loop of one configuration: samples × n forward gradients."""
    n = g.shape[0]
    gen = torch.Generator()
    gen.manual_seed(0)
    out = []
    for _ in range(samples):
        V = torch.randn((k, n), generator=gen)
        if normalize:
            V = V / V.norm(dim=[1], keepdim=True)
        d = torch.matmul(V, g)
        flat = AGGREGATE[aggregation](V.view(k, -1), d)
        out.append(flat.view(V.shape[1:]))
    return torch.stack(out, dim=0)


def metrics(a, b):
    """The 6 metrics of spec §2.6 for a (1 × n) against every row of b (m × n): m × 6."""
    a_norm = torch.linalg.vector_norm(a, dim=1)
    b_norm = torch.linalg.vector_norm(b, dim=1)
    diff_norm = torch.linalg.vector_norm(a - b, dim=1)
    dot = torch.matmul(a, b.T).view_as(b_norm)
    return torch.stack([a_norm.expand(b_norm.shape[0]), b_norm, diff_norm, b_norm / a_norm, dot,
                        dot / (a_norm * b_norm)], dim=1)


def grid(ns, ks, samples):
    """One run of the whole grid; returns ({(n, label, normalize): samples × 6 numpy}, seconds per n)."""
    results, per_n = {}, []
    for n in ns:
        t0 = time.perf_counter()
        g = torch.ones(n)
        for label, k, aggregation, normalize in configs(ks):
            fgs = forward_gradients(g, k, aggregation, normalize, samples)
            results[(n, label, normalize)] = metrics(g.view(1, -1), fgs).cpu().numpy()
        per_n.append(time.perf_counter() - t0)
    return results, per_n


# ---------------------------------------------------------------------------------------------
# --check: properties of spec §1.4 / §1.7 that fail if the aggregation or the metrics are wrong


def chi_mean(m):
    return math.sqrt(2) * math.exp(math.lgamma((m + 1) / 2) - math.lgamma(m / 2))


def run_checks(results, ns, ks, samples):
    col = {name: i for i, name in enumerate(METRICS)}
    failures = []

    def check(name, ok, detail):
        print(f"  check {name}: {detail} {'OK' if ok else 'FAIL'}", flush=True)
        if not ok:
            failures.append(name)

    for n in ns:
        base = results[(n, "fg_baseline", False)]
        err = abs(base[:, col["true_grad_norm"]] - math.sqrt(n)).max() / math.sqrt(n)
        check(f"n={n} ‖g‖ = √n", err < 1e-6, f"max rel err {err:.1e}")
        same = all((results[(n, f"fg_{agg}_k=1", False)] == base).all() for agg in ("sum", "mean")) \
            if 1 in ks else True
        check(f"n={n} fg_baseline = fg_sum_k=1 = fg_mean_k=1 (same seed)", same, "bitwise")
        for k in ks:
            r = results[(n, f"frog_k={k}", False)]
            cos, ratio, dot = r[:, col["cosine_sim"]], r[:, col["fg_norm/true_grad_norm"]], r[:, col["dot_product"]]
            if k >= n:  # the tangents span R^n: frog = g (the float32 inverse of the square Gram
                # matrix is ill-conditioned for some samples, so the median sample is checked)
                err = max(statistics.median(abs(cos - 1)), statistics.median(abs(ratio - 1)))
                worst = max(abs(cos - 1).max(), abs(ratio - 1).max())
                check(f"n={n} frog k={k} ≥ n: cos = ‖fg‖/‖g‖ = 1", err < 1e-3,
                      f"median |err| {err:.1e} (worst sample {worst:.1e})")
            else:  # projection: ‖fg‖/‖g‖ = cos, g·fg = ‖g‖² cos², E[cos] = E[χ_k]/E[χ_n]
                err = max(abs(ratio - cos).max(), (abs(dot - n * cos**2) / n).max())
                check(f"n={n} frog k={k}: ‖fg‖/‖g‖ = cos, g·fg = ‖g‖²cos²", err < 1e-3, f"max |err| {err:.1e}")
                expect, ci = chi_mean(k) / chi_mean(n), 1.96 * cos.std(ddof=1) / math.sqrt(samples)
                check(f"n={n} frog k={k}: mean cos {cos.mean():.4f} vs E[χ_k]/E[χ_n] {expect:.4f}",
                      abs(cos.mean() - expect) < 4 * ci + 1e-3, f"(4·CI {4 * ci:.4f})")
            for normalize in (True, False):  # sum = k · mean on the same tangents
                m, s = results[(n, f"fg_mean_k={k}", normalize)], results[(n, f"fg_sum_k={k}", normalize)]
                err = max(abs(m[:, col["cosine_sim"]] - s[:, col["cosine_sim"]]).max(),
                          (abs(s[:, col["fg_norm"]] - k * m[:, col["fg_norm"]]) / s[:, col["fg_norm"]]).max())
                check(f"n={n} k={k} normalize={normalize}: sum = k·mean", err < 1e-4, f"max err {err:.1e}")
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ns", type=int, nargs="+", default=[16, 256, 1024, 4096])
    ap.add_argument("--ks", type=int, nargs="+", default=[1, 4, 16, 64, 256])
    ap.add_argument("--samples", type=int, default=200, help="samples per (n, configuration)")
    ap.add_argument("--repeats", type=int, default=1, help="runs of the whole grid in this process")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--check", action="store_true", help="check the metrics of the last run")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    gflops = require_fast_blas()
    n_configs = len(configs(args.ks))
    meta = start_meta("torch_approx.py", ns=args.ns, ks=args.ks, samples=args.samples, configs_per_n=n_configs,
                      repeats=args.repeats, blas_gflops_512=round(gflops, 1))
    print(f"# torch {meta['torch']}, python {meta['python']}, {meta['threads']} threads, ns {args.ns}, "
          f"ks {args.ks}, {args.samples} samples, {n_configs} configs per n, started {meta['started']}, "
          f"load {meta['load_start']}", flush=True)
    times, per_ns = [], []
    for r in range(args.repeats):
        t0 = time.perf_counter()
        results, per_n = grid(args.ns, args.ks, args.samples)
        times.append(time.perf_counter() - t0)
        per_ns.append(per_n)
        print(f"run {r + 1}: {times[-1]:.2f} s (per n: {', '.join(f'{t:.2f}' for t in per_n)}); "
              f"load {os.getloadavg()[0]:.2f}", flush=True)
    failures = run_checks(results, args.ns, args.ks, args.samples) if args.check else []
    rest = times[1:] or times
    grid_info = dict(ns=args.ns, ks=args.ks, samples_per_config=args.samples, configs_per_n=n_configs)
    rows = [
        timing_row("approx/reduced-grid", rest, runs="2..R" if len(times) > 1 else "1", per_n_s=per_ns[1:] or per_ns,
                   **grid_info),
        timing_row("approx/reduced-grid-first", times[:1], runs="1", per_n_s=per_ns[:1], **grid_info),
    ]
    finish_meta(meta)
    if args.check:
        meta["checks_ok"] = not failures
    print(f"approx/reduced-grid: median {rows[0]['median_s']:.2f} s (runs {rows[0]['runs']}), "
          f"first run {times[0]:.2f} s", flush=True)
    print(f"# {load_line(meta)}; peak RSS {meta['peak_rss_mb']:.0f} MB", flush=True)
    write_json(args.json, meta, rows)
    if failures:
        sys.exit(f"{len(failures)} check(s) failed: {failures}")


if __name__ == "__main__":
    main()
