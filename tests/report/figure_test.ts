import { assert_, assertEquals } from "./_assert.ts";
import { lineFigureSpec, renderSvg } from "../../src/report/figure.ts";

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
