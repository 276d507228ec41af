"""Step time of the original's code paths for the FC network 784-W-W-10, for timing only.

A re-implementation from shared/docs/reference-spec.md §4.3 (FC model and its 3 blocks), §4.6.1
(ActivityPerturbedSimFGModel), §4.6.3 (WeightPerturbedForwardGradientModel), §4.6.5 (backprop)
and §1.4 (frog); no code of the authors' is used. One SGD training step on a fixed random batch
(x ~ N(0, 1) of shape B×1×28×28, random labels), float32, CPU:

  bp           forward, mean cross-entropy, loss.backward(), SGD step
  sim          simulated node perturbation with frog: forward keeping every block output's gradient
               (retain_grad) and a detached copy of its input, full backward, one global tangent
               V ~ N(0,1) of k × (W + W + 10) (torch.randn, own generator), J = Σ_i V_i G_i (k × B,
               per sample), FG = Vᵀ (inv(V Vᵀ) J), then per block: parameter grads set to None,
               recompute from the detached input, backward seeded with the block's FG slice; SGD step
  fwad-weight  true forward weight perturbation with frog: the parameters are plain tensors, one
               global tangent V of k × P drawn by torch.randn and split per parameter tensor
               (--local-tangents: one torch.randn per parameter instead), then the original's
               Python loop over the k tangents, each in its own forward_ad.dual_level() with every
               parameter replaced by make_dual(param, its tangent slice), a full forward and the
               batch-mean cross-entropy, whose tangent is the JVP d_j; then per parameter tensor a
               frog of (V_p, d) (first n_p tangents when n_p < k), set as .grad; SGD step

Protocol as torch_models.py: --warmup untimed steps per mode, then --repeats timed runs of
--steps consecutive steps; a sample is the run's wall time / --steps (seconds per step).

Usage (Debian python3-torch 1.13 with OpenBLAS; unset the OpenBLAS variables of this machine):

  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/reference/torch_fc.py \\
      [--modes bp,sim,fwad-weight] [--k 16] [--repeats 5] [--steps 5] [--check] [--json out.json]

Rows: fc/bp, fc/sim-frog-k16, fc/fwad-weight-frog-k16 (k as given).
"""
import argparse
import os
import sys
import time

import torch
import torch.autograd.forward_ad as fwAD
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_common import finish_meta, load_line, require_fast_blas, start_meta, timing_row, write_json  # noqa: E402


def fc_blocks(width, inputs=784, classes=10):
    """The spec's FC model (num_hidden_layers = 2) as its 3 top-level blocks."""
    return nn.ModuleList([
        nn.Sequential(nn.Flatten(), nn.Linear(inputs, width), nn.ReLU()),
        nn.Sequential(nn.Linear(width, width), nn.ReLU()),
        nn.Linear(width, classes),
    ])


def frog(tangents, d):
    """Orthogonal projection (spec §1.4): first n rows if k > n, B = Vᵀ, B (inv(BᵀB) d)."""
    k, n = tangents.shape
    if k > n:
        tangents, d = tangents[torch.arange(n)], d[torch.arange(n)]
    basis = tangents.T
    inverse = torch.linalg.inv(basis.T @ basis)
    return basis @ (inverse @ d)


def forward(blocks, x):
    for b in blocks:
        x = b(x)
    return x


# ---------------------------------------------------------------------------------------------
# bp and simulated node perturbation (the model keeps nn.Parameters)


class BpStep:
    def __init__(self, blocks, lr, k, gen):
        self.blocks = blocks
        self.opt = torch.optim.SGD(blocks.parameters(), lr=lr)

    def __call__(self, x, y):
        self.opt.zero_grad()
        loss = F.cross_entropy(forward(self.blocks, x), y)
        loss.backward()
        self.opt.step()
        return loss.item()


