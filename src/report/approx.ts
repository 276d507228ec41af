/**
 * Approximation-quality section: reads the approx stage's summaries
 * (reference-spec §2.7 columns), builds the cosine and norm-ratio tables over
 * n and k, the angle-variant tables, and the figures with the theoretical
 * curves of §1.7 beside the measured ones.
 *
 * @module
 */
import { join } from "node:path";
import type { CsvRecord } from "./csv.ts";
import { bool, num, readCsvIfExists, uniqueSorted } from "./records.ts";
import type { Cell, Table } from "./table.ts";
import type { SectionContent } from "./outputs.ts";
import { type FigurePoint, lineFigureSpec } from "./figure.ts";
import {
  frogCosine,
  meanCosineApprox,
  meanNormRatioApprox,
  singleCosineApprox,
  singleNormRatioApprox,
} from "./theory.ts";

/** The six configurations of reference-spec §2.4. */
export type ApproxApproach =
  | "single"
  | "frog"
  | "fg-mean"
  | "fg-mean-normalised"
  | "fg-sum"
  | "fg-sum-normalised";

/** Display order of the approaches. */
export const APPROX_APPROACHES: readonly ApproxApproach[] = [
  "single",
  "frog",
  "fg-mean",
  "fg-mean-normalised",
  "fg-sum",
  "fg-sum-normalised",
];

/** Human-readable approach names. */
export const APPROX_LABELS: Record<ApproxApproach, string> = {
  single: "single tangent (k=1)",
  frog: "frog",
  "fg-mean": "fg-mean",
  "fg-mean-normalised": "fg-mean, normalised tangents",
  "fg-sum": "fg-sum",
  "fg-sum-normalised": "fg-sum, normalised tangents",
};

/** An approach's figure panel title: its label, "tangents" left out (keeps the panels narrow). */
export function panelLabel(a: ApproxApproach): string {
  return APPROX_LABELS[a].replace(", normalised tangents", ", normalised");
}

/** Mean, sample std and 95% CI half-width of one metric. */
export interface MetricSummary {
  mean: number;
  std: number;
  ci: number;
}

/** One summary row: a configuration at one n. */
export interface ApproxRow {
  n: number;
  k: number;
  approach: ApproxApproach;
  cosine: MetricSummary;
  normRatio: MetricSummary;
  /** Angle in degrees for the angle variant, undefined for normal tangents. */
  angle?: number;
}

/** Everything the approx stage produced that the tables use. */
export interface ApproxData {
  normal: ApproxRow[];
  /** Angle-variant rows (all angles together). */
  angle: ApproxRow[];
}

/** Classifies a summary row into one of the six configurations (§2.4). */
export function approxApproach(r: CsvRecord): ApproxApproach {
  const agg = (r.agg ?? "").trim();
  const label = (r.label ?? "").trim();
  const normalised = bool(r, "normalize_tangents");
  if (label === "fg_baseline" || agg === "none") return "single";
  if (agg === "orthogonal_projection") return "frog";
  if (agg === "mean") return normalised ? "fg-mean-normalised" : "fg-mean";
  if (agg === "sum") return normalised ? "fg-sum-normalised" : "fg-sum";
  throw new TypeError(`Cannot classify approximation row: unknown agg "${agg}" (label "${label}")`);
}

function metric(r: CsvRecord, c: string): MetricSummary {
  return { mean: num(r, `${c}_mean`), std: num(r, `${c}_std`), ci: num(r, `${c}_ci`) };
}

/** Converts summary.csv records (§2.7 columns) into rows. */
export function approxRows(records: CsvRecord[], angle?: number): ApproxRow[] {
  return records.map((r) => ({
    n: num(r, "n"),
    k: num(r, "k"),
    approach: approxApproach(r),
    cosine: metric(r, "cosine_sim"),
    normRatio: metric(r, "fg_norm/true_grad_norm"),
    ...(angle === undefined ? {} : { angle }),
  }));
}

/**
 * Reads `approx_quality/summary.csv` and every `approx_quality__angle__<A>/summary.csv`
 * from the approx stage folder.
 *
 * @returns The rows, or null when the folder has neither.
 */
export async function readApprox(dir: string): Promise<ApproxData | null> {
  const normal = await readCsvIfExists(join(dir, "approx_quality", "summary.csv"));
  const angle: ApproxRow[] = [];
  let entries: Deno.DirEntry[] = [];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  for (const e of entries) {
    const m = /^approx_quality__angle__(-?\d+(?:\.\d+)?)$/.exec(e.name);
    if (!m || !e.isDirectory) continue;
    const recs = await readCsvIfExists(join(dir, e.name, "summary.csv"));
    if (recs) angle.push(...approxRows(recs, Number(m[1])));
  }
  const normalRows = normal ? approxRows(normal) : [];
  if (normalRows.length === 0 && angle.length === 0) return null;
  return { normal: normalRows, angle };
}

