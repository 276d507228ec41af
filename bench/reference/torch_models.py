"""Step time of the original's code paths for ResNet18 and the ViT (§4.5), for timing only.

A re-implementation from shared/docs/reference-spec.md §4.3 and §4.6.1 (no code of the authors'
is used): the architectures are the ones of tests/fixtures/torch/make_fixtures.py at full size
(torchvision's resnet18 and VisionTransformer structure, the spec's init), grouped into the
paper's 6 blocks, and one training step is timed at the paper's batch sizes (MNIST 64,
CIFAR-10 128):

  bp    forward, mean cross-entropy, backward, SGD step
  sim   the original's simulated node mode (ActivityPerturbedSimFGModel, frog): forward keeping
        every block output's gradient and a detached copy of its input, full backward, one global
        tangent V [k, N] (torch.randn), J = V G per sample, frog through inv(V Vᵀ), then per block a
        recompute from the detached input (train mode: BatchNorm statistics updated again) and a
        block-local backward seeded with the block's forward-gradient slice, SGD step
  fwad  the original's true forward node mode (ActivityPerturbedForwardGradientModel, frog): a
        Python loop over the k tangents, each a forward pass with forward-mode AD (dual tensors,
        torch.autograd.forward_ad) in which every block output gets its tangent slice, shared by the
        batch, added to the tangent carried in (the original detaches each block's input, which
        drops that carried tangent, spec §4.6.4; the work per pass is the same); the batch-mean
        loss's tangent is one scalar per tangent; per block a frog of that block's slices, then a
        recompute from the detached input and a block-local backward seeded with the block's
        forward gradient broadcast to every sample, SGD step

Usage (Debian: apt-get install python3-torch, PyTorch 1.13):

  /usr/bin/python3 bench/reference/torch_models.py [--threads 2] [--repeats 3] [--k 16]
      [--only resnet18/mnist,vit/cifar10] [--modes bp,sim,fwad] [--json PATH]

Prints one line per (model, dataset, mode): best and median seconds per step over the repeats
(after one warm-up step). --json writes them in the shape of _bench_json.ts (row ids such as
resnet18/mnist/bp, resnet18/mnist/sim-frog-k16, vit/mnist/fwad-node-frog-k16).
"""
import argparse
import os
import statistics
import sys
import time

import torch
import torch.autograd.forward_ad as fwAD
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fixtures", "torch"))
from make_fixtures import ResNet, Vit  # noqa: E402
from torch_common import finish_meta, require_fast_blas, start_meta, timing_row, write_json  # noqa: E402


def resnet_blocks(m):
    return [
        nn.Sequential(m.conv1, m.bn1, m.relu, m.maxpool),
        m.layer1,
        m.layer2,
        m.layer3,
        m.layer4,
        nn.Sequential(m.avgpool, nn.Flatten(1), m.fc),
    ]