class SimFrogStep:
    """ActivityPerturbedSimFGModel with aggregation orthogonal_projection (spec §4.6.1)."""

    def __init__(self, blocks, lr, k, gen):
        self.blocks, self.k, self.gen = blocks, k, gen
        self.opt = torch.optim.SGD(blocks.parameters(), lr=lr)
        self.last = None  # (V, J, FG, activity grads) of the last step, for --check

    def __call__(self, x, y):
        self.opt.zero_grad()
        a, inputs, outputs = x, [], []
        for b in self.blocks:  # forward: detached input copy, retained output gradient
            inputs.append(a.detach())
            a = b(a)
            a.retain_grad()
            outputs.append(a)
        loss = F.cross_entropy(a, y)
        loss.backward()  # the true activity gradients A_i (parameter grads discarded below)
        B = x.shape[0]
        shapes = [o.shape[1:] for o in outputs]
        sizes = [o[0].numel() for o in outputs]
        V = torch.randn((self.k, sum(sizes)), generator=self.gen)  # one global tangent, shared by the batch
        starts = torch.tensor([0, *sizes]).cumsum(0).tolist()
        V_blocks = [V[:, s:e].view(self.k, *shape) for s, e, shape in zip(starts, starts[1:], shapes)]
        grads = [o.grad.view(B, -1).T for o in outputs]  # G_i: n_i × B
        J = sum(Vi.view(self.k, -1) @ Gi for Vi, Gi in zip(V_blocks, grads))  # k × B
        FG = frog(V, J)  # N × B, column b = P_U G[:, b]
        for b, inp, out, s, e in zip(self.blocks, inputs, outputs, starts, starts[1:]):
            for p in b.parameters():
                p.grad = None
            b(inp).backward(FG[s:e].T.reshape(out.shape))  # block-local backward of the estimate
        self.opt.step()
        self.last = (V, J, FG, torch.cat(grads, 0))
        return loss.item()


# ---------------------------------------------------------------------------------------------
# true forward weight perturbation (parameters replaced by plain tensors)


def parameter_slots(blocks):
    """Replaces every nn.Parameter by a plain detached tensor; returns [(module, name, tensor)]."""
    slots = []
    for full_name, param in list(blocks.named_parameters()):
        module_name, name = full_name.rsplit(".", 1)
        module = blocks.get_submodule(module_name)
        tensor = param.detach()
        delattr(module, name)
        setattr(module, name, tensor)
        slots.append((module, name, tensor))
    return slots


class FwadWeightFrogStep:
    """WeightPerturbedForwardGradientModel with aggregation orthogonal_projection (spec §4.6.3)."""

    def __init__(self, blocks, lr, k, gen, local_tangents=False):
        self.blocks, self.k, self.gen, self.local = blocks, k, gen, local_tangents
        self.slots = parameter_slots(blocks)
        self.opt = torch.optim.SGD([t for _, _, t in self.slots], lr=lr)
        self.last = None  # (per-parameter tangents, d, per-parameter FG) of the last step, for --check

    def tangents(self):
        shapes = [t.shape for _, _, t in self.slots]
        if self.local:
            return [torch.randn((self.k, *shape), generator=self.gen) for shape in shapes]
        sizes = [t.numel() for _, _, t in self.slots]
        V = torch.randn((self.k, sum(sizes)), generator=self.gen)
        starts = torch.tensor([0, *sizes]).cumsum(0).tolist()
        return [V[:, s:e].view(self.k, *shape) for s, e, shape in zip(starts, starts[1:], shapes)]

    def __call__(self, x, y):
        self.opt.zero_grad()
        tangents = self.tangents()
        jvps = []
        for j in range(self.k):  # the original's Python loop over the k tangents
            with fwAD.dual_level():
                for (module, name, tensor), V_p in zip(self.slots, tangents):
                    setattr(module, name, fwAD.make_dual(tensor, V_p[j]))
                loss = F.cross_entropy(forward(self.blocks, x), y)
                primal, tangent = fwAD.unpack_dual(loss)
                jvps.append(tangent)
        d = torch.stack(jvps)  # k
        fgs = []
        for (module, name, tensor), V_p in zip(self.slots, tangents):  # frog per parameter tensor
            fg = frog(V_p.view(self.k, -1), d).view(tensor.shape)
            tensor.grad = fg
            fgs.append(fg)
            setattr(module, name, tensor)  # sync_weights (the original does it once per epoch)
        self.opt.step()
        self.last = (tangents, d, fgs)
        return primal.item()


