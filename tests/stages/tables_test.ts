import { join } from "node:path";
import { assert_, assertEquals } from "../report/_assert.ts";
import {
  goodFunctionRuns,
  goodTrainRuns,
  REPO_ROOT_DIR,
  testContext,
  writeApproxFixture,
  writeFunctionsFixture,
  writeTrainFixture,
} from "../report/_fixtures.ts";
import { tablesStage } from "../../src/stages/tables.ts";
import type { TablesIndex } from "../../src/report/outputs.ts";
import { parseCsv } from "../../src/report/csv.ts";

const ROOT = await Deno.makeTempDir({ prefix: "tables_test_" });
globalThis.addEventListener("unload", () => Deno.removeSync(ROOT, { recursive: true }));
const APPROX = join(ROOT, "approx");
await writeApproxFixture(APPROX, { ns: [1, 4, 16], ks: [1, 4], samples: 50, angles: [30, 60] });
const FUNCTIONS = join(ROOT, "functions");
await writeFunctionsFixture(FUNCTIONS, goodFunctionRuns());
const TRAIN = join(ROOT, "train");
await writeTrainFixture(TRAIN, goodTrainRuns());

Deno.test("tablesStage writes every section's tables in four formats and its figures, listed in index.json", async () => {
  const out = join(ROOT, "out_all");
  const summary = await tablesStage.run(
    testContext({ profile: "smoke" as const }, out, {
      approx: APPROX,
      functions: FUNCTIONS,
      train: TRAIN,
    }, REPO_ROOT_DIR),
  ) as Record<string, unknown>;
  assertEquals(summary.sections, {
    approx: "ok",
    functions: "ok",
    networks: "ok",
    sota: "not run",
  });
  const index = JSON.parse(await Deno.readTextFile(join(out, "index.json"))) as TablesIndex;
  const names = index.sections.flatMap((s) => s.tables.map((t) => t.name));
  assertEquals(names, [
    "approx_cosine",
    "approx_norm_ratio",
    "approx_angle_cosine",
    "approx_angle_norm_ratio",
    "functions_final_mean",
    "functions_final_best",
    "networks_results",
  ]);
  for (const s of index.sections) {
    for (const t of s.tables) {
      for (const f of [t.csv, t.md, t.tex, t.json]) await Deno.stat(join(out, f));
    }
    for (const f of s.figures) {
      const svg = await Deno.readTextFile(join(out, f.svg));
      assert_(svg.startsWith("<svg"), f.svg);
    }
  }
  const cos = await Deno.readTextFile(join(out, "approx", "approx_cosine.md"));
  assert_(cos.includes("| approach | k | n=1 | n=4 | n=16 |"), cos);
  assert_(/\| frog \| 4 \| 1 ± 0 \| 1\.000 ± [^|]+ \| 0\.\d+ ± 0\.0\d+ \|/.test(cos), cos);
  const fig = await Deno.readTextFile(join(out, "approx", "approx_cosine.svg"));
  for (const t of ["dimension n", "cosine similarity", "frog", "single tangent (k=1)"]) {
    assert_(fig.includes(t), t);
  }
  const fn = parseCsv(await Deno.readTextFile(join(out, "functions", "functions_final_mean.csv")));
  const bp = fn.find((r) => r.function === "sphere" && r.approach === "bp")!;
  // decay(2·1, 0, 0.3·(1+0.05 s), 100) averaged over seeds 0 and 1.
  const expected = (2 * Math.exp(-30) + 2 * Math.exp(-31.5)) / 2;
  assert_(
    Math.abs(Number(bp["n=2"]) - expected) <= 1e-12 * expected,
    `${bp["n=2"]} vs ${expected}`,
  );
  const net = await Deno.readTextFile(join(out, "networks", "networks_results.md"));
  assert_(net.includes("| fc_w=256 | mnist | bp | 1 | 85.00 | "), net); // one decimals count per column
  assert_(net.includes("@best-val"), net);
});

Deno.test("tablesStage writes a section without upstream rows as 'not run in this profile'", async () => {
  const out = join(ROOT, "out_partial");
  const empty = join(ROOT, "empty_train");
  await Deno.mkdir(empty);
  const summary = await tablesStage.run(
    testContext(
      { profile: "smoke" as const },
      out,
      { functions: FUNCTIONS, train: empty },
      REPO_ROOT_DIR,
    ),
  ) as Record<string, unknown>;
  assertEquals(summary.sections, {
    approx: "not run",
    functions: "ok",
    networks: "not run",
    sota: "not run",
  });
  const readme = await Deno.readTextFile(join(out, "networks", "README.md"));
  assert_(readme.includes("Not run in this profile"), readme);
  const index = JSON.parse(await Deno.readTextFile(join(out, "index.json"))) as TablesIndex;
  assertEquals(index.sections.map((s) => s.status), ["not run", "ok", "not run", "not run"]);
});
