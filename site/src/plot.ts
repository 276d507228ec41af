/// <reference lib="dom" />
/**
 * Drawing on the page: the contour plot of f over its window (canvas), the
 * vectors at the clicked point, the descent trajectories, and two small SVG
 * line charts. Colours: viridis for the filled levels, Okabe–Ito for lines
 * (readable for colour-blind readers).
 *
 * @module
 */
import type { PlotDomain, TestFunction } from "../../mod.ts";

/** Line colours (Okabe–Ito). */
export const COLORS = {
  gradient: "#000000",
  tangent: "#555555",
  bp: "#ffffff",
  fg: "#e69f00",
  mean: "#56b4e9",
  sum: "#009e73",
  mean_times_dim: "#f0e442",
  max: "#0072b2",
  max_normalized: "#d55e00",
  mean_of_top_k: "#cc79a7",
  orthogonal_projection: "#e69f00",
  theory: "#000000",
} as const;

const VIRIDIS = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37],
];

function viridis(t: number): [number, number, number] {
  const s = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(s));
  const f = s - i;
  const a = VIRIDIS[i], b = VIRIDIS[i + 1];
  return [0, 1, 2].map((c) => a[c] + f * (b[c] - a[c])) as [number, number, number];
}

/** Maps between the function's window and canvas pixels. */
export class View {
  constructor(readonly domain: PlotDomain, readonly width: number, readonly height: number) {}
  /** Pixel of a point. */
  toPx(x: number, y: number): [number, number] {
    const [[x0, x1], [y0, y1]] = this.domain;
    return [((x - x0) / (x1 - x0)) * this.width, ((y1 - y) / (y1 - y0)) * this.height];
  }
  /** Point at a pixel. */
  fromPx(px: number, py: number): [number, number] {
    const [[x0, x1], [y0, y1]] = this.domain;
    return [x0 + (px / this.width) * (x1 - x0), y1 - (py / this.height) * (y1 - y0)];
  }
}

/**
 * Renders filled levels of log(1 + f − min f) on a grid, with isolines at
 * 14 evenly spaced levels of that transform (marching squares), into an
 * off-screen canvas that the overlay drawing reuses.
 */
export function renderContours(fn: TestFunction, view: View, grid = 200): HTMLCanvasElement {
  const cells = grid;
  const z = new Float64Array((cells + 1) * (cells + 1));
  for (let j = 0; j <= cells; j++) {
    for (let i = 0; i <= cells; i++) {
      const [x, y] = view.fromPx((i / cells) * view.width, (j / cells) * view.height);
      z[j * (cells + 1) + i] = fn.reference([x, y]);
    }
  }
  let lo = Infinity, hi = -Infinity;
  for (const v of z) if (Number.isFinite(v)) lo = Math.min(lo, v);
  for (let i = 0; i < z.length; i++) {
    z[i] = Math.log1p(Math.max(0, z[i] - lo));
    if (Number.isFinite(z[i])) hi = Math.max(hi, z[i]);
  }
  const canvas = document.createElement("canvas");
  canvas.width = view.width;
  canvas.height = view.height;
  const ctx = canvas.getContext("2d")!;
  const img = ctx.createImageData(view.width, view.height);
  for (let py = 0; py < view.height; py++) {
    for (let px = 0; px < view.width; px++) {
      const i = Math.round((px / view.width) * cells), j = Math.round((py / view.height) * cells);
      const [r, g, b] = viridis(z[j * (cells + 1) + i] / (hi || 1));
      const o = 4 * (py * view.width + px);
      img.data[o] = r;
      img.data[o + 1] = g;
      img.data[o + 2] = b;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  ctx.strokeStyle = "rgba(255,255,255,0.45)";
  ctx.lineWidth = 1;
  const sx = view.width / cells, sy = view.height / cells;
  const at = (i: number, j: number) => z[j * (cells + 1) + i];
  ctx.beginPath();
  for (let level = 1; level < 15; level++) {
    const c = (level / 15) * hi;
    for (let j = 0; j < cells; j++) {
      for (let i = 0; i < cells; i++) {
        const v = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
        const corners = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]];
        const pts: [number, number][] = [];
        for (let e = 0; e < 4; e++) {
          const a = v[e], b = v[(e + 1) % 4];
          if ((a < c) !== (b < c)) {
            const t = (c - a) / (b - a);
            const [ai, aj] = corners[e], [bi, bj] = corners[(e + 1) % 4];
            pts.push([(ai + t * (bi - ai)) * sx, (aj + t * (bj - aj)) * sy]);
          }
        }
        for (let p = 0; p + 1 < pts.length; p += 2) {
          ctx.moveTo(pts[p][0], pts[p][1]);
          ctx.lineTo(pts[p + 1][0], pts[p + 1][1]);
        }
      }
    }
  }
  ctx.stroke();
  return canvas;
}

