/**
 * Small synthetic fixtures in the upstream stages' output formats: a real
 * Monte-Carlo approximation-quality summary (reference-spec §2.5–2.8),
 * function-optimisation summaries and histories (§3.3, §3.6) and training
 * runs (§4.7). Generated at test time; nothing is checked in.
 *
 * @module
 */
import { join } from "node:path";
import { Rng } from "../../src/core/rng.ts";
import { toCsvText } from "../../src/report/csv.ts";

const SUMMARY_HEADER = [
  "",
  "true_grad_norm",
  "n",
  "k",
  "agg",
  "tangents",
  "scaling_correction",
  "normalize_tangents",
  "label",
  "true_grad_fn",
  "fg_norm_mean",
  "fg_norm_std",
  "difference_norm_mean",
  "difference_norm_std",
  "fg_norm/true_grad_norm_mean",
  "fg_norm/true_grad_norm_std",
  "dot_product_mean",
  "dot_product_std",
  "cosine_sim_mean",
  "cosine_sim_std",
  "fg_norm_ci",
  "difference_norm_ci",
  "fg_norm/true_grad_norm_ci",
  "dot_product_ci",
  "cosine_sim_ci",
];

/** Solves the SPD system A x = b (Cholesky, float64). */
function cholSolve(a: number[][], b: number[]): number[] {
  const m = b.length;
  const l = a.map((r) => r.map(() => 0));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let p = 0; p < j; p++) s -= l[i][p] * l[j][p];
      l[i][j] = i === j ? Math.sqrt(s) : s / l[j][j];
    }
  }
  const y = new Array(m).fill(0);
  for (let i = 0; i < m; i++) {
    let s = b[i];
    for (let p = 0; p < i; p++) s -= l[i][p] * y[p];
    y[i] = s / l[i][i];
  }
  const x = new Array(m).fill(0);
  for (let i = m - 1; i >= 0; i--) {
    let s = y[i];
    for (let p = i + 1; p < m; p++) s -= l[p][i] * x[p];
    x[i] = s / l[i][i];
  }
  return x;
}

type Config = { label: string; k: number; agg: string; aggregation: string; normalize: boolean };

function configs(ks: number[]): Config[] {
  const out: Config[] = [{
    label: "fg_baseline",
    k: 1,
    agg: "none",
    aggregation: "sum",
    normalize: false,
  }];
  for (const k of ks) {
    out.push({
      label: `frog_k=${k}`,
      k,
      agg: "orthogonal_projection",
      aggregation: "frog",
      normalize: false,
    });
  }
  for (const k of ks) {
    out.push({ label: `fg_mean_k=${k}`, k, agg: "mean", aggregation: "mean", normalize: true });
  }
  for (const k of ks) {
    out.push({ label: `fg_mean_k=${k}`, k, agg: "mean", aggregation: "mean", normalize: false });
  }
  for (const k of ks) {
    out.push({ label: `fg_sum_k=${k}`, k, agg: "sum", aggregation: "sum", normalize: true });
  }
  for (const k of ks) {
    out.push({ label: `fg_sum_k=${k}`, k, agg: "sum", aggregation: "sum", normalize: false });
  }
  return out;
}

function sampleTangents(rng: Rng, k: number, n: number, angle: number | null): number[][] {
  const v: number[][] = [];
  for (let j = 0; j < k; j++) {
    const row = new Float64Array(n);
    rng.normal(row);
    v.push([...row]);
  }
  if (angle === null) return v;
  const unit = (x: number[]) => {
    const nn = Math.hypot(...x);
    return x.map((e) => e / nn);
  };
  const b = unit(v[0]);
  const out = [b];
  const rad = angle * Math.PI / 180;
  for (let j = 1; j < k; j++) {
    const u = unit(v[j]);
    const dot = u.reduce((s, e, i) => s + e * b[i], 0);
    const w = unit(u.map((e, i) => e - dot * b[i]));
    out.push(b.map((e, i) => Math.cos(rad) * e + Math.sin(rad) * w[i]));
  }
  return out;
}

function forwardGradient(v: number[][], d: number[], c: Config, n: number): number[] {
  const fg = new Array(n).fill(0);
  if (c.aggregation === "frog") {
    const m = Math.min(v.length, n);
    const vs = v.slice(0, m), ds = d.slice(0, m);
    const gram = vs.map((a) => vs.map((b) => a.reduce((s, e, i) => s + e * b[i], 0)));
    const x = cholSolve(gram, ds);
    for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) fg[i] += vs[j][i] * x[j];
    return fg;
  }
  for (let j = 0; j < v.length; j++) for (let i = 0; i < n; i++) fg[i] += v[j][i] * d[j];
  if (c.aggregation === "mean") { for (let i = 0; i < n; i++) fg[i] /= v.length; }
  return fg;
}

function meanStd(xs: number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const s = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
  return [m, s];
}

/**
 * A Monte-Carlo approximation-quality summary in the §2.7 format (g = ones,
 * fresh stream seeded 0 per (n, configuration), as the reference).
 *
 * @param angle Degrees for the specific-angle sampler, or null for normal tangents.
 */
