/**
 * Verification of the §4.5 runs (ResNet18 and the ViT) and of the identities
 * that hold for them:
 *
 * - every profile: the ViT's first training step has loss ln 10 exactly (its
 *   head is zero at init), a check of the full-size model and loss through the
 *   pipeline; the simulated ≡ true forward identities where they hold (ViT;
 *   ResNet18 with eval-mode BatchNorm; weight perturbation; the batch sums of
 *   the JVPs for train-mode ResNet18), at a reduced size, with
 *   `measureIdentity`, and that train-mode ResNet18's per-sample JVPs do
 *   differ (README, Design).
 * - quick and paper: bp learns (test accuracy at the best-validation epoch,
 *   less its statistical tolerance, at least chance + a margin per model and
 *   dataset), and so do fg-mean and frog where their budget shows it
 *   ({@link SOTA_FG_MARGIN}); paper only: frog decreases the validation loss at least as much
 *   as fg-mean at equal k (the paper's §4.5 claim; quick's 100–150 steps are too few). The
 *   smoke profile trains 2 steps a run, too few for either: at the paper's LR
 *   0.1 bp's loss first rises (README), so smoke checks only the above.
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { Rng } from "../core/rng.ts";
import {
  activityCount,
  createResNet18,
  createVit,
  disposeModel,
  measureIdentity,
  type Model,
  parameterCount,
  sampleNormalTangents,
} from "../nn/mod.ts";
import type { PendingCheck } from "./checks.ts";
import { formatSig } from "./format.ts";
import { groupRuns, runLabel, runResult, type TrainRun } from "./networks.ts";
import { mean, sampleStd } from "./stats.ts";
import { IDENTITY_TOLERANCE } from "./verify_identity.ts";

const S = "networks";

/** Chance accuracy of the paper's 10-class datasets. */
export const CHANCE = 0.1;

/**
 * Margin above chance that bp's test accuracy (at the best-validation epoch)
 * must clear, per profile, model and dataset. The check passes when the
 * accuracy minus its statistical tolerance (z·SE: binomial over the evaluated
 * samples, and the seeds' spread) is at least chance + margin, so an
 * accuracy at chance always fails. quick: ResNet18 4 epochs of 25 steps, the
 * ViT 3 epochs of 50, at LR 0.1, where the loss first rises, then falls;
 * measured (500 test images, one seed): ResNet18 MNIST 92.0–94.6% after 50
 * steps, ResNet18 CIFAR-10 35.4%, the ViT CIFAR-10 25.4% after 50 steps; the
 * ViT MNIST is at chance after 50 steps (its batch loss climbs to ≈ 7 by step
 * 30) and reached 28% test accuracy after 150 (native, 25-step epochs):
 * margin 0 (significantly above chance at the family's z ≈ 4.5–5), see README.
 * paper: up to 200 epochs.
 */
export const SOTA_BP_MARGIN: Record<string, Record<string, Record<string, number>>> = {
  quick: {
    resnet18: { mnist: 0.5, cifar10: 0.1 },
    vit: { mnist: 0, cifar10: 0.05 },
  },
  paper: {
    resnet18: { mnist: 0.8, cifar10: 0.3 },
    vit: { mnist: 0.8, cifar10: 0.3 },
  },
};

/**
 * Margin above chance that fg-mean's and frog's test accuracy (at the
 * best-validation epoch, less its tolerance, as for bp) must clear, per
 * profile, model and dataset; no entry, no check. quick: ResNet18 MNIST 4
 * epochs of 25 steps, measured (500 test images, one seed): frog k=16 25.8%
 * (wasm) and 28.2% (native) after 100 steps (its validation loss first rises,
 * 2.33 → 2.36 over the first 25–50 steps, then falls to 2.09 and 2.18),
 * fg-mean k=16 37.8% and 34.0%: margin 0, significantly above chance.
 * The ViT's 150 quick steps leave both at 16.8–17.8%, about 5 binomial SE
 * above chance over 500 samples, at the edge of the family's z, so quick does
 * not check them (README). paper: significantly above chance.
 */
export const SOTA_FG_MARGIN: Record<string, Record<string, Record<string, number>>> = {
  quick: { resnet18: { mnist: 0 } },
  paper: {
    resnet18: { mnist: 0, cifar10: 0 },
    vit: { mnist: 0, cifar10: 0 },
  },
};

/** Profiles whose runs are long enough for the frog ≥ fg-mean claim check. */
export const FROG_CLAIM_PROFILES: readonly string[] = ["paper"];

function binomialSe(p: number, n: number): number {
  return Math.sqrt(Math.max(p * (1 - p), 1e-4) / n);
}

