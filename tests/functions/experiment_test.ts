import { parse } from "npm:csv-parse@7.0.3/sync";
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend.ts";
import { type ApproachSpec, BP, fg } from "../../src/functions/approaches.ts";
import {
  executeRun,
  HISTORY_COLUMNS,
  historyCsv,
  pivotLast,
  SUMMARY_COLUMNS,
  summaryCsv,
  type SummaryRow,
} from "../../src/functions/experiment.ts";

await initBackend("cpu");

const run = (approach: ApproachSpec = BP, seed = 0) =>
  executeRun({ functionName: "sphere", n: 4, approach, lr: 0.25, seed, maxSteps: 6, patience: 50 });

Deno.test("executeRun() summarises best, last and the long label", () => {
  const out = run(fg(2, "orthogonal_projection"), 3);
  assert.equal(out.summary.function, "sphere");
  assert.equal(out.summary.n, 4);
  assert.equal(
    out.summary.optimizer,
    "FG(k=2,agg=orthogonal_projection,normalize=False,sampler=normal,scaling_correction=False)",
  );
  assert.equal(out.summary.seed, 3);
  assert.equal(out.summary.lr, 0.25);
  assert.equal(out.summary.last, out.result.y[out.result.steps]);
  assert.equal(out.summary.best, Math.min(...out.result.y));
  assert.equal(out.result.y[0], 4);
});

Deno.test("historyCsv() writes one row per step with the config columns", () => {
  const out = run(fg(2, "mean"), 1);
  const text = HISTORY_COLUMNS.join(",") + "\n" + historyCsv(out);
  const rows = parse(text, { columns: true }) as Record<string, string>[];
  assert.equal(rows.length, out.result.steps + 1);
  assert.deepEqual(Object.keys(rows[0]), [...HISTORY_COLUMNS]);
  assert.equal(rows[0].step, "0");
  assert.equal(rows[0].y, "4.0");
  assert.equal(rows[0].step_duration_s, "0.0");
  assert.equal(rows[2].step, "2");
  assert.equal(Number(rows[2].y), out.result.y[2]);
  const dt = out.result.stepDurationS;
  assert.ok(Math.abs(Number(rows[3].time_s) - (dt[1] + dt[2] + dt[3])) < 1e-12);
  assert.equal(rows[1]._steps, "6");
  assert.equal(rows[1]._optimizer_step_size, "0.25");
  assert.equal(rows[1]._optimizer_early_stopping_patience, "50");
  assert.equal(rows[1]._optimizer_type, "fg");
  assert.equal(rows[1]._optimizer_seed, "1");
  assert.equal(rows[1]._optimizer_num_directions, "2");
  assert.equal(rows[1]._optimizer_gradient_aggregation, "mean");
  assert.equal(rows[1]._optimizer_direction_distribution, "normal");
  assert.equal(rows[1].n, "4");
  assert.equal(rows[1]._optimizer_label_short, rows[1]._optimizer_label_long);
  assert.equal(
    rows[1]._optimizer_label_long,
    "FG(k=2,agg=mean,normalize=False,sampler=normal,scaling_correction=False)",
  );
  assert.equal(rows[1]._function, "sphere");
});

Deno.test("historyCsv() leaves the FG columns of a bp run empty", () => {
  const rows = parse(HISTORY_COLUMNS.join(",") + "\n" + historyCsv(run()), {
    columns: true,
  }) as Record<string, string>[];
  assert.equal(rows[0]._optimizer_type, "bp");
  assert.equal(rows[0]._optimizer_num_directions, "");
  assert.equal(rows[0]._optimizer_label_long, "Backpropagation");
});

Deno.test("summaryCsv() writes the spec's columns", () => {
  const out = run(fg(4, "mean"));
  const rows = parse(SUMMARY_COLUMNS.join(",") + "\n" + summaryCsv(out.summary), {
    columns: true,
  }) as Record<string, string>[];
  assert.deepEqual(Object.keys(rows[0]), [
    "function",
    "n",
    "optimizer",
    "seed",
    "best",
    "last",
    "lr",
  ]);
  assert.equal(Number(rows[0].last), out.summary.last);
  assert.equal(rows[0].optimizer, out.summary.optimizer);
});

Deno.test("pivotLast() averages last over seeds per (function, optimizer) and n", () => {
  const row = (optimizer: string, n: number, seed: number, last: number): SummaryRow => ({
    function: "sphere",
    n,
    optimizer,
    seed,
    best: last,
    last,
    lr: 0.1,
  });
  const text = pivotLast([
    row("FG(k=2)", 1, 0, 1),
    row("FG(k=2)", 1, 1, 3),
    row("Backpropagation", 1, 0, 5),
    row("Backpropagation", 16, 0, -627.3),
    row("FG(k=16)", 16, 0, 95.74),
  ]);
  const lines = text.split("\n");
  assert.match(lines[0], /^function\s+optimizer\s+1\s+16$/);
  assert.match(lines[1], /^sphere\s+Backpropagation\s+5\s+-627$/);
  assert.match(lines[2], /^sphere\s+FG\(k=16\)\s+95\.7$/);
  assert.match(lines[3], /^sphere\s+FG\(k=2\)\s+2\s*$/);
});