type MetricKey = "cosine" | "normRatio";

function find(rows: ApproxRow[], a: ApproxApproach, k: number, n: number): ApproxRow | undefined {
  return rows.find((r) => r.approach === a && r.k === k && r.n === n);
}

function gridTable(rows: ApproxRow[], metric: MetricKey, name: string, title: string): Table {
  const ns = uniqueSorted(rows.map((r) => r.n));
  const out: Cell[][] = [];
  for (const a of APPROX_APPROACHES) {
    const ks = uniqueSorted(rows.filter((r) => r.approach === a).map((r) => r.k));
    for (const k of ks) {
      out.push([
        APPROX_LABELS[a],
        k,
        ...ns.map((n): Cell => {
          const r = find(rows, a, k, n);
          return r ? { mean: r[metric].mean, pm: r[metric].ci } : null;
        }),
      ]);
    }
  }
  return {
    name,
    title,
    numberFormat: "column",
    keyColumns: 2,
    columns: [
      { header: "approach", align: "l" },
      { header: "k", align: "r" },
      ...ns.map((n) => ({ header: `n=${n}`, align: "r" as const })),
    ],
    rows: out,
    notes: [
      "Cells: mean ± 95% CI half-width (1.96·std/√samples) over the Monte-Carlo samples, rounded to the half-width's second significant figure.",
      "True gradient: all ones; tangents N(0, I) (normalised where said); no scaling correction.",
    ],
  };
}

function angleTable(rows: ApproxRow[], metric: MetricKey, name: string, title: string): Table {
  const angles = uniqueSorted(rows.map((r) => r.angle as number));
  const ns = uniqueSorted(rows.map((r) => r.n));
  const out: Cell[][] = [];
  for (const a of APPROX_APPROACHES) {
    const ks = uniqueSorted(rows.filter((r) => r.approach === a).map((r) => r.k));
    for (const k of ks) {
      for (const n of ns) {
        out.push([
          APPROX_LABELS[a],
          k,
          n,
          ...angles.map((ang): Cell => {
            const r = rows.find((x) =>
              x.approach === a && x.k === k && x.n === n && x.angle === ang
            );
            return r ? { mean: r[metric].mean, pm: r[metric].ci } : null;
          }),
        ]);
      }
    }
  }
  return {
    name,
    title,
    numberFormat: "column",
    keyColumns: 3,
    columns: [
      { header: "approach", align: "l" },
      { header: "k", align: "r" },
      { header: "n", align: "r" },
      ...angles.map((a) => ({ header: `${a}°`, align: "r" as const })),
    ],
    rows: out,
    notes: [
      "Tangents: unit length, every secondary tangent at exactly the given angle to the first (sampler specific_angle_A).",
      "Cells: mean ± 95% CI half-width over the Monte-Carlo samples.",
    ],
  };
}

/** Theoretical E[cos] for an approach (§1.7), or undefined where none is stated. */
export function theoreticalCosine(a: ApproxApproach, n: number, k: number): number | undefined {
  switch (a) {
    case "single":
      return singleCosineApprox(n);
    case "frog":
      return frogCosine(n, k);
    case "fg-mean":
    case "fg-sum":
    case "fg-mean-normalised":
    case "fg-sum-normalised":
      return meanCosineApprox(n, k);
  }
}

/** Theoretical norm ratio ‖fg‖/‖∇f‖ for an approach (§1.7 / §7.2), or undefined where none is stated. */
export function theoreticalNormRatio(a: ApproxApproach, n: number, k: number): number | undefined {
  switch (a) {
    case "single":
      return singleNormRatioApprox(n);
    case "frog":
      return frogCosine(n, k);
    case "fg-mean":
      return meanNormRatioApprox(n, k);
    case "fg-sum":
      return k * meanNormRatioApprox(n, k);
    default:
      return undefined;
  }
}

function figurePoints(rows: ApproxRow[], metric: MetricKey): FigurePoint[] {
  const pts: FigurePoint[] = [];
  const theory = metric === "cosine" ? theoreticalCosine : theoreticalNormRatio;
  for (const r of rows) {
    const panel = panelLabel(r.approach);
    const series = `k=${r.k}`;
    const m = r[metric];
    pts.push({ x: r.n, y: m.mean, lo: m.mean - m.ci, hi: m.mean + m.ci, series, panel });
    const t = theory(r.approach, r.n, r.k);
    if (t !== undefined) pts.push({ x: r.n, y: t, series, panel, kind: "theory" });
  }
  return pts;
}