/** Validation-loss decrease of a run: epoch 0's criterion loss minus the best epoch's. */
export function lossDecrease(run: TrainRun): number {
  const r = runResult(run);
  const pick = (e: typeof r.best) =>
    r.criterion === "val" ? e.valLoss : r.criterion === "test" ? e.testLoss : e.trainLoss;
  return pick(run.epochs[0]) - pick(r.best);
}

/**
 * The checks on the §4.5 runs (see the module doc).
 *
 * @param runs ResNet18/ViT runs.
 * @param profile The profile (selects {@link SOTA_BP_MARGIN} and the claim checks).
 * @param evalSize Test samples evaluated per run.
 */
export function sotaChecks(
  runs: TrainRun[],
  profile: string,
  evalSize: (r: TrainRun) => number,
): PendingCheck[] {
  const out: PendingCheck[] = [];
  for (const r of runs.filter((r) => r.model === "vit" && (r.batchLosses?.length ?? 0) > 0)) {
    const first = r.batchLosses![0];
    out.push({
      section: S,
      check: `vit/${r.dataset} ${
        runLabel(r)
      } seed ${r.seed}: first training step's loss = ln 10 (zero-initialised head)`,
      expected: Math.LN10,
      measured: first,
      se: 0,
      slack: 1e-5,
      test: (tol) => Math.abs(first - Math.LN10) <= tol,
    });
  }
  const learns = (approaches: readonly string[], table: typeof SOTA_BP_MARGIN) => {
    const margins = table[profile] ?? {};
    for (const g of groupRuns(runs).filter((g) => approaches.includes(g[0].approach))) {
      const margin = margins[g[0].model]?.[g[0].dataset];
      if (margin === undefined) continue;
      const accs = g.map((r) => runResult(r).best.testAccuracy);
      const acc = mean(accs);
      const sampling = mean(g.map((r) => binomialSe(acc, evalSize(r)))) / Math.sqrt(g.length);
      const seeds = accs.length > 1 ? sampleStd(accs) / Math.sqrt(accs.length) : 0;
      const bound = CHANCE + margin;
      out.push({
        section: S,
        check: `${g[0].model}/${g[0].dataset} ${
          runLabel(g[0])
        } learns: test accuracy at the best-validation epoch, less its tolerance, ≥ chance (${CHANCE}) + ${margin} (${profile})`,
        expected: `≥ ${formatSig(bound, 3)} + tol`,
        measured: acc,
        se: Math.hypot(sampling, seeds),
        slack: 0,
        test: (tol) => acc - tol >= bound,
        catches: () => `accuracy ≤ ${formatSig(bound, 3)}`,
      });
    }
  };
  learns(["bp"], SOTA_BP_MARGIN);
  learns(["fg-mean", "frog"], SOTA_FG_MARGIN);
  // frog ≥ fg-mean only where the runs are long enough for it to mean something (paper): at 50
  // steps, one seed, ResNet18 MNIST k=16 lowered the validation loss by 0.082 (fg-mean) and 0.057
  // (frog) in one run and by 0.22 and −0.003 in another, differences within one run's noise
  // (README).
  if (!FROG_CLAIM_PROFILES.includes(profile)) return out;
  const fgGroups = groupRuns(runs).filter((g) => g[0].approach === "fg-mean");
  for (const fg of fgGroups) {
    const frog = groupRuns(runs).find((g) =>
      g[0].approach === "frog" && g[0].k === fg[0].k && g[0].model === fg[0].model &&
      g[0].dataset === fg[0].dataset && g[0].mode === fg[0].mode &&
      g[0].perturbation === fg[0].perturbation
    );
    if (!frog) continue;
    const a = frog.map(lossDecrease), b = fg.map(lossDecrease);
    const n = Math.min(a.length, b.length);
    const se = n > 1
      ? Math.hypot(sampleStd(a) / Math.sqrt(a.length), sampleStd(b) / Math.sqrt(b.length))
      : 0;
    const ma = mean(a), mb = mean(b);
    out.push({
      section: S,
      check: `${fg[0].model}/${fg[0].dataset} k=${
        fg[0].k
      }: frog's validation-loss decrease (epoch 0 → best) ≥ fg-mean's (paper §4.5)`,
      expected: `≥ ${formatSig(mb, 4)}`,
      measured: ma,
      se,
      ...(n > 1 ? { df: n - 1 } : {}),
      slack: 0,
      test: (tol) => ma >= mb - tol,
      catches: (tol) => `frog below by > ${formatSig(tol, 2)}`,
    });
  }
  return out;
}

function smallResNet(seed: number): Model {
  return createResNet18({
    inChannels: 3,
    imageSize: 16,
    widths: [4, 4, 6, 8, 8],
    blocksPerStage: [1, 1, 1, 1],
    seed,
  });
}

