import { assert_, assertEquals } from "./_assert.ts";
import { escapeHtml, tableToHtml } from "../../src/report/html.ts";

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
