/**
 * Verification of the network-training results: bp reaches the accuracy this
 * profile's budget allows, every forward-gradient run learns (beats its own
 * epoch-0 accuracy), bp beats every forward-gradient run at the same budget
 * (the paper's ordering), and frog and fg-mean improve with k where the
 * profile trains several k. Accuracy tolerances are binomial standard errors
 * of the evaluated test samples (combined with the seeds' spread).
 *
 * @module
 */
import { type PendingCheck } from "./checks.ts";
import { groupRuns, runLabel, runResult, type TrainRun } from "./networks.ts";
import { mean, sampleStd } from "./stats.ts";
import { uniqueSorted } from "./records.ts";
import { formatSig } from "./format.ts";

/**
 * Minimum bp test accuracy per profile and dataset, at the best-validation epoch.
 * smoke: one epoch of 150 SGD steps (batch 64, the table LR) — an FC net is
 * at about 0.83 there, 0.70 leaves room for backend and seed differences while
 * still far above chance (0.10); quick: 10 full epochs (bp reaches about
 * 0.974 there; 0.93 leaves room for backends); paper: up to 200
 * epochs with early stopping (the authors' bp validation loss 0.076–0.078
 * corresponds to about 97.5–98% accuracy).
 */
export const BP_ACCURACY: Record<string, Record<string, number>> = {
  smoke: { mnist: 0.70, cifar10: 0.20 },
  quick: { mnist: 0.93, cifar10: 0.35 },
  paper: { mnist: 0.97, cifar10: 0.50 },
};

const S = "networks";

/** Test samples evaluated per run (the train stage's eval limit, else the dataset's test split). */
export type EvalSize = (run: TrainRun) => number;

function binomialSe(p: number, n: number): number {
  return Math.sqrt(Math.max(p * (1 - p), 1e-4) / n);
}

function accuracySe(runs: TrainRun[], evalSize: EvalSize): { acc: number; se: number } {
  const accs = runs.map((r) => runResult(r).best.testAccuracy);
  const acc = mean(accs);
  const sampling = mean(runs.map((r) => binomialSe(acc, evalSize(r)))) / Math.sqrt(runs.length);
  const seeds = accs.length > 1 ? sampleStd(accs) / Math.sqrt(accs.length) : 0;
  return { acc, se: Math.hypot(sampling, seeds) };
}

/**
 * The network checks.
 *
 * @param runs Training runs.
 * @param profile The profile (selects {@link BP_ACCURACY}).
 * @param evalSize Test samples evaluated per run.
 */
export function networkChecks(
  runs: TrainRun[],
  profile: string,
  evalSize: EvalSize,
): PendingCheck[] {
  const out: PendingCheck[] = [];
  for (const g of groupRuns(runs).filter((g) => g[0].approach === "bp")) {
    const threshold = BP_ACCURACY[profile]?.[g[0].dataset];
    if (threshold === undefined) continue;
    const { acc, se } = accuracySe(g, evalSize);
    out.push({
      section: S,
      check: `${g[0].model}/${
        g[0].dataset
      } bp: test accuracy at the best-validation epoch ≥ the ${profile} threshold`,
      expected: `≥ ${threshold}`,
      measured: acc,
      se,
      slack: 0,
      test: (tol) => acc >= threshold - tol,
      catches: (tol) => `${formatSig(tol, 2)} below the threshold`,
    });
  }
  const fgGroups = groupRuns(runs).filter((g) => g[0].approach !== "bp");
  for (const g of fgGroups) {
    const { acc, se } = accuracySe(g, evalSize);
    const acc0 = mean(g.map((r) => r.epochs[0].testAccuracy));
    const se0 = mean(g.map((r) => binomialSe(acc0, evalSize(r)))) / Math.sqrt(g.length);
    out.push({
      section: S,
      check: `${g[0].model}/${g[0].dataset} ${
        runLabel(g[0])
      }: learns — test accuracy at the best-validation epoch > at epoch 0 (before training)`,
      expected: `> ${acc0.toFixed(4)}`,
      measured: acc,
      se: Math.hypot(se, se0),
      slack: 0,
      test: (tol) => acc > acc0 + tol,
      catches: (tol) => `no gain beyond ${formatSig(tol, 2)}`,
    });
  }
  for (const bp of groupRuns(runs).filter((g) => g[0].approach === "bp")) {
    const same = fgGroups.filter((g) =>
      g[0].model === bp[0].model && g[0].dataset === bp[0].dataset
    );
    if (same.length === 0) continue;
    const b = accuracySe(bp, evalSize);
    const best = same.map((g) => ({ g, ...accuracySe(g, evalSize) })).sort((x, y) =>
      y.acc - x.acc
    )[0];
    out.push({
      section: S,
      check: `${bp[0].model}/${
        bp[0].dataset
      }: bp test accuracy ≥ the best forward-gradient run's (${runLabel(best.g[0])}), same budget`,
      expected: `≥ ${best.acc.toFixed(4)}`,
      measured: b.acc,
      se: Math.hypot(b.se, best.se),
      slack: 0,
      test: (tol) => b.acc >= best.acc - tol,
      catches: (tol) => `bp below by > ${formatSig(tol, 2)}`,
    });
  }
  const keys = new Set(runs.map((r) => `${r.model}|${r.dataset}|${r.mode}|${r.perturbation}`));
  for (const key of keys) {
    const [model, dataset, mode, perturbation] = key.split("|");
    for (const approach of ["fg-mean", "frog"]) {
      const sel = runs.filter((r) =>
        r.model === model && r.dataset === dataset && r.mode === mode &&
        r.perturbation === perturbation &&
        r.approach === approach
      );
      const ks = uniqueSorted(sel.map((r) => r.k));
      if (ks.length < 2) continue;
      const lo = accuracySe(sel.filter((r) => r.k === ks[0]), evalSize);
      const hi = accuracySe(sel.filter((r) => r.k === ks[ks.length - 1]), evalSize);
      out.push({
        section: S,
        check: `${model}/${dataset} ${runLabel(sel[0]).split(" ")[0]}: k=${
          ks[ks.length - 1]
        } test accuracy ≥ k=${ks[0]} (best-validation epoch)`,
        expected: `≥ ${lo.acc.toFixed(4)}`,
        measured: hi.acc,
        se: Math.hypot(lo.se, hi.se),
        slack: 0,
        test: (tol) => hi.acc >= lo.acc - tol,
      });
    }
  }
  return out;
}