/** A reduced ViT whose head is given random values (at init it is zero: no upstream gradient). */
function smallVit(seed: number): Model {
  const m = createVit({
    inChannels: 3,
    imageSize: 8,
    hiddenDim: 8,
    mlpDim: 16,
    numHeads: 2,
    numLayers: 3,
    seed,
  });
  const i = m.paramNames.indexOf("heads.head.weight");
  const old = m.params[i];
  m.params[i] = tf.tensor(
    new Rng(seed, "verify", "vit-head").normal(new Float32Array(old.size)),
    old.shape,
  );
  old.dispose();
  return m;
}

/**
 * The simulated ≡ true forward identities of ResNet18 and the ViT at a
 * reduced size (ResNet18 widths 4–8, one BasicBlock a stage, 16×16 inputs;
 * ViT width 8, 3 layers, 8×8 inputs), batch `batch`, k = 4, frog and
 * fg-mean: each a deterministic check with {@link IDENTITY_TOLERANCE}.
 */
export async function sotaIdentityChecks(
  opts: { batch?: number; k?: number; seed?: number } = {},
): Promise<PendingCheck[]> {
  const { batch = 6, k = 4, seed = 0 } = opts;
  const out: PendingCheck[] = [];
  const strict = (check: string, measured: number) =>
    out.push({
      section: S,
      check,
      expected: 0,
      measured,
      se: 0,
      slack: IDENTITY_TOLERANCE,
      test: (tol) => measured <= tol,
    });
  const inputs = (size: number) => {
    const rng = new Rng(seed, "verify", "sota-identity-batch", size);
    const x = tf.tensor4d(rng.normal(new Float32Array(batch * size * size * 3)), [
      batch,
      size,
      size,
      3,
    ]);
    const y = tf.tensor1d(Array.from({ length: batch }, () => rng.nextInt(10)), "int32");
    return { x, y };
  };
  const tangents = (model: Model, what: "node" | "weight", tag: string) =>
    sampleNormalTangents(
      new Rng(seed, "verify", "sota-identity-tangents", tag),
      k,
      what === "node" ? activityCount(model) : parameterCount(model),
    );
  const aggs = [["mean", "fg-mean"], ["orthogonal_projection", "frog"]] as const;
  const vit = smallVit(seed);
  const resnet = smallResNet(seed);
  const v8 = inputs(8), v16 = inputs(16);
  try {
    for (const [agg, name] of aggs) {
      for (const what of ["node", "weight"] as const) {
        const v = tangents(vit, what, `vit-${what}`);
        const m = await measureIdentity(vit, v8.x, v8.y, v, what, agg);
        v.dispose();
        strict(
          `simulated = true forward mode (vit reduced, ${what} perturbation, ${name}, k=${k}): JVPs and updates, relative difference`,
          Math.max(m.jvp, m.update),
        );
      }
      const vn = tangents(resnet, "node", "resnet-node");
      const ev = await measureIdentity(resnet, v16.x, v16.y, vn, "node", agg, { mode: "eval" });
      strict(
        `simulated = true forward mode (resnet18 reduced, eval-mode BatchNorm, node perturbation, ${name}, k=${k}): JVPs and updates`,
        Math.max(ev.jvp, ev.update),
      );
      const tr = await measureIdentity(resnet, v16.x, v16.y, vn, "node", agg);
      vn.dispose();
      strict(
        `simulated = true forward mode (resnet18 reduced, train-mode BatchNorm, node perturbation, ${name}, k=${k}): batch-summed JVPs`,
        tr.batchSumJvp,
      );
      if (agg === "mean") {
        const differs = tr.jvp;
        out.push({
          section: S,
          check:
            `train-mode BatchNorm couples the batch: resnet18 reduced per-sample JVPs, simulated vs true forward node perturbation, differ (relative difference > 0.01; README, Design)`,
          expected: "> 0.01",
          measured: differs,
          se: 0,
          slack: 0,
          test: () => differs > 0.01,
        });
      }
      const vw = tangents(resnet, "weight", "resnet-weight");
      const w = await measureIdentity(resnet, v16.x, v16.y, vw, "weight", agg);
      vw.dispose();
      strict(
        `simulated = true forward mode (resnet18 reduced, train-mode BatchNorm, weight perturbation, ${name}, k=${k}): JVPs and updates`,
        Math.max(w.jvp, w.update),
      );
    }
  } finally {
    tf.dispose([v8.x, v8.y, v16.x, v16.y]);
    disposeModel(vit);
    disposeModel(resnet);
  }
  return out;
}
