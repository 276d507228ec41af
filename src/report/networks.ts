/**
 * Network-training section: reads the train stage's `runs.csv` and each run's
 * `_train_progress.csv` (reference-spec §4.7) and builds the results table
 * (test accuracy and loss at the best-validation-loss epoch and at the last
 * epoch, mean ± std over seeds, epochs run, time per epoch) and the training
 * curves.
 *
 * @module
 */
import { isAbsolute, join } from "node:path";
import type { CsvRecord } from "./csv.ts";
import { num, readCsvIfExists, uniqueSorted } from "./records.ts";
import type { Cell, Table } from "./table.ts";
import type { SectionContent } from "./outputs.ts";
import { type FigurePoint, lineFigureSpec } from "./figure.ts";
import { approachStyles } from "./palette.ts";
import { mean, sampleStd } from "./stats.ts";

/** One epoch row of a progress file. */
export interface EpochRow {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  trainSeconds: number;
}

/** One training run. */
export interface TrainRun {
  model: string;
  dataset: string;
  /** `bp`, `fg-mean` or `frog`. */
  approach: string;
  /** Tangents (0 for bp). */
  k: number;
  seed: number;
  mode: string;
  perturbation: string;
  lr: number;
  epochs: EpochRow[];
  /** Samples evaluated per split (`eval_limit` of the run's JSON config); undefined = the whole split. */
  evalLimit?: number;
  /** Train-mode batch loss of the first steps (`batch_losses` of the run's JSON), if recorded. */
  batchLosses?: number[];
}

/** Facts of one run derived from its epochs. */
export interface RunResult {
  /** Epoch with the smallest validation loss (or test, then train loss when there is no validation set). */
  bestEpoch: number;
  /** Which loss chose `bestEpoch`: `val`, `test` or `train`. */
  criterion: "val" | "test" | "train";
  best: EpochRow;
  last: EpochRow;
  /** Training epochs run (the last epoch index; epoch 0 only evaluates). */
  epochsRun: number;
  /** Mean training time per epoch (epochs ≥ 1), seconds. */
  secondsPerEpoch: number;
}

function normApproach(a: string): string {
  const s = a.trim().toLowerCase();
  return s === "fg" ? "fg-mean" : s;
}

function epochRow(r: CsvRecord): EpochRow {
  const opt = (c: string) => (r[c] === undefined ? NaN : num(r, c));
  return {
    epoch: num(r, "epoch"),
    trainLoss: opt("train_loss"),
    trainAccuracy: opt("train_accuracy"),
    valLoss: opt("val_loss"),
    valAccuracy: opt("val_accuracy"),
    testLoss: opt("test_loss"),
    testAccuracy: opt("test_accuracy"),
    trainSeconds: opt("time__train_epoch_s"),
  };
}

/**
 * Reads `runs.csv` and every listed progress file from the train stage folder.
 *
 * @returns The runs, or null when there are none.
 */
export async function readTraining(dir: string): Promise<TrainRun[] | null> {
  const index = await readCsvIfExists(join(dir, "runs.csv"));
  if (!index || index.length === 0) return null;
  const runs: TrainRun[] = [];
  for (const r of index) {
    const file = r.file ?? "";
    const candidates = isAbsolute(file) ? [file] : [join(dir, file), join(dir, "runs", file)];
    let recs: CsvRecord[] | null = null;
    for (const c of candidates) {
      recs = await readCsvIfExists(c);
      if (recs) break;
    }
    if (!recs) {
      throw new Error(
        `Cannot read training run: progress file "${file}" listed in runs.csv is missing`,
      );
    }
    let evalLimit: number | undefined;
    let batchLosses: number[] | undefined;
    try {
      const cfgPath = join(dir, file.replace(/_train_progress\.csv$/, ".json"));
      const cfg = JSON.parse(await Deno.readTextFile(cfgPath));
      if (typeof cfg.eval_limit === "number" && cfg.eval_limit > 0) evalLimit = cfg.eval_limit;
      if (Array.isArray(cfg.batch_losses)) {
        batchLosses = cfg.batch_losses.map((v: unknown) => (typeof v === "number" ? v : NaN));
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound) && !(e instanceof SyntaxError)) throw e;
    }
    const approach = normApproach(r.gradient_approach ?? "");
    runs.push({
      model: r.model ?? "",
      dataset: r.dataset ?? "",
      approach,
      k: approach === "bp" ? 0 : (Number.isFinite(num(r, "k")) ? num(r, "k") : 1),
      seed: num(r, "seed"),
      mode: r.mode ?? "",
      perturbation: r.perturbation ?? "",
      lr: num(r, "lr"),
      epochs: recs.map(epochRow).sort((a, b) => a.epoch - b.epoch),
      ...(evalLimit === undefined ? {} : { evalLimit }),
      ...(batchLosses === undefined ? {} : { batchLosses }),
    });
  }
  return runs;
}

