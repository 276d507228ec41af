/// <reference lib="dom" />
/**
 * The interactive page: wires the controls, the plots and the computations
 * (compute.ts, all on the library's public `mod.ts`). What the page computed
 * is mirrored as JSON in `<pre id="results">`, and `<body data-state>` reads
 * `ready` when nothing is pending (the browser test waits on both).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import {
  AGGREGATIONS,
  FUNCTION_NAMES,
  getFunction,
  plotDomain,
  type TestFunction,
} from "../../mod.ts";
import { startBackend } from "./backend.ts";
import {
  analysePoint,
  approxKs,
  type ApproxPoint,
  approxPoint,
  type Descents,
  type PointAnalysis,
  runDescents,
} from "./compute.ts";
import { arrow, COLORS, lineChart, polyline, renderContours, View } from "./plot.ts";
import {
  defaults,
  parseSettings,
  RANGES,
  samplerKey,
  type Settings,
  settingsQuery,
} from "./settings.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fmt = (v: number, d = 4) => (Number.isFinite(v) ? v.toPrecision(d) : String(v));

let settings: Settings;
let backendName = "";
let fn: TestFunction;
let view: View;
let background: HTMLCanvasElement;
let analysis: PointAnalysis | undefined;
let descents: Descents | undefined;
let approx: ApproxPoint[] = [];
let approxDone = false;
let pending = 0;
let approxRun = 0;

function setState(): void {
  document.body.dataset.state = pending > 0 ? "busy" : "ready";
  $("status").textContent = pending > 0 ? "Computing…" : "Ready.";
}

function publish(): void {
  $("results").textContent = JSON.stringify(
    {
      backend: backendName,
      settings,
      point: analysis,
      descent: descents,
      approx: { done: approxDone, points: approx },
    },
    null,
    1,
  );
}

function fillSelect(id: string, values: readonly string[]): void {
  $<HTMLSelectElement>(id).replaceChildren(...values.map((v) => new Option(v, v)));
}

function showSettings(): void {
  for (const key of Object.keys(settings) as (keyof Settings)[]) {
    const input = document.getElementById(key) as HTMLInputElement | HTMLSelectElement | null;
    if (input) input.value = String(settings[key]);
  }
  $<HTMLInputElement>("angle").disabled = settings.sampler !== "specific_angle";
  history.replaceState(null, "", `?${settingsQuery(settings)}`);
}

/** Reads the controls; invalid numbers keep their previous value. */
function readControls(): Settings {
  const s = { ...settings };
  for (const key of Object.keys(s) as (keyof Settings)[]) {
    const input = document.getElementById(key) as HTMLInputElement | HTMLSelectElement | null;
    if (!input) continue;
    if (typeof s[key] === "number") {
      const v = Number(input.value);
      const r = RANGES[key];
      const ok = input.value.trim() !== "" && Number.isFinite(v) &&
        (!r || (v >= r[0] && v <= r[1] && (!r[2] || Number.isInteger(v))));
      input.setAttribute("aria-invalid", String(!ok));
      if (ok) (s as unknown as Record<string, number>)[key] = v;
    } else {
      (s as unknown as Record<string, string>)[key] = input.value;
    }
  }
  return s;
}