class VitIn(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.v = v

    def forward(self, x):
        v = self.v
        n = x.shape[0]
        x = v.conv_proj(x).reshape(n, v.d, -1).permute(0, 2, 1)
        x = torch.cat([v.class_token.expand(n, -1, -1), x], dim=1)
        return v.encoder.layers[0](x + v.encoder.pos_embedding)


class VitOut(nn.Module):
    def __init__(self, v):
        super().__init__()
        self.v = v

    def forward(self, x):
        v = self.v
        return v.heads(v.encoder.ln(v.encoder.layers[5](x))[:, 0])


def vit_blocks(v):
    return [VitIn(v)] + [v.encoder.layers[i] for i in range(1, 5)] + [VitOut(v)]


def bp_step(model, blocks, opt, x, y, k, gen):
    opt.zero_grad()
    a = x
    for b in blocks:
        a = b(a)
    loss = F.cross_entropy(a, y)
    loss.backward()
    opt.step()
    return loss.item()


def sim_step(model, blocks, opt, x, y, k, gen):
    opt.zero_grad()
    a, outs, ins = x, [], []
    for b in blocks:
        ins.append(a.detach())
        a = b(a)
        a.retain_grad()
        outs.append(a)
    loss = F.cross_entropy(a, y)
    loss.backward()
    B = x.shape[0]
    G = torch.cat([o.grad.reshape(B, -1).T for o in outs], 0)  # N × B
    V = torch.randn((k, G.shape[0]), generator=gen)
    J = V @ G  # k × B
    fg = V.T @ (torch.linalg.inv(V @ V.T) @ J)  # frog: N × B
    for p in model.parameters():
        p.grad = None
    start = 0
    for b, inp, o in zip(blocks, ins, outs):
        n = o[0].numel()
        seed = fg[start:start + n].T.reshape(o.shape)
        start += n
        b(inp).backward(seed)
    opt.step()
    return loss.item()


def fwad_step(model, blocks, opt, x, y, k, gen):
    opt.zero_grad()
    with torch.no_grad():
        ins, a = [], x
        for b in blocks:  # the block inputs and activity sizes (primal pass)
            ins.append(a)
            a = b(a)
        loss = F.cross_entropy(a, y).item()
        sizes = [inp[0].numel() for inp in ins[1:]] + [a[0].numel()]
    V = torch.randn((k, sum(sizes)), generator=gen)
    d = torch.empty(k)
    # grad mode stays on, as in the original: under no_grad nn.MultiheadAttention takes its fused
    # fast path, which has no forward-AD formula in PyTorch 1.13
    for j in range(k):  # the original's Python loop over the k tangents
        with fwAD.dual_level():
            a, start = x, 0
            for b, n in zip(blocks, sizes):
                out = b(a)
                primal, carried = fwAD.unpack_dual(out)
                v = V[j, start:start + n].reshape(primal.shape[1:]).expand_as(primal)
                start += n
                a = fwAD.make_dual(primal, v if carried is None else carried + v)
            d[j] = fwAD.unpack_dual(F.cross_entropy(a, y)).tangent.detach()
    start = 0
    for b, inp, n in zip(blocks, ins, sizes):
        Vb, db = V[:, start:start + n], d
        start += n
        if n < k:  # more tangents than dimensions: the first n (spec §1.6, rule first_n)
            Vb, db = Vb[:n], d[:n]
        fg = Vb.T @ (torch.linalg.inv(Vb @ Vb.T) @ db)  # frog of this block's slices: n
        out = b(inp)
        out.backward(fg.reshape(out.shape[1:]).expand_as(out))
    opt.step()
    return loss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--k", type=int, default=16)
    ap.add_argument("--only", default="", help="comma list of model/dataset, e.g. resnet18/mnist")
    ap.add_argument("--modes", default="bp,sim,fwad", help="comma list of bp, sim, fwad")
    ap.add_argument("--json", default="", help="write the rows as JSON to this path")
    args = ap.parse_args()
    rows = []
    torch.set_num_threads(args.threads)
    require_fast_blas()
    meta = start_meta("torch_models.py", k=args.k)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    setups = [
        ("resnet18", "mnist", 1, 28, 64),
        ("resnet18", "cifar10", 3, 32, 128),
        ("vit", "mnist", 1, 28, 64),
        ("vit", "cifar10", 3, 32, 128),
    ]
    only = set(filter(None, args.only.split(",")))
    for name, ds, c, size, B in setups:
        if only and f"{name}/{ds}" not in only:
            continue
        if name == "resnet18":
            model = ResNet(c, [64, 64, 128, 256, 512], [2, 2, 2, 2])
            blocks = resnet_blocks(model)
        else:
            model = Vit(c, size, 4, 6, 4, 256, 512)
            blocks = vit_blocks(model)
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=1e-3)
        x = torch.randn(B, c, size, size)
        y = torch.randint(0, 10, (B,))
        steps = {
            "bp": ("bp", "bp", bp_step),
            "sim": (f"sim node frog k={args.k}", f"sim-frog-k{args.k}", sim_step),
            "fwad": (f"fwad node frog k={args.k}", f"fwad-node-frog-k{args.k}", fwad_step),
        }
        for mode, row_id, step in (steps[m] for m in args.modes.split(",")):
            step(model, blocks, opt, x, y, args.k, gen)
            times = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                step(model, blocks, opt, x, y, args.k, gen)
                times.append(time.perf_counter() - t0)
            print(
                f"{name} {ds} B={B} {mode}: best {min(times):.3f} s, median {statistics.median(times):.3f} s"
                f" ({args.threads} threads, torch {torch.__version__})",
                flush=True,
            )
            rows.append(timing_row(f"{name}/{ds}/{row_id}", times))
    write_json(args.json, finish_meta(meta), rows)

if __name__ == "__main__":
    main()