/** Best-validation-loss and last-epoch facts of one run. */
export function runResult(run: TrainRun): RunResult {
  const e = run.epochs;
  if (e.length === 0) {
    throw new Error(`Cannot summarise run ${runLabel(run)} seed ${run.seed}: no epochs`);
  }
  const criterion = e.some((x) => Number.isFinite(x.valLoss))
    ? "val"
    : e.some((x) => Number.isFinite(x.testLoss))
    ? "test"
    : "train";
  const loss = (
    x: EpochRow,
  ) => (criterion === "val" ? x.valLoss : criterion === "test" ? x.testLoss : x.trainLoss);
  let best = e[0];
  for (const x of e) if (Number.isFinite(loss(x)) && !(loss(x) >= loss(best))) best = x;
  const last = e[e.length - 1];
  const times = e.filter((x) => x.epoch >= 1).map((x) => x.trainSeconds).filter(Number.isFinite);
  return {
    bestEpoch: best.epoch,
    criterion,
    best,
    last,
    epochsRun: last.epoch,
    secondsPerEpoch: mean(times),
  };
}

/** Display label of a run's gradient approach: `bp`, `fg k=1`, `fg-mean k=4`, `frog k=4` (+ mode). */
export function runLabel(r: Pick<TrainRun, "approach" | "k" | "mode" | "perturbation">): string {
  let s = r.approach === "bp"
    ? "bp"
    : r.approach === "fg-mean" && r.k === 1
    ? "fg k=1"
    : `${r.approach} k=${r.k}`;
  const extras = [
    r.mode && r.mode !== "sim" ? r.mode : "",
    r.perturbation && r.perturbation !== "node" ? r.perturbation : "",
  ]
    .filter((x) => x !== "" && r.approach !== "bp");
  if (extras.length > 0) s += ` (${extras.join(", ")})`;
  return s;
}

function approachRank(r: TrainRun): number {
  return r.approach === "bp" ? 0 : 1 + r.k * 10 + (r.approach === "fg-mean" ? 0 : 1);
}

/** Runs grouped by model, dataset and approach (the table's rows), in display order. */
export function groupRuns(runs: TrainRun[]): TrainRun[][] {
  const m = new Map<string, TrainRun[]>();
  for (const r of runs) {
    const key = `${r.model}|${r.dataset}|${runLabel(r)}`;
    const g = m.get(key);
    if (g) g.push(r);
    else m.set(key, [r]);
  }
  return [...m.values()].sort((a, b) =>
    a[0].model.localeCompare(b[0].model) || a[0].dataset.localeCompare(b[0].dataset) ||
    approachRank(a[0]) - approachRank(b[0])
  );
}

function pm(xs: number[]): Cell {
  const v = xs.filter(Number.isFinite);
  if (v.length === 0) return null;
  if (v.length === 1) return v[0];
  return { mean: mean(v), pm: sampleStd(v) };
}

