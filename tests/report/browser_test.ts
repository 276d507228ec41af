import { join } from "node:path";
import { assert_, assertEquals } from "./_assert.ts";
import { dumpDom, findChromium, isPng, screenshot } from "../../src/report/browser.ts";
import { renderReportHtml } from "../../src/report/html.ts";
import { lineFigureSpec, renderSvg } from "../../src/report/figure.ts";

// Runs only where Chromium is installed (apt-get install -y chromium).
const exe = await findChromium();

Deno.test({
  name:
    "the report page renders in headless Chromium: DOM keeps tables and figures, screenshot is a PNG",
  ignore: exe === null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "browser_test_" });
    try {
      await Deno.mkdir(join(dir, "tables", "approx"), { recursive: true });
      const svg = await renderSvg(lineFigureSpec({
        title: "Cosine",
        xTitle: "dimension n",
        yTitle: "cosine similarity",
        seriesTitle: "k",
        points: [{ x: 1, y: 1, series: "k=1" }, { x: 16, y: 0.2, series: "k=1" }],
        xScale: "log",
      }));
      await Deno.writeTextFile(join(dir, "tables", "approx", "fig.svg"), svg);
      const html = renderReportHtml({
        title: "Browser check",
        profile: "smoke",
        filesPrefix: "tables/",
        verification: null,
        provenance: [{ stage: "approx", facts: [["cache key", "abc"]] }],
        sections: [{
          entry: {
            id: "approx",
            title: "Approximation quality",
            status: "ok",
            notes: [],
            figures: [{
              name: "fig",
              title: "Cosine",
              svg: "approx/fig.svg",
              spec: "approx/fig.vl.json",
            }],
            tables: [{
              name: "t",
              title: "T",
              csv: "approx/t.csv",
              md: "approx/t.md",
              tex: "approx/t.tex",
              json: "approx/t.json",
            }],
          },
          tables: {
            t: {
              name: "t",
              title: "Cosine table",
              columns: [{ header: "k", align: "r" }],
              rows: [[4], [16]],
            },
          },
        }],
      });
      const page = join(dir, "index.html");
      await Deno.writeTextFile(page, html);
      const dom = await dumpDom(exe!, page);
      assert_(dom.includes('<table id="table-t">'), "table in the DOM");
      assertEquals((dom.match(/<td class="r">/g) ?? []).length, 2);
      assert_(dom.includes('<img src="tables/approx/fig.svg"'), "figure in the DOM");
      const png = join(dir, "page.png");
      const bytes = await screenshot(exe!, page, png, { width: 900, height: 700 });
      assert_(isPng(await Deno.readFile(png)), "a PNG");
      assert_(bytes > 5000, `a non-trivial screenshot (${bytes} bytes)`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "at 1400 px no table is wider than its box or the page (nothing behind a scroll bar)",
  ignore: exe === null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "browser_width_test_" });
    try {
      const ns = Array.from({ length: 17 }, (_, i) => 2 ** i);
      const grid = {
        name: "grid",
        title: "Cosine over n and k (paper size)",
        numberFormat: "column" as const,
        keyColumns: 2,
        columns: [
          { header: "approach", align: "l" as const },
          { header: "k", align: "r" as const },
          ...ns.map((n) => ({ header: `n=${n}`, align: "r" as const })),
        ],
        rows: ["fg-mean, normalised tangents", "frog"].flatMap((a) =>
          [1, 64, 1024].map((k) => [
            a,
            k,
            ...ns.map((n) => ({ mean: Math.min(1, Math.sqrt(k / n)), pm: 3.1e-4 / k })),
          ])
        ),
      };
      const html = renderReportHtml({
        title: "Width check",
        profile: "paper",
        filesPrefix: "tables/",
        verification: null,
        provenance: [],
        sections: [{
          entry: {
            id: "approx",
            title: "Approximation quality",
            status: "ok",
            notes: [],
            figures: [],
            tables: [{
              name: "grid",
              title: "Grid",
              csv: "g.csv",
              md: "g.md",
              tex: "g.tex",
              json: "g.json",
            }],
          },
          tables: { grid },
        }],
      }).replace(
        "</body>",
        `<script>
const page = document.documentElement.clientWidth;
const bad = [...document.querySelectorAll("table")].filter((t) =>
  t.parentElement.scrollWidth > t.parentElement.clientWidth || t.getBoundingClientRect().right > page
).map((t) => t.id);
document.body.dataset.tables = document.querySelectorAll("table").length;
document.body.dataset.overflow = bad.join(",") || "none";
</script></body>`,
      );
      const page = join(dir, "index.html");
      await Deno.writeTextFile(page, html);
      const dom = await dumpDom(exe!, page, { width: 1400, height: 900 });
      assert_(dom.includes('data-overflow="none"'), /data-overflow="[^"]*"/.exec(dom)?.[0] ?? dom);
      const tables = Number(/data-tables="(\d+)"/.exec(dom)![1]);
      assert_(tables >= 2, `the wide grid is split: ${tables} tables`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
