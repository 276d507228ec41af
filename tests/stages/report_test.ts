import { join } from "node:path";
import { assert_, assertEquals } from "../report/_assert.ts";
import {
  goodFunctionRuns,
  REPO_ROOT_DIR,
  testContext,
  writeApproxFixture,
  writeFunctionsFixture,
} from "../report/_fixtures.ts";
import { tablesStage } from "../../src/stages/tables.ts";
import { verifyStage } from "../../src/stages/verify.ts";
import { reportStage } from "../../src/stages/report.ts";
import type { TablesIndex } from "../../src/report/outputs.ts";

const ROOT = await Deno.makeTempDir({ prefix: "report_test_" });
globalThis.addEventListener("unload", () => Deno.removeSync(ROOT, { recursive: true }));

/** Builds approx + functions fixtures (no training), then tables, verify and report folders. */
async function buildAll(): Promise<{ tables: string; verify: string; report: string }> {
  const approx = join(ROOT, "approx"), functions = join(ROOT, "functions");
  await writeApproxFixture(approx, { ns: [1, 4, 16], ks: [1, 4], samples: 50 });
  await writeFunctionsFixture(functions, goodFunctionRuns());
  await Deno.writeTextFile(
    join(functions, "manifest.json"),
    JSON.stringify({
      format: 1,
      stage: "functions",
      key: "f00dcafe1234567890",
      params: { seeds: [0, 1], ns: [2, 4, 8] },
      profile: "smoke",
      inputs: {},
      sources: { hash: "abc123", files: {} },
      files: {},
      backend: { requested: "auto", name: "wasm", inKey: true, versions: { tfjs: "4.22.0" } },
      versions: { deno: "2.9.6" },
      startedAt: "2026-01-01T00:00:00.000Z",
      finishedAt: "2026-01-01T00:00:06.000Z",
      wallSeconds: 6,
      resumed: false,
      summary: { steps: 23068 },
    }),
  );
  const inputs = { approx, functions };
  const tables = join(ROOT, "tables"), verify = join(ROOT, "verify"), report = join(ROOT, "report");
  await tablesStage.run(testContext({ profile: "smoke" as const }, tables, inputs, REPO_ROOT_DIR));
  await verifyStage.run(testContext(verifyStage.params("smoke"), verify, inputs, REPO_ROOT_DIR));
  const data = join(ROOT, "data");
  await Deno.mkdir(data);
  await Deno.writeTextFile(
    join(data, "manifest.json"),
    JSON.stringify({
      ...JSON.parse(await Deno.readTextFile(join(functions, "manifest.json"))),
      stage: "data",
      key: "da7a0123456789",
    }),
  );
  await reportStage.run(
    testContext(reportStage.params("smoke"), report, { data, tables, verify }, REPO_ROOT_DIR),
  );
  return { tables, verify, report };
}

const BUILT = await buildAll();

Deno.test("reportStage writes index.html linking every table and figure file, each copied beside it", async () => {
  const html = await Deno.readTextFile(join(BUILT.report, "index.html"));
  const index = JSON.parse(
    await Deno.readTextFile(join(BUILT.tables, "index.json")),
  ) as TablesIndex;
  const files = index.sections.flatMap((s) => [
    ...s.tables.flatMap((t) => [t.csv, t.md, t.tex]),
    ...s.figures.flatMap((f) => [f.svg, f.spec]),
  ]);
  assert_(files.length >= 20, `${files.length} files`);
  for (const f of files) {
    assert_(
      html.includes(`href="tables/${f}"`) || html.includes(`src="tables/${f}"`),
      `page links ${f}`,
    );
    await Deno.stat(join(BUILT.report, "tables", f));
  }
  for (const f of ["verification.csv", "verification.md", "verification.tex"]) {
    assert_(html.includes(`href="verify/${f}"`), f);
    await Deno.stat(join(BUILT.report, "verify", f));
  }
  for (const f of index.sections.flatMap((s) => s.figures)) {
    assert_(html.includes(`<img src="tables/${f.svg}"`), `figure ${f.name} embedded`);
  }
});

Deno.test("report page shows tables as HTML, the verification verdict, not-run sections and provenance", async () => {
  const html = await Deno.readTextFile(join(BUILT.report, "index.html"));
  assert_(html.startsWith("<!DOCTYPE html>"));
  assert_(html.includes('<table id="table-approx_cosine">'));
  assert_(html.includes('<table id="table-functions_final_mean">'));
  assert_(/\d+ of \d+ checks pass/.test(html));
  assert_(html.includes("not run in this profile"), "networks section is marked");
  // Provenance from the functions manifest copied by the tables stage.
  for (
    const fact of ["f00dcafe1234567890", "wasm (requested auto)", "tfjs 4.22.0", "[0,1]", "6.0 s"]
  ) {
    assert_(html.includes(fact), `provenance shows ${fact}`);
  }
  // Provenance: the data manifest (a report input) and the report itself join the upstream ones.
  const stages = [...html.matchAll(/<details><summary>([a-z]+)<\/summary>/g)].map((m) => m[1]);
  for (const s of ["data", "functions", "report"]) { // tables and verify ran without the pipeline here
    assert_(stages.includes(s), `provenance of ${s}: ${stages}`);
  }
  assert_(html.includes("da7a0123456789") && html.includes("tables key-tables"));
  const opens = (html.match(/<table /g) ?? []).length;
  const closes = (html.match(/<\/table>/g) ?? []).length;
  assertEquals(opens, closes);
});