/** Whether a run is one of the §4.5 models (ResNet18, the ViT) rather than an FC network. */
export function isSotaRun(r: Pick<TrainRun, "model">): boolean {
  return r.model === "resnet18" || r.model === "vit";
}

function resultsTable(
  runs: TrainRun[],
  name = "networks_results",
  title = "Network training: test accuracy and loss",
): Table {
  const rows: Cell[][] = [];
  const criteria = new Set<string>();
  for (const g of groupRuns(runs)) {
    const res = g.map(runResult);
    for (const r of res) criteria.add(r.criterion);
    rows.push([
      g[0].model,
      g[0].dataset,
      runLabel(g[0]),
      g.length,
      pm(res.map((r) => r.best.testAccuracy * 100)),
      pm(res.map((r) => r.best.testLoss)),
      pm(res.map((r) => r.last.testAccuracy * 100)),
      pm(res.map((r) => r.last.testLoss)),
      pm(res.map((r) => r.bestEpoch)),
      pm(res.map((r) => r.epochsRun)),
      pm(res.map((r) => r.secondsPerEpoch)),
    ]);
  }
  const crit = [...criteria].map((c) => (c === "val" ? "validation" : c)).join("/");
  return {
    name,
    title,
    numberFormat: "column",
    keyColumns: 4,
    columns: [
      { header: "model", align: "l" },
      { header: "dataset", align: "l" },
      { header: "approach", align: "l" },
      { header: "seeds", align: "r" },
      { header: "test acc. % @best-val", align: "r" },
      { header: "test loss @best-val", align: "r" },
      { header: "test acc. % @last", align: "r" },
      { header: "test loss @last", align: "r" },
      { header: "best-val epoch", align: "r" },
      { header: "epochs run", align: "r" },
      { header: "train s/epoch", align: "r" },
    ],
    rows,
    notes: [
      `"@best-val": at the epoch with the smallest ${crit} loss (epoch 0 = the initial model counts); "@last": at the last epoch run (early stopping or the epoch budget).`,
      "Cells: mean ± sample std over seeds, rounded to the std's second significant figure (a single number for one seed; one number of decimals per column). Times are wall-clock on a shared machine: noisy.",
    ],
  };
}

function curvePoints(runs: TrainRun[], metric: (e: EpochRow) => number): FigurePoint[] {
  const pts: FigurePoint[] = [];
  for (const g of groupRuns(runs)) {
    const maxEpoch = Math.max(...g.flatMap((r) => r.epochs.map((e) => e.epoch)));
    for (let ep = 0; ep <= maxEpoch; ep++) {
      const vals = g.map((r) => r.epochs.find((e) => e.epoch === ep)).filter((e) => e !== undefined)
        .map((e) => metric(e!)).filter(Number.isFinite);
      if (vals.length === 0) continue;
      const m = mean(vals);
      const sd = vals.length > 1 ? sampleStd(vals) : undefined;
      pts.push({
        x: ep,
        y: m,
        ...(sd === undefined ? {} : { lo: m - sd, hi: m + sd }),
        series: runLabel(g[0]),
        panel: `${g[0].model} / ${g[0].dataset}`,
      });
    }
  }
  return pts;
}

/**
 * Builds the network-training tables and figures.
 *
 * @param runs Runs from {@link readTraining}.
 */
export function networksSection(runs: TrainRun[]): SectionContent {
  return trainingSection(runs, {
    id: "networks",
    title: "Network training",
    table: "networks_results",
    tableTitle: "Network training: test accuracy and loss",
    figurePrefix: "training",
  });
}

/**
 * The §4.5 section: ResNet18 and the ViT on MNIST and CIFAR-10, the same
 * table (per model × dataset × approach) and curves as {@link networksSection}.
 *
 * @param runs ResNet18/ViT runs (see {@link isSotaRun}).
 */
