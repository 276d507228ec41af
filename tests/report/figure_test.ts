import { assert_, assertEquals } from "./_assert.ts";
import { lineFigureSpec, renderSvg, SUBTITLE_CHARS, wrapText } from "../../src/report/figure.ts";
import { approachStyles } from "../../src/report/palette.ts";

Deno.test("renderSvg() draws a faceted line figure with its axis titles, legend and panels", async () => {
  const points = [];
  for (const panel of ["frog", "fg-mean"]) {
    for (const k of [1, 4]) {
      for (const n of [1, 4, 16, 64]) {
        const y = Math.min(1, Math.sqrt(k / n));
        points.push({ x: n, y, lo: y - 0.01, hi: y + 0.01, series: `k=${k}`, panel });
        points.push({ x: n, y, series: `k=${k}`, panel, kind: "theory" as const });
      }
    }
  }
  const spec = lineFigureSpec({
    title: "Cosine figure",
    xTitle: "dimension n",
    yTitle: "cosine similarity",
    seriesTitle: "tangents",
    points,
    xScale: "log",
  });
  assertEquals((spec.facet as { field: string }).field, "panel");
  const svg = await renderSvg(spec);
  assert_(svg.startsWith("<svg"), "an SVG document");
  for (
    const text of [
      "dimension n",
      "cosine similarity",
      "Cosine figure",
      "tangents",
      "k=4",
      "frog",
      "fg-mean",
    ]
  ) {
    assert_(svg.includes(text), `SVG contains "${text}"`);
  }
});

Deno.test("lineFigureSpec() without panels is a plain layered chart; bands only where lo/hi exist", async () => {
  const spec = lineFigureSpec({
    title: "Curve",
    xTitle: "step",
    yTitle: "f(x)",
    seriesTitle: "approach",
    points: [{ x: 0, y: 3, series: "bp" }, { x: 1, y: 1, series: "bp" }],
    yScale: "symlog",
    markers: false,
  });
  assertEquals("facet" in spec, false);
  assertEquals((spec.layer as unknown[]).length, 1);
  const svg = await renderSvg(spec);
  assert_(svg.includes("step") && svg.includes("f(x)"));
});

Deno.test("a six-panel figure with a long subtitle fits a printed page at readable type", async () => {
  const points = [];
  for (
    const panel of [
      "single",
      "frog",
      "fg-mean",
      "fg-mean, normalised",
      "fg-sum",
      "fg-sum, normalised",
    ]
  ) {
    for (const k of [1, 4, 16, 64, 256]) {
      for (const n of [1, 16, 256, 4096]) {
        points.push({ x: n, y: Math.min(1, Math.sqrt(k / n)) * 30, series: `k=${k}`, panel });
      }
    }
  }
  const spec = lineFigureSpec({
    title: "Norm ratio ‖fg‖/‖∇f‖",
    subtitle: "solid: measured mean with 95% CI band; dashed: theory ".repeat(4),
    xTitle: "dimension n",
    yTitle: "‖fg‖ / ‖∇f‖",
    seriesTitle: "tangents",
    points,
    styles: "ordinal",
    xScale: "log",
    yScale: "log",
    independentY: true,
  });
  const svg = await renderSvg(spec);
  const width = Number(/<svg[^>]* width="([\d.]+)"/.exec(svg)![1]);
  assert_(width <= 1000, `figure is ${width} px wide`); // A4 landscape holds 1047 px unscaled
  const sizes = [...svg.matchAll(/font-size="([\d.]+)px"/g)].map((m) => Number(m[1]));
  assert_(Math.min(...sizes) >= 12, `smallest text ${Math.min(...sizes)} px`);
  assert_(wrapText("a ".repeat(200)).every((l) => l.length <= SUBTITLE_CHARS));
});

Deno.test("approach figures draw one legend whose entries differ in colour or dash", async () => {
  const labels = ["bp", "fg k=1", "fg-mean k=2", "frog k=2", "fg-mean k=4", "frog k=4"];
  const spec = lineFigureSpec({
    title: "Convergence",
    xTitle: "step",
    yTitle: "f",
    seriesTitle: "approach",
    points: labels.flatMap((series, i) => [{ x: 0, y: 10, series }, { x: 1, y: i + 1, series }]),
    seriesOrder: labels,
    styles: approachStyles(labels),
  });
  const enc = (spec.layer as { encoding: Record<string, { scale: { range: unknown[] } }> }[])[0]
    .encoding;
  const colours = enc.color.scale.range as string[];
  const dashes = enc.strokeDash.scale.range as number[][];
  const keys = labels.map((_, i) => `${colours[i]} ${dashes[i]}`);
  assertEquals(new Set(keys).size, labels.length);
  const svg = await renderSvg(spec);
  assertEquals((svg.match(/>approach</g) ?? []).length, 1); // colour and dash share one legend
});