function draw(): void {
  const ctx = $<HTMLCanvasElement>("contour").getContext("2d")!;
  ctx.drawImage(background, 0, 0);
  if (descents) {
    polyline(ctx, view, descents.bp.path, "#000", []);
    polyline(ctx, view, descents.bp.path, COLORS.bp, [6, 4]);
    polyline(ctx, view, descents.fg.path, COLORS.fg);
  }
  if (!analysis) return;
  const p = view.toPx(analysis.x[0], analysis.x[1]);
  const L = 0.16 * view.width;
  const g = analysis.gradient, gn = Math.hypot(g[0], g[1]) || 1;
  const sx = view.width / (view.domain[0][1] - view.domain[0][0]);
  const sy = view.height / (view.domain[1][1] - view.domain[1][0]);
  const px = (
    v: number[],
    scale: number,
  ): [number, number] => [v[0] * sx * scale, -v[1] * sy * scale];
  const pixelScale = (v: number[]) => {
    const [a, b] = px(v, 1);
    return Math.hypot(a, b) || 1;
  };
  for (const t of analysis.tangents) {
    const s = L / pixelScale(t);
    ctx.setLineDash([3, 3]);
    arrow(ctx, p, px(t, s), COLORS.tangent, 1.5);
    ctx.setLineDash([]);
  }
  const gScale = L / pixelScale(g);
  for (const e of analysis.estimates) {
    const ratio = Math.min(2.5, Math.hypot(e.gradient[0], e.gradient[1]) / gn);
    const s = (gScale * ratio * gn) / (Math.hypot(e.gradient[0], e.gradient[1]) || 1);
    arrow(ctx, p, px(e.gradient, s), COLORS[e.aggregation as keyof typeof COLORS] ?? "#999", 2);
  }
  arrow(ctx, p, px(g, gScale), COLORS.gradient, 3);
  ctx.fillStyle = "#fff";
  ctx.strokeStyle = "#000";
  ctx.beginPath();
  ctx.arc(p[0], p[1], 4, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
}

function showAnalysis(a: PointAnalysis): void {
  $("point").textContent = `x = (${fmt(a.x[0])}, ${fmt(a.x[1])}), f(x) = ${fmt(a.f, 6)}, ∇f = (${
    fmt(a.gradient[0])
  }, ${fmt(a.gradient[1])}); k = ${settings.k} ${
    samplerKey(settings)
  } tangents, seed ${settings.seed}`;
  $("estimates").querySelector("tbody")!.replaceChildren(...a.estimates.map((e) => {
    const tr = document.createElement("tr");
    tr.dataset.aggregation = e.aggregation;
    const color = COLORS[e.aggregation as keyof typeof COLORS] ?? "#999";
    tr.innerHTML = `<td><span class="sw" style="background:${color}"></span>${e.aggregation}</td>` +
      `<td>(${fmt(e.gradient[0])}, ${fmt(e.gradient[1])})</td><td>${fmt(e.cosine)}</td><td>${
        fmt(e.normRatio)
      }</td>`;
    return tr;
  }));
}

function showDescents(d: Descents): void {
  const fstar = fn.globalMinimum(2);
  const all = [...d.bp.y, ...d.fg.y].filter(Number.isFinite);
  const logY = Number.isFinite(fstar) && all.every((v) => v - fstar > 0);
  const series = (label: string, t: { y: number[] }, color: string, dash?: string) => ({
    label,
    color,
    dash,
    x: t.y.map((_, i) => i),
    y: t.y.map((v) => (logY ? v - fstar : v)),
  });
  lineChart($("descent-chart") as unknown as SVGSVGElement, [
    series("bp", d.bp, "#000", "6 4"),
    series(`fg k=${settings.k} ${settings.agg}`, d.fg, COLORS.fg),
  ], { xLabel: "step", yLabel: logY ? "f(x) − f*" : "f(x)", logY });
  const last = (t: { y: number[] }) => fmt(t.y[t.y.length - 1], 6);
  $("descent-summary").textContent = `After ${
    d.bp.y.length - 1
  } steps (LR ${settings.lr}): bp f = ${last(d.bp)}, fg f = ${last(d.fg)}.`;
}

function showApprox(): void {
  const pts = approx;
  lineChart($("approx-chart") as unknown as SVGSVGElement, [
    {
      label: "cos(frog, g)",
      color: COLORS.orthogonal_projection,
      x: pts.map((p) => p.k),
      y: pts.map((p) => p.frog),
    },
    {
      label: "E[χk]/E[χn]",
      color: COLORS.theory,
      dash: "4 3",
      x: pts.map((p) => p.k),
      y: pts.map((p) => p.theory),
    },
    {
      label: "cos(mean, g)",
      color: COLORS.mean,
      x: pts.map((p) => p.k),
      y: pts.map((p) => p.mean),
    },
  ], { xLabel: `k (n = ${settings.n})`, yLabel: "cosine", yRange: [0, 1] });
  $("approx-table").querySelector("tbody")!.replaceChildren(...pts.map((p) => {
    const tr = document.createElement("tr");
    tr.innerHTML = `<td>${p.k}</td><td>${fmt(p.frog)}</td><td>${fmt(p.theory)}</td><td>${
      fmt(p.mean)
    }</td>`;
    return tr;
  }));
}

async function job(work: () => void | Promise<void>): Promise<void> {
  pending++;
  setState();
  await new Promise((r) => setTimeout(r, 0));
  try {
    await work();
  } catch (e) {
    $("status").textContent = `Error: ${(e as Error).message}`;
    $("status").className = "error";
    console.error(e);
  } finally {
    pending--;
    publish();
    if ($("status").className !== "error") setState();
    else document.body.dataset.state = pending > 0 ? "busy" : "ready";
  }
}

function computePoint(): Promise<void> {
  return job(() => {
    const x = [settings.x, settings.y];
    analysis = analysePoint(fn, x, settings.k, samplerKey(settings), settings.seed);
    showAnalysis(analysis);
    descents = runDescents(fn, x, {
      lr: settings.lr,
      steps: settings.steps,
      k: settings.k,
      aggregation: settings.agg,
      sampler: samplerKey(settings),
      seed: settings.seed,
    });
    showDescents(descents);
    draw();
  });
}

function replayApprox(): Promise<void> {
  const run = ++approxRun;
  const { n, samples, seed } = settings;
  approx = [];
  approxDone = false;
  return job(async () => {
    for (const k of approxKs(n)) {
      if (run !== approxRun) return;
      approx.push(approxPoint(n, k, samples, seed));
      showApprox();
      publish();
      await new Promise((r) => setTimeout(r, 0));
    }
    if (run === approxRun) approxDone = true;
  });
}

function setFunction(name: string): void {
  fn = getFunction(name);
  const c = $<HTMLCanvasElement>("contour");
  view = new View(plotDomain(fn.name), c.width, c.height);
  background = renderContours(fn, view);
}

async function onChange(event: Event): Promise<void> {
  const next = readControls();
  const target = (event.target as HTMLElement).id;
  if (next.backend !== settings.backend) {
    location.search = settingsQuery(next);
    return;
  }
  if (next.fn !== settings.fn) {
    const d = defaults(next.fn);
    Object.assign(next, { x: d.x, y: d.y, lr: d.lr });
    setFunction(next.fn);
  }
  settings = next;
  showSettings();
  const approxChanged = ["n", "samples", "seed"].includes(target);
  await Promise.all([computePoint(), ...(approxChanged ? [replayApprox()] : [])]);
}

function movePoint(x: number, y: number): Promise<void> {
  settings = { ...settings, x: Number(x.toPrecision(6)), y: Number(y.toPrecision(6)) };
  showSettings();
  return computePoint();
}

async function main(): Promise<void> {
  const { settings: s, problems } = parseSettings(location.search);
  settings = s;
  fillSelect("fn", FUNCTION_NAMES);
  fillSelect("agg", AGGREGATIONS);
  backendName = await startBackend(settings.backend);
  $("backend-name").textContent = `running on ${backendName} (tfjs ${tf.version.tfjs})`;
  document.body.dataset.backend = backendName;
  setFunction(settings.fn);
  showSettings();
  if (problems.length > 0) console.warn(`Ignored URL settings: ${problems.join("; ")}`);
  for (
    const id of [
      "fn",
      "x",
      "y",
      "k",
      "sampler",
      "angle",
      "seed",
      "agg",
      "lr",
      "steps",
      "n",
      "samples",
      "backend",
    ]
  ) {
    $(id).addEventListener("change", onChange);
  }
  $("run").addEventListener("click", onChange);
  $("replay").addEventListener("click", () => replayApprox());
  const canvas = $<HTMLCanvasElement>("contour");
  canvas.addEventListener("click", (e) => {
    const r = canvas.getBoundingClientRect();
    const [x, y] = view.fromPx(
      ((e.clientX - r.left) / r.width) * canvas.width,
      ((e.clientY - r.top) / r.height) * canvas.height,
    );
    movePoint(x, y);
  });
  canvas.addEventListener("keydown", (e) => {
    const [[x0, x1], [y0, y1]] = view.domain;
    const step =
      { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[e.key];
    if (step) {
      e.preventDefault();
      movePoint(settings.x + (step[0] * (x1 - x0)) / 50, settings.y + (step[1] * (y1 - y0)) / 50);
    } else if (e.key === "Enter") {
      e.preventDefault();
      computePoint();
    }
  });
  await Promise.all([computePoint(), replayApprox()]);
}

main().catch((e) => {
  $("status").textContent = `Error: ${(e as Error).message}`;
  $("status").className = "error";
  document.body.dataset.state = "error";
});