export function sotaSection(runs: TrainRun[]): SectionContent {
  const s = trainingSection(runs, {
    id: "sota",
    title: "ResNet18 and ViT (§4.5)",
    table: "sota_results",
    tableTitle: "ResNet18 and ViT on MNIST and CIFAR-10: test accuracy and loss",
    figurePrefix: "sota",
  });
  const order = [...new Set(groupRuns(runs).map((g) => runLabel(g[0])))];
  const points = batchLossPoints(runs);
  if (points.length > 0) {
    s.figures.push({
      name: "sota_batch_loss",
      title: "Training curves: batch loss per step",
      spec: lineFigureSpec({
        title: "Train-mode batch loss against step",
        subtitle: "mean over seeds (recorded for the first steps of each run)",
        xTitle: "step",
        yTitle: "batch loss",
        seriesTitle: "approach",
        points,
        seriesOrder: order,
        styles: approachStyles(order),
        independentY: true,
        columns: 2,
      }),
    });
  }
  s.notes.push(
    "Batch sizes: MNIST 64, CIFAR-10 128 (spec §4.2); LRs from lrs/sota_nns.csv. ResNet18's test metrics are eval-mode (BatchNorm running statistics).",
  );
  return s;
}

function batchLossPoints(runs: TrainRun[]): FigurePoint[] {
  const pts: FigurePoint[] = [];
  for (const g of groupRuns(runs)) {
    const steps = Math.max(0, ...g.map((r) => r.batchLosses?.length ?? 0));
    for (let i = 0; i < steps; i++) {
      const vals = g.map((r) => r.batchLosses?.[i]).filter((v): v is number =>
        v !== undefined && Number.isFinite(v)
      );
      if (vals.length === 0) continue;
      pts.push({
        x: i + 1,
        y: mean(vals),
        series: runLabel(g[0]),
        panel: `${g[0].model} / ${g[0].dataset}`,
      });
    }
  }
  return pts;
}

interface SectionNames {
  id: string;
  title: string;
  table: string;
  tableTitle: string;
  figurePrefix: string;
}

function trainingSection(runs: TrainRun[], n: SectionNames): SectionContent {
  const order = groupRuns(runs).map((g) => runLabel(g[0]));
  const seriesOrder = [...new Set(order)];
  const hasVal = runs.some((r) => r.epochs.some((e) => Number.isFinite(e.valLoss)));
  const lossOf = (e: EpochRow) => (hasVal ? e.valLoss : e.testLoss);
  return {
    id: n.id,
    title: n.title,
    notes: [
      `Runs: ${runs.length} (models ${
        [...new Set(runs.map((r) => `${r.model}/${r.dataset}`))].join(", ")
      }; seeds {${uniqueSorted(runs.map((r) => r.seed)).join(", ")}}).`,
    ],
    tables: [resultsTable(runs, n.table, n.tableTitle)],
    figures: [
      {
        name: `${n.figurePrefix}_loss`,
        title: "Training curves: loss",
        spec: lineFigureSpec({
          title: `${hasVal ? "Validation" : "Test"} loss against epoch`,
          subtitle: "mean over seeds, band ± sample std where there are several seeds",
          xTitle: "epoch",
          yTitle: `${hasVal ? "validation" : "test"} loss`,
          seriesTitle: "approach",
          points: curvePoints(runs, lossOf),
          seriesOrder,
          styles: approachStyles(seriesOrder),
          independentY: true,
          columns: 2,
        }),
      },
      {
        name: `${n.figurePrefix}_accuracy`,
        title: "Training curves: test accuracy",
        spec: lineFigureSpec({
          title: "Test accuracy against epoch",
          subtitle: "mean over seeds, band ± sample std where there are several seeds",
          xTitle: "epoch",
          yTitle: "test accuracy (%)",
          seriesTitle: "approach",
          points: curvePoints(runs, (e) => e.testAccuracy * 100),
          seriesOrder,
          styles: approachStyles(seriesOrder),
          independentY: true,
          columns: 2,
        }),
      },
    ],
  };
}