export function simulateApproxSummary(
  ns: number[],
  ks: number[],
  samples: number,
  angle: number | null = null,
): string {
  const rows: unknown[][] = [];
  let index = 0;
  for (const n of ns) {
    const g = new Array(n).fill(1);
    const gNorm = Math.sqrt(n);
    for (const c of angle === null ? configs(ks) : configs(ks).slice(1)) {
      const rng = new Rng(0, "fixture", n, c.k);
      const metrics: number[][] = [[], [], [], [], []];
      for (let s = 0; s < samples; s++) {
        let v = sampleTangents(rng, c.k, n, angle);
        if (c.normalize) v = v.map((r) => r.map((e) => e / Math.hypot(...r)));
        const d = v.map((r) => r.reduce((a, e, i) => a + e * g[i], 0));
        const fg = forwardGradient(v, d, c, n);
        const fgNorm = Math.hypot(...fg);
        const diff = Math.hypot(...fg.map((e, i) => g[i] - e));
        const dot = fg.reduce((a, e, i) => a + e * g[i], 0);
        metrics[0].push(fgNorm);
        metrics[1].push(diff);
        metrics[2].push(fgNorm / gNorm);
        metrics[3].push(dot);
        metrics[4].push(dot / (fgNorm * gNorm));
      }
      const ms = metrics.map(meanStd);
      const sampler = angle === null ? "normal" : `specific_angle_${angle}`;
      rows.push([
        index++,
        gNorm,
        n,
        c.k,
        c.agg,
        sampler,
        "False",
        c.normalize ? "True" : "False",
        c.label,
        "ones",
        ...ms.flatMap(([m, s]) => [m, s]),
        ...ms.map(([, s]) => 1.96 * s / Math.sqrt(samples)),
      ]);
    }
  }
  return toCsvText(SUMMARY_HEADER, rows);
}

/** Writes an approx stage folder: the normal grid and optionally angle variants. */
export async function writeApproxFixture(
  dir: string,
  o: {
    ns: number[];
    ks: number[];
    samples: number;
    angles?: number[];
    edit?: (csv: string) => string;
  },
): Promise<void> {
  await Deno.mkdir(join(dir, "approx_quality"), { recursive: true });
  const csv = simulateApproxSummary(o.ns, o.ks, o.samples);
  await Deno.writeTextFile(join(dir, "approx_quality", "summary.csv"), o.edit ? o.edit(csv) : csv);
  for (const a of o.angles ?? []) {
    const sub = join(dir, `approx_quality__angle__${a}`);
    await Deno.mkdir(sub, { recursive: true });
    await Deno.writeTextFile(
      join(sub, "summary.csv"),
      simulateApproxSummary([8], [4, 8], o.samples, a),
    );
  }
}

const HISTORY_HEADER = [
  "y",
  "step_duration_s",
  "time_s",
  "step",
  "_steps",
  "_optimizer_step_size",
  "_optimizer_early_stopping_patience",
  "_optimizer_type",
  "_optimizer_seed",
  "n",
  "_optimizer_label_short",
  "_optimizer_label_long",
  "_function",
];

/** One synthetic optimisation run for the functions fixture. */
export interface FixtureRun {
  fn: string;
  n: number;
  label: string;
  seed: number;
  lr: number;
  patience: number;
  maxSteps: number;
  /** Values after each step (index 0 = start). */
  ys: number[];
}

/** Labels of the paper's approaches (spec §3.2). */
export function fgLabel(k: number, agg: string, sampler = "normal"): string {
  return `FG(k=${k},agg=${agg},normalize=False,sampler=${sampler},scaling_correction=False)`;
}

/**
 * Writes `math_experiments/<fn>__summary.csv` and `__all.csv` (or another
 * sub-folder) for the given runs.
 */
export async function writeFunctionsFixture(
  dir: string,
  runs: FixtureRun[],
  sub = "math_experiments",
): Promise<void> {
  await Deno.mkdir(join(dir, sub), { recursive: true });
  for (const fn of [...new Set(runs.map((r) => r.fn))]) {
    const fr = runs.filter((r) => r.fn === fn);
    const summary = fr.map((
      r,
    ) => [fn, r.n, r.label, r.seed, Math.min(...r.ys), r.ys[r.ys.length - 1], r.lr]);
    await Deno.writeTextFile(
      join(dir, sub, `${fn}__summary.csv`),
      toCsvText(["function", "n", "optimizer", "seed", "best", "last", "lr"], summary),
    );
    const hist: unknown[][] = [];
    for (const r of fr) {
      r.ys.forEach((y, step) =>
        hist.push([
          y,
          step === 0 ? 0 : 1e-4,
          step * 1e-4,
          step,
          r.maxSteps,
          r.lr,
          r.patience,
          r.label === "Backpropagation" ? "bp" : "fg",
          r.seed,
          r.n,
          r.label,
          r.label,
          fn,
        ])
      );
    }
    await Deno.writeTextFile(join(dir, sub, `${fn}__all.csv`), toCsvText(HISTORY_HEADER, hist));
  }
}