/** Draws an arrow from (x, y) along (dx, dy) in pixels. */
export function arrow(
  ctx: CanvasRenderingContext2D,
  from: [number, number],
  d: [number, number],
  color: string,
  width = 2,
): void {
  const [x, y] = from, [dx, dy] = d;
  const len = Math.hypot(dx, dy);
  if (!(len > 0.5)) return;
  const ux = dx / len, uy = dy / len, head = Math.min(10, len / 2);
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.lineTo(x + dx - ux * head * 0.8, y + dy - uy * head * 0.8);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(x + dx, y + dy);
  ctx.lineTo(x + dx - ux * head - uy * head * 0.5, y + dy - uy * head + ux * head * 0.5);
  ctx.lineTo(x + dx - ux * head + uy * head * 0.5, y + dy - uy * head - ux * head * 0.5);
  ctx.closePath();
  ctx.fill();
}

/** Draws a polyline through domain points (stops at the first non-finite one). */
export function polyline(
  ctx: CanvasRenderingContext2D,
  view: View,
  path: number[][],
  color: string,
  dash: number[] = [],
): void {
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.setLineDash(dash);
  ctx.beginPath();
  let started = false;
  for (const [x, y] of path) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) break;
    const [px, py] = view.toPx(x, y);
    if (started) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    started = true;
  }
  ctx.stroke();
  ctx.setLineDash([]);
}

/** One series of a line chart. */
export interface Series {
  /** Legend text. */
  label: string;
  /** Line colour. */
  color: string;
  /** x values. */
  x: number[];
  /** y values. */
  y: number[];
  /** Dash pattern (SVG stroke-dasharray). */
  dash?: string;
}

const svgNs = "http://www.w3.org/2000/svg";

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(svgNs, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Renders a line chart (linear x, linear or log y) into an SVG element. */
export function lineChart(
  svg: SVGSVGElement,
  series: Series[],
  opts: { xLabel: string; yLabel: string; logY?: boolean; yRange?: [number, number] },
): void {
  const W = 460, H = 260, L = 58, R = 10, T = 10, B = 40;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const ty = (v: number) => (opts.logY ? Math.log10(v) : v);
  const xs = series.flatMap((s) => s.x),
    ys = series.flatMap((s) => s.y.map(ty)).filter(Number.isFinite);
  if (xs.length === 0 || ys.length === 0) return;
  const [x0, x1] = [Math.min(...xs), Math.max(...xs) || 1];
  let [y0, y1] = opts.yRange ?? [Math.min(...ys), Math.max(...ys)];
  if (y1 - y0 < 1e-12) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const px = (x: number) => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const py = (y: number) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  svg.append(el("rect", { x: L, y: T, width: W - L - R, height: H - T - B, class: "frame" }));
  for (let i = 0; i <= 4; i++) {
    const yv = y0 + (i / 4) * (y1 - y0);
    const label = opts.logY
      ? (10 ** yv).toPrecision(3)
      : Math.abs(yv) < 1e-3 && yv !== 0
      ? yv.toExponential(1)
      : yv.toPrecision(3);
    svg.append(el("text", { x: L - 4, y: py(yv) + 4, "text-anchor": "end" }, label));
    const xv = x0 + (i / 4) * (x1 - x0);
    svg.append(
      el("text", { x: px(xv), y: H - B + 16, "text-anchor": "middle" }, String(Math.round(xv))),
    );
  }
  svg.append(el("text", { x: (L + W) / 2, y: H - 6, "text-anchor": "middle" }, opts.xLabel));
  svg.append(
    el("text", {
      x: 12,
      y: (T + H - B) / 2,
      transform: `rotate(-90 12 ${(T + H - B) / 2})`,
      "text-anchor": "middle",
    }, opts.yLabel),
  );
  series.forEach((s, si) => {
    const pts = s.x.map((x, i) => [x, ty(s.y[i])]).filter(([, y]) => Number.isFinite(y));
    svg.append(el("polyline", {
      points: pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" "),
      fill: "none",
      stroke: s.color,
      "stroke-width": 2,
      ...(s.dash ? { "stroke-dasharray": s.dash } : {}),
    }));
    svg.append(
      el("line", {
        x1: L + 10,
        x2: L + 30,
        y1: T + 14 + 16 * si,
        y2: T + 14 + 16 * si,
        stroke: s.color,
        "stroke-width": 3,
        ...(s.dash ? { "stroke-dasharray": s.dash } : {}),
      }),
    );
    svg.append(el("text", { x: L + 36, y: T + 18 + 16 * si }, s.label));
  });
}