# ---------------------------------------------------------------------------------------------
# --check: the JVPs of what is timed equal V·∇ from backprop


def rel_err(a, b):
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-30)).item()


def report(name, err, tol):
    ok = err <= tol
    print(f"  check {name}: max rel err {err:.2e} (tol {tol:.0e}) {'OK' if ok else 'FAIL'}", flush=True)
    return ok


def check_sim(step, x, y):
    """J = V G against forward-AD activity JVPs per sample; V FG = J; local backward of G = bp."""
    blocks, B = step.blocks, x.shape[0]
    params = list(blocks.parameters())
    before = [p.detach().clone() for p in params]
    step.opt.param_groups[0]["lr"], lr = 0.0, step.opt.param_groups[0]["lr"]  # no update in the check step
    step(x, y)
    step.opt.param_groups[0]["lr"] = lr
    V, J, FG, G = step.last
    ok = True
    # (a) per-sample JVPs with every block output perturbed by its tangent slice (forward AD)
    sizes = [blocks[0](x).shape[1], blocks[1](blocks[0](x)).shape[1], 10]
    starts = torch.tensor([0, *sizes]).cumsum(0).tolist()
    fwd = torch.empty_like(J)
    with torch.no_grad():
        for j in range(V.shape[0]):
            with fwAD.dual_level():
                a = x
                for b, s, e in zip(blocks, starts, starts[1:]):
                    primal, carried = fwAD.unpack_dual(b(a))
                    v = V[j, s:e].expand_as(primal)
                    a = fwAD.make_dual(primal, v if carried is None else carried + v)
                per_sample = F.cross_entropy(a, y, reduction="none") / B  # L = mean_b ℓ_b
                fwd[j] = fwAD.unpack_dual(per_sample).tangent
    ok &= report("sim: J = V G vs forward-AD per-sample JVPs", rel_err(J, fwd), 1e-3)
    # (b) frog property: V (P_U G) = V G
    ok &= report("sim: V FG = J (frog projection)", rel_err(V @ FG, J), 1e-3)
    # (c) the block-local backward seeded with the true activity gradients reproduces bp
    blocks.zero_grad()
    F.cross_entropy(forward(blocks, x), y).backward()
    bp = [p.grad.clone() for p in params]
    a, starts_b = x, 0
    for b in blocks:
        out = b(a.detach())
        n = out[0].numel()
        for p in b.parameters():
            p.grad = None
        out.backward(G[starts_b:starts_b + n].T.reshape(out.shape))
        starts_b += n
        a = out
    ok &= report("sim: block-local backward of G = bp parameter grads",
                 max(rel_err(p.grad, g) for p, g in zip(params, bp)), 1e-4)
    assert all(torch.equal(p, q) for p, q in zip(params, before))
    blocks.zero_grad()
    return ok