/** Geometric decay from f0 towards fStar over `steps` steps with the given rate. */
export function decay(f0: number, fStar: number, rate: number, steps: number): number[] {
  return Array.from({ length: steps + 1 }, (_, t) => fStar + (f0 - fStar) * Math.exp(-rate * t));
}

const PROGRESS_HEADER = [
  "epoch",
  "train_loss",
  "train_accuracy",
  "val_loss",
  "val_accuracy",
  "test_loss",
  "test_accuracy",
  "time__train_epoch_s",
  "time__evaluate_epoch_s",
  "k",
  "seed",
  "fg_computation_mode",
  "model__name",
];

/** One synthetic training run: accuracy per epoch (loss derived from it). */
export interface FixtureTrainRun {
  approach: "bp" | "fg-mean" | "frog";
  k: number | null;
  seed: number;
  acc: number[];
}

/** Writes `runs.csv`, `runs/<id>_train_progress.csv` and `runs/<id>.json` for the runs. */
export async function writeTrainFixture(
  dir: string,
  runs: FixtureTrainRun[],
  evalLimit = 2000,
): Promise<void> {
  await Deno.mkdir(join(dir, "runs"), { recursive: true });
  const index: unknown[][] = [];
  for (const r of runs) {
    const id = `fc_w=256__mnist__${r.approach}${r.k === null ? "" : `_k=${r.k}`}__seed=${r.seed}`;
    const file = `runs/${id}_train_progress.csv`;
    const rows = r.acc.map((a, epoch) => {
      const loss = -Math.log(Math.max(a, 0.05));
      return [
        epoch,
        loss,
        a,
        loss + 0.01,
        a - 0.005,
        loss + 0.02,
        a - 0.01,
        epoch === 0 ? 0 : 2.5,
        0.5,
        r.k ?? "",
        r.seed,
        r.approach === "bp" ? "" : "sim",
        "fc",
      ];
    });
    await Deno.writeTextFile(join(dir, file), toCsvText(PROGRESS_HEADER, rows));
    await Deno.writeTextFile(
      join(dir, "runs", `${id}.json`),
      JSON.stringify({ run_id: id, eval_limit: evalLimit }),
    );
    index.push([
      "fc_w=256",
      "mnist",
      r.approach,
      r.k ?? "",
      r.seed,
      r.approach === "bp" ? "" : "sim",
      r.approach === "bp" ? "" : "node",
      0.01,
      file,
    ]);
  }
  await Deno.writeTextFile(
    join(dir, "runs.csv"),
    toCsvText([
      "model",
      "dataset",
      "gradient_approach",
      "k",
      "seed",
      "mode",
      "perturbation",
      "lr",
      "file",
    ], index),
  );
}

/** A minimal stage context for calling a stage's run() in tests. */
export function testContext<P>(
  params: P,
  outDir: string,
  inputs: Record<string, string>,
  rootDir: string,
  log: string[] = [],
) {
  return {
    params,
    outDir,
    inputs: Object.fromEntries(
      Object.entries(inputs).map((
        [stage, dir],
      ) => [stage, { stage, dir, key: `key-${stage}`, params: {} }]),
    ),
    backend: { requested: "cpu" as const, name: "cpu", versions: {} },
    rootDir,
    log: (m: string) => log.push(m),
    progress: () => ({ tick() {}, stop() {} }),
  };
}

/** The repository root. */
export const REPO_ROOT_DIR = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** The standard good fixture runs of the functions section (budget 100 < the reference's). */
export function goodFunctionRuns(): FixtureRun[] {
  const runs: FixtureRun[] = [];
  const approaches: [string, number][] = [
    ["Backpropagation", 0.3],
    [fgLabel(1, "mean"), 0.02],
    [fgLabel(4, "mean"), 0.05],
    [fgLabel(4, "orthogonal_projection"), 0.08],
    [fgLabel(16, "mean"), 0.12],
    [fgLabel(16, "orthogonal_projection"), 0.2],
  ];
  for (const [fn, f0, fStar] of [["sphere", 1, 0], ["styblinski-tang", 0, -39.16599]] as const) {
    for (const n of [2, 4, 8]) {
      for (const [label, rate] of approaches) {
        for (const seed of [0, 1]) {
          const start = fn === "sphere" ? f0 * n : 0;
          runs.push({
            fn,
            n,
            label,
            seed,
            lr: 0.01,
            patience: 50,
            maxSteps: 100,
            ys: decay(start, fStar * n, rate * (1 + 0.05 * seed), 100),
          });
        }
      }
    }
  }
  return runs;
}

/** The standard good fixture runs of the networks section (smoke-like: one epoch). */
export function goodTrainRuns(): FixtureTrainRun[] {
  return [
    { approach: "bp", k: null, seed: 0, acc: [0.1, 0.86] },
    { approach: "fg-mean", k: 1, seed: 0, acc: [0.1, 0.3] },
    { approach: "fg-mean", k: 4, seed: 0, acc: [0.1, 0.45] },
    { approach: "frog", k: 4, seed: 0, acc: [0.1, 0.5] },
    { approach: "frog", k: 16, seed: 0, acc: [0.1, 0.62] },
  ];
}
