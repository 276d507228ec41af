/**
 * The bp runs with the LR-search settings (seed 0, patience 100, the
 * function's max steps) against the authors' final losses (spec §7.3, the
 * `loss` column of lrs/first-release/math.csv).
 */
import { parse } from "npm:csv-parse@7.0.3/sync";
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend.ts";
import { type ApproachSpec, BP, fg } from "../../src/functions/approaches.ts";
import { executeRun } from "../../src/functions/experiment.ts";
import { LR_SEARCH_PATIENCE } from "../../src/functions/grid.ts";
import { getFunction } from "../../src/functions/registry.ts";
import { loadMathLrTable, MATH_LR_PATH, mathLr } from "../../src/lrs/math.ts";
import { lrsPath } from "../../src/lrs/table.ts";

await initBackend("cpu");

const table = loadMathLrTable(MATH_LR_PATH);
const authors = parse(Deno.readTextFileSync(lrsPath("first-release/math.csv")), {
  columns: true,
}) as Record<string, string>[];

function authorsLoss(fn: string, n: number): number {
  const row = authors.find((r) =>
    r.function === fn && Number(r.n) === n && r.optimizer === "Backpropagation"
  );
  assert.ok(row, `no authors' row for ${fn} n=${n}`);
  return Number(row.loss);
}

function run(fn: string, n: number, approach: ApproachSpec = BP, maxSteps?: number) {
  return executeRun({
    functionName: fn,
    n,
    approach,
    lr: mathLr(table, fn, n, approach),
    seed: 0,
    maxSteps: maxSteps ?? getFunction(fn).maxSteps,
    patience: LR_SEARCH_PATIENCE,
  });
}

/** Round-off level: the authors' value is below 1e-6 in magnitude. */
const ROUND_OFF = 1e-6;

const CELLS: [string, number][] = [
  ["sphere", 16],
  ["sphere", 1024],
  ["styblinski-tang", 16],
  ["styblinski-tang", 1024],
  ["rosenbrock", 1],
  ["rosenbrock", 2],
  ["rosenbrock", 8],
  ["rosenbrock", 128],
  ["rosenbrock", 256],
];

for (const [fn, n] of CELLS) {
  Deno.test(`bp on ${fn} n=${n} ends at the authors' value (§7.3)`, () => {
    const want = authorsLoss(fn, n);
    const got = run(fn, n).summary.last;
    if (Math.abs(want) < ROUND_OFF) {
      assert.ok(Math.abs(got) <= ROUND_OFF, `got ${got}, authors ${want}`);
    } else {
      // 3 significant figures: within half a unit of the third digit
      const tol = 0.5 * 10 ** (Math.floor(Math.log10(Math.abs(want))) - 2);
      assert.ok(Math.abs(got - want) <= tol, `got ${got}, authors ${want} (tolerance ${tol})`);
    }
  });
}

Deno.test("the same run twice gives identical histories (bp, fg-mean, frog)", () => {
  for (const approach of [BP, fg(4, "mean"), fg(4, "orthogonal_projection")]) {
    const a = run("rosenbrock", 16, approach, 2000).result;
    const b = run("rosenbrock", 16, approach, 2000).result;
    assert.equal(a.steps, b.steps);
    assert.deepEqual(a.y, b.y);
    assert.deepEqual(a.x, b.x);
  }
});