def check_fwad(step, x, y):
    """The loop's d_j against V_j · ∇θ L from backprop; per-tensor frog reproduces its JVPs."""
    lr = step.opt.param_groups[0]["lr"]
    step.opt.param_groups[0]["lr"] = 0.0
    step(x, y)
    step.opt.param_groups[0]["lr"] = lr
    tangents, d, fgs = step.last
    k = d.shape[0]
    # backprop gradient at the same weights: temporary leaf copies in the modules
    leaves = [t.clone().requires_grad_(True) for _, _, t in step.slots]
    for (module, name, _), leaf in zip(step.slots, leaves):
        setattr(module, name, leaf)
    F.cross_entropy(forward(step.blocks, x), y).backward()
    for module, name, tensor in step.slots:
        setattr(module, name, tensor)
    V = torch.cat([V_p.reshape(k, -1) for V_p in tangents], 1)
    g = torch.cat([leaf.grad.reshape(-1) for leaf in leaves])
    ok = report("fwad-weight: loop's d vs V ∇θ L (bp)", rel_err(d, V @ g), 1e-3)
    errs = []
    for V_p, fg in zip(tangents, fgs):
        m = min(k, V_p[0].numel())
        errs.append(rel_err(V_p.reshape(k, -1)[:m] @ fg.reshape(-1), d[:m]))
    ok &= report("fwad-weight: V_p FG_p = d per tensor (frog projection)", max(errs), 1e-3)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--modes", default="bp,sim,fwad-weight", help="comma list of bp, sim, fwad-weight")
    ap.add_argument("--k", type=int, default=16, help="tangents for sim and fwad-weight")
    ap.add_argument("--width", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3, help="SGD learning rate (irrelevant for timing)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed steps per mode")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per mode")
    ap.add_argument("--steps", type=int, default=5, help="steps per timed run")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--local-tangents", action="store_true",
                    help="fwad-weight: one torch.randn per parameter instead of the global k x P draw")
    ap.add_argument("--check", action="store_true", help="check the JVPs against backprop before timing")
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    gflops = require_fast_blas()
    modes = args.modes.split(",")
    steps = {"bp": ("fc/bp", BpStep), "sim": (f"fc/sim-frog-k{args.k}", SimFrogStep),
             "fwad-weight": (f"fc/fwad-weight-frog-k{args.k}", FwadWeightFrogStep)}
    bad = [m for m in modes if m not in steps]
    if bad:
        ap.error(f"--modes: unknown {bad}; allowed: {sorted(steps)}")
    meta = start_meta("torch_fc.py", width=args.width, batch=args.batch, k=args.k, warmup=args.warmup,
                      repeats=args.repeats, steps=args.steps, blas_gflops_512=round(gflops, 1),
                      local_tangents=args.local_tangents)
    print(f"# torch {meta['torch']}, python {meta['python']}, {meta['threads']} threads, "
          f"FC 784-{args.width}-{args.width}-10, B={args.batch}, k={args.k}, started {meta['started']}, "
          f"load {meta['load_start']}", flush=True)
    torch.manual_seed(0)
    x = torch.randn(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))
    rows, checks_ok = [], True
    for mode in modes:
        row_id, cls = steps[mode]
        torch.manual_seed(0)
        blocks = fc_blocks(args.width)
        gen = torch.Generator().manual_seed(1)  # the wrapper's tangent generator (config seed + 1)
        if mode == "fwad-weight":
            step = cls(blocks, args.lr, args.k, gen, args.local_tangents)
        else:
            step = cls(blocks, args.lr, args.k, gen)
        if args.check and mode == "sim":
            checks_ok &= check_sim(step, x, y)
        if args.check and mode == "fwad-weight":
            checks_ok &= check_fwad(step, x, y)
        for _ in range(args.warmup):
            step(x, y)
        samples = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            for _ in range(args.steps):
                step(x, y)
            samples.append((time.perf_counter() - t0) / args.steps)
        row = timing_row(row_id, samples, mode=mode, steps_per_sample=args.steps)
        rows.append(row)
        print(f"{row_id}: median {row['median_s'] * 1e3:.2f} ms/step, min {row['min_s'] * 1e3:.2f}, "
              f"max {row['max_s'] * 1e3:.2f} ({args.repeats} x {args.steps} steps)", flush=True)
    finish_meta(meta)
    if args.check:
        meta["checks_ok"] = bool(checks_ok)
    print(f"# {load_line(meta)}; peak RSS {meta['peak_rss_mb']:.0f} MB", flush=True)
    write_json(args.json, meta, rows)
    if not checks_ok:
        sys.exit("a --check failed")


if __name__ == "__main__":
    main()
