import { parse } from "npm:csv-parse@7.0.3/sync";
import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../../../src/backend.ts";
import { BP, fg } from "../../../src/functions/approaches.ts";
import { HISTORY_COLUMNS, SUMMARY_COLUMNS } from "../../../src/functions/experiment.ts";
import { planExperiment } from "../../../src/stages/functions/grid.ts";
import {
  assembleFunction,
  functionPaths,
  parseSummaryCsv,
  runExperiment,
  runUnit,
  unitPaths,
} from "../../../src/stages/functions/run_experiment.ts";
import { loadMathLrTable, MATH_LR_PATH } from "../../../src/lrs/math.ts";

await initBackend("cpu");

const table = loadMathLrTable(MATH_LR_PATH);
const plan = () =>
  planExperiment({
    functions: ["sphere", "styblinski-tang"],
    ns: [1, 4],
    approaches: [BP, fg(2, "orthogonal_projection")],
    seeds: [0, 1],
    maxSteps: 20,
    patience: 50,
  }, table);

const readCsv = (path: string) =>
  parse(Deno.readTextFileSync(path), { columns: true }) as Record<string, string>[];

Deno.test("runExperiment() writes <function>__all.csv and __summary.csv and removes the parts", async () => {
  const dir = await Deno.makeTempDir();
  let runs = 0;
  const rows = await runExperiment(dir, plan(), { onRun: () => runs++ });
  assert.equal(runs, 16);
  assert.equal(rows.length, 16);
  for (const fn of ["sphere", "styblinski-tang"]) {
    const paths = functionPaths(dir, fn);
    const summary = readCsv(paths.summary);
    assert.deepEqual(Object.keys(summary[0]), [...SUMMARY_COLUMNS]);
    assert.equal(summary.length, 8);
    assert.deepEqual(summary.map((r) => r.n), ["1", "1", "1", "1", "4", "4", "4", "4"]);
    const all = readCsv(paths.all);
    assert.deepEqual(Object.keys(all[0]), [...HISTORY_COLUMNS]);
    assert.equal(all.length, 8 * 21); // 20 steps + start, no early stop within 20 steps
    assert.ok(all.every((r) => r._function === fn));
  }
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
    "sphere__all.csv",
    "sphere__summary.csv",
    "styblinski-tang__all.csv",
    "styblinski-tang__summary.csv",
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runUnit() writes a unit's two files; assembleFunction() concatenates them verbatim", async () => {
  const dir = await Deno.makeTempDir();
  const units = plan().filter((u) => u.functionName === "sphere");
  const parts = units.map((u) => unitPaths(dir, "sphere", u.n));
  let runs = 0;
  for (const [i, u] of units.entries()) await runUnit(parts[i], u, { onRun: () => runs++ });
  assert.equal(runs, 8);
  const final = functionPaths(dir, "sphere");
  await assembleFunction(final, parts);
  const all = Deno.readTextFileSync(final.all);
  for (const p of parts) {
    const text = Deno.readTextFileSync(p.all);
    assert.ok(all.includes(text.slice(text.indexOf("\n") + 1)));
  }
  assert.equal(parseSummaryCsv(Deno.readTextFileSync(final.summary)).length, 8);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runUnit() leaves no part file behind when a run fails", async () => {
  const dir = await Deno.makeTempDir();
  const unit = plan()[0];
  const broken = { ...unit, runs: [unit.runs[0], { ...unit.runs[1], lr: -1 }] };
  await assert.rejects(
    () => runUnit(unitPaths(dir, "sphere", 1), broken),
    /lr must be a positive number/,
  );
  const left: string[] = [];
  for (const e of Deno.readDirSync(join(dir, "parts"))) left.push(e.name);
  assert.deepEqual(left, []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("parseSummaryCsv() reads nan and inf back", () => {
  const rows = parseSummaryCsv(
    'function,n,optimizer,seed,best,last,lr\nsphere,2,"FG(k=2,agg=mean)",1,-inf,nan,0.5\n',
  );
  assert.equal(rows[0].optimizer, "FG(k=2,agg=mean)");
  assert.equal(rows[0].best, -Infinity);
  assert.ok(Number.isNaN(rows[0].last));
  assert.equal(rows[0].lr, 0.5);
});
