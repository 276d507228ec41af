import { assert_, assertEquals } from "./_assert.ts";
import { escapeHtml, renderReportHtml, SITE_URL, tableToHtml } from "../../src/report/html.ts";

Deno.test("escapeHtml() escapes markup characters", () => {
  assertEquals(
    escapeHtml(`<a href="x">&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;",
  );
});

Deno.test("tableToHtml() writes aligned cells, ± text, caption and notes", () => {
  const html = tableToHtml({
    name: "t",
    title: "A <b> table",
    columns: [{ header: "k", align: "r" }, { header: "cos", align: "r" }],
    rows: [[4, { mean: 0.5, pm: 0.01 }]],
    notes: ["note"],
  });
  assert_(html.includes("<caption>A &lt;b&gt; table</caption>"));
  assert_(html.includes('<td class="r">4</td><td class="r pm">0.500 ± 0.010</td>'), html);
  assert_(html.includes("<li>note</li>"));
});

Deno.test("renderReportHtml() lists failing checks first and marks their rows", () => {
  const html = renderReportHtml({
    title: "R",
    profile: "smoke",
    filesPrefix: "tables/",
    provenance: [],
    sections: [],
    verification: {
      table: {
        name: "verification",
        title: "Verification checks",
        columns: ["section", "check", "expected", "measured", "tolerance", "pass"].map((h) => ({
          header: h,
          align: "l" as const,
        })),
        rows: [
          ["approx", "frog exact (n=4, k=4)", 1, 1, 1e-4, "yes"],
          ["approx", "frog mean cosine (n=64, k=4)", 0.2359, 0.34, 0.02, "NO"],
        ],
      },
      files: {
        csv: "verify/verification.csv",
        md: "verify/verification.md",
        tex: "verify/verification.tex",
      },
      passed: 1,
      checks: 2,
    },
  });
  assert_(html.includes("1 of 2 checks pass"));
  const failing = html.slice(html.indexOf("<h3>Failing checks</h3>"), html.indexOf("<details"));
  assert_(
    failing.includes("frog mean cosine (n=64, k=4)") && !failing.includes("frog exact"),
    failing,
  );
  assertEquals((html.match(/<tr class="fail">/g) ?? []).length, 2); // in the failing list and the full table
  assert_(html.includes('href="verify/verification.csv"'));
});

Deno.test("report: links to the interactive page", () => {
  const html = renderReportHtml({
    title: "Report",
    profile: "smoke",
    filesPrefix: "tables/",
    verification: null,
    provenance: [],
    sections: [],
  });
  assert_(html.includes(`<a href="${SITE_URL}">`), "a link to the served page");
  assert_(html.includes("deno task site --serve"));
});
