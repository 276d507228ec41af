/**
 * Figures: Vega-Lite specifications built from plain points, rendered to SVG
 * headless (`vl.compile(spec).spec` → `vega.View` with `renderer: "none"` →
 * `toSVG()`). No browser, canvas or network is needed.
 *
 * @module
 */
import * as vl from "npm:vega-lite@6.5.0";
import * as vega from "npm:vega@6.4.0";

/** One point of a line figure. */
export interface FigurePoint {
  x: number;
  y: number;
  /** Lower and upper edge of the band (a CI); omitted for no band. */
  lo?: number;
  hi?: number;
  /** Line identity (legend entry), e.g. `k=4`. */
  series: string;
  /** Panel (facet) name, e.g. the aggregation; omitted for a single panel. */
  panel?: string;
  /** `measured` draws a solid line with band, `theory` a dashed line. */
  kind?: "measured" | "theory";
}

/** Options of {@link lineFigureSpec}. */
export interface LineFigureOptions {
  title: string;
  subtitle?: string;
  xTitle: string;
  yTitle: string;
  seriesTitle: string;
  points: FigurePoint[];
  /** Legend order of the series (default: first appearance). */
  seriesOrder?: string[];
  /** Panel order (default: first appearance). */
  panelOrder?: string[];
  xScale?: "linear" | "log";
  yScale?: "linear" | "log" | "symlog";
  /** Give each panel its own y scale. */
  independentY?: boolean;
  /** d3 number format of the y axis labels (e.g. `~e` for values spanning many decades). */
  yFormat?: string;
  /** Draw a marker at every point (default true; off for long curves). */
  markers?: boolean;
  /** Panels per row (default 3). */
  columns?: number;
  width?: number;
  height?: number;
}

/** A Vega-Lite top-level specification (plain JSON). */
export type VegaLiteSpec = Record<string, unknown>;

function firstSeen(values: (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const v of values) if (v !== undefined && !out.includes(v)) out.push(v);
  return out;
}

/**
 * Builds a Vega-Lite spec of lines (one per series) with optional CI bands and
 * dashed theory lines, optionally faceted into panels.
 *
 * @example A single-panel figure
 * ```ts
 * import { lineFigureSpec, renderSvg } from "./figure.ts";
 * const spec = lineFigureSpec({
 *   title: "Cosine", xTitle: "n", yTitle: "cos", seriesTitle: "k",
 *   points: [{ x: 1, y: 1, series: "k=1" }, { x: 4, y: 0.4, series: "k=1" }],
 *   xScale: "log",
 * });
 * const svg = await renderSvg(spec);
 * console.log(svg.startsWith("<svg")); // true
 * ```
 */
export function lineFigureSpec(o: LineFigureOptions): VegaLiteSpec {
  const seriesOrder = o.seriesOrder ?? firstSeen(o.points.map((p) => p.series));
  const faceted = o.points.some((p) => p.panel !== undefined);
  const panelOrder = o.panelOrder ?? firstSeen(o.points.map((p) => p.panel));
  const yType = o.yScale ?? "linear";
  const values = o.points.map((p) => {
    let lo = p.lo;
    if (yType === "log" && lo !== undefined && !(lo > 0)) lo = p.y > 0 ? p.y / 10 : undefined;
    return {
      x: p.x,
      y: p.y,
      lo: lo ?? null,
      hi: p.hi ?? null,
      series: p.series,
      panel: p.panel ?? "",
      kind: p.kind ?? "measured",
    };
  });
  const hasBand = values.some((v) => v.lo !== null && v.hi !== null);
  const hasTheory = values.some((v) => v.kind === "theory");
  const x = {
    field: "x",
    type: "quantitative",
    title: o.xTitle,
    scale: o.xScale === "log" ? { type: "log", nice: false } : { zero: false },
    axis: { format: "d" },
  };
  const yScale = yType === "linear" ? { zero: false } : { type: yType };
  const yAxis = o.yFormat ? { axis: { format: o.yFormat } } : {};
  const color = {
    field: "series",
    type: "nominal",
    title: o.seriesTitle,
    sort: seriesOrder,
    scale: seriesOrder.length > 10
      ? { domain: seriesOrder, scheme: "tableau20" }
      : { domain: seriesOrder },
  };
  const layers: Record<string, unknown>[] = [];
  layers.push({
    transform: [{ filter: "datum.kind === 'measured'" }],
    mark: o.markers === false
      ? { type: "line", strokeWidth: 1.5 }
      : { type: "line", point: { size: 16 }, strokeWidth: 1.5 },
    encoding: {
      x,
      y: { field: "y", type: "quantitative", title: o.yTitle, scale: yScale, ...yAxis },
      color,
    },
  });
  if (hasBand) {
    layers.push({
      transform: [{
        filter: "datum.kind === 'measured' && datum.lo !== null && datum.hi !== null",
      }],
      mark: { type: "area", opacity: 0.2 },
      encoding: {
        x,
        y: { field: "lo", type: "quantitative", title: o.yTitle, scale: yScale, ...yAxis },
        y2: { field: "hi" },
        color,
      },
    });
  }
  if (hasTheory) {
    layers.push({
      transform: [{ filter: "datum.kind === 'theory'" }],
      mark: { type: "line", strokeDash: [5, 3], strokeWidth: 1.2 },
      encoding: {
        x,
        y: { field: "y", type: "quantitative", title: o.yTitle, scale: yScale, ...yAxis },
        color,
      },
    });
  }
  const inner = { width: o.width ?? 260, height: o.height ?? 190, layer: layers };
  const title = o.subtitle ? { text: o.title, subtitle: o.subtitle } : { text: o.title };
  const base = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values },
    config: { font: "sans-serif", legend: { orient: "right" } },
  };
  if (!faceted) return { ...base, ...inner };
  return {
    ...base,
    facet: { field: "panel", type: "nominal", title: null, sort: panelOrder },
    columns: o.columns ?? 3,
    spec: inner,
    resolve: { scale: { y: o.independentY ? "independent" : "shared" } },
  };
}

/**
 * Renders a Vega-Lite spec to an SVG string, headless.
 *
 * @param spec Vega-Lite specification.
 * @returns The SVG document text (starts with `<svg`).
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  // deno-lint-ignore no-explicit-any
  const compiled = vl.compile(spec as any).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