/**
 * Builds the approximation-quality tables and figures.
 *
 * @param data Rows from {@link readApprox}.
 * @returns The section content (tables and figure specs).
 */
export function approxSection(data: ApproxData): SectionContent {
  const tables: Table[] = [];
  const figures: SectionContent["figures"] = [];
  const notes: string[] = [];
  const ks = uniqueSorted(data.normal.map((r) => r.k));
  const seriesOrder = ks.map((k) => `k=${k}`);
  const panelOrder = APPROX_APPROACHES.filter((a) => data.normal.some((r) => r.approach === a))
    .map((a) => panelLabel(a));
  if (data.normal.length > 0) {
    tables.push(
      gridTable(
        data.normal,
        "cosine",
        "approx_cosine",
        "Cosine similarity cos(fg, ∇f) over n and k",
      ),
    );
    tables.push(
      gridTable(data.normal, "normRatio", "approx_norm_ratio", "Norm ratio ‖fg‖/‖∇f‖ over n and k"),
    );
    figures.push({
      name: "approx_cosine",
      title: "Cosine similarity against n",
      spec: lineFigureSpec({
        title: "Cosine similarity of forward gradients with the true gradient",
        subtitle:
          "solid: measured mean with 95% CI band; dashed: theory (frog E[χk]/E[χn], mean √(k/(n+k+1)), single √(2/(πn)))",
        xTitle: "dimension n",
        yTitle: "cosine similarity",
        seriesTitle: "tangents",
        points: figurePoints(data.normal, "cosine"),
        seriesOrder,
        styles: "ordinal",
        panelOrder,
        xScale: "log",
      }),
    });
    figures.push({
      name: "approx_norm_ratio",
      title: "Norm ratio against n",
      spec: lineFigureSpec({
        title: "Norm ratio ‖fg‖/‖∇f‖",
        subtitle:
          "solid: measured mean with 95% CI band; dashed: theory (frog = cosine, mean √((n+k+1)/k), sum k·√((n+k+1)/k), single √(2n/π)); none for normalised tangents",
        xTitle: "dimension n",
        yTitle: "‖fg‖ / ‖∇f‖",
        seriesTitle: "tangents",
        points: figurePoints(data.normal, "normRatio"),
        seriesOrder,
        styles: "ordinal",
        panelOrder,
        xScale: "log",
        yScale: "log",
        independentY: true,
      }),
    });
    notes.push(
      `Normal tangents: n ∈ {${uniqueSorted(data.normal.map((r) => r.n)).join(", ")}}, k ∈ {${
        ks.join(", ")
      }}.`,
    );
  } else {
    notes.push("The normal-tangent grid was not run in this profile.");
  }
  if (data.angle.length > 0) {
    tables.push(
      angleTable(
        data.angle,
        "cosine",
        "approx_angle_cosine",
        "Cosine similarity with specific-angle tangents",
      ),
    );
    tables.push(
      angleTable(
        data.angle,
        "normRatio",
        "approx_angle_norm_ratio",
        "Norm ratio with specific-angle tangents",
      ),
    );
    const angPts: FigurePoint[] = data.angle.map((r) => ({
      x: r.angle as number,
      y: r.cosine.mean,
      lo: r.cosine.mean - r.cosine.ci,
      hi: r.cosine.mean + r.cosine.ci,
      series: `k=${r.k}, n=${r.n}`,
      panel: panelLabel(r.approach),
    }));
    figures.push({
      name: "approx_angle_cosine",
      title: "Cosine similarity against the tangent angle",
      spec: lineFigureSpec({
        title: "Cosine similarity with specific-angle tangents",
        subtitle: "mean with 95% CI band",
        xTitle: "angle to the first tangent (°)",
        yTitle: "cosine similarity",
        seriesTitle: "tangents",
        points: angPts,
        panelOrder: APPROX_APPROACHES.filter((a) => data.angle.some((r) => r.approach === a))
          .map((a) => panelLabel(a)),
      }),
    });
    notes.push(
      `Angle variant: angles ${
        uniqueSorted(data.angle.map((r) => r.angle as number)).join(", ")
      }°.`,
    );
  } else {
    notes.push("The specific-angle variant was not run in this profile.");
  }
  return { id: "approx", title: "Approximation quality", notes, tables, figures };
}
