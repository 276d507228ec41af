import assert from "node:assert/strict";
import { BP, fg, gradientLabel } from "../../../src/functions/approaches.ts";
import {
  customTangentApproaches,
  PAPER_NS,
  paperApproaches,
  planExperiment,
} from "../../../src/stages/functions/grid.ts";
import {
  loadMathLrTable,
  MATH_CUSTOM_TANGENTS_LR_PATH,
  MATH_LR_PATH,
} from "../../../src/lrs/math.ts";

const table = loadMathLrTable(MATH_LR_PATH);
const custom = loadMathLrTable(MATH_CUSTOM_TANGENTS_LR_PATH);

Deno.test("paperApproaches() lists bp, fg k=1, then mean and frog per k", () => {
  const labels = paperApproaches([2, 4, 16]).map((a) => gradientLabel(a, ["scaling_correction"]));
  assert.deepEqual(labels, [
    "Backpropagation",
    "FG(k=1,agg=mean,normalize=False,sampler=normal)",
    "FG(k=2,agg=mean,normalize=False,sampler=normal)",
    "FG(k=2,agg=orthogonal_projection,normalize=False,sampler=normal)",
    "FG(k=4,agg=mean,normalize=False,sampler=normal)",
    "FG(k=4,agg=orthogonal_projection,normalize=False,sampler=normal)",
    "FG(k=16,agg=mean,normalize=False,sampler=normal)",
    "FG(k=16,agg=orthogonal_projection,normalize=False,sampler=normal)",
  ]);
  assert.deepEqual(PAPER_NS, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]);
});

Deno.test("the full paper grid finds an LR for every (function, n, approach)", () => {
  const units = planExperiment({
    functions: ["rosenbrock", "styblinski-tang", "sphere"],
    ns: PAPER_NS,
    approaches: paperApproaches(),
    seeds: [0, 1, 2, 3, 4],
    patience: 50,
  }, table);
  assert.equal(units.length, 33);
  assert.equal(units.reduce((s, u) => s + u.runs.length, 0), 3 * 11 * 8 * 5);
  const r = units.find((u) => u.functionName === "rosenbrock" && u.n === 2)!.runs[0];
  assert.equal(r.lr, 0.0019891252808897);
  assert.equal(r.maxSteps, 25000);
  // loop order n → approach → seed
  assert.deepEqual(units[0].runs.slice(0, 6).map((x) => [x.approach.type, x.seed]), [
    ["bp", 0],
    ["bp", 1],
    ["bp", 2],
    ["bp", 3],
    ["bp", 4],
    ["fg", 0],
  ]);
});

Deno.test("custom tangents: 24 approaches, frog falls back to the normal-sampler LR", () => {
  const approaches = customTangentApproaches();
  assert.equal(approaches.length, 24);
  const units = planExperiment({
    functions: ["styblinski-tang"],
    ns: [64],
    approaches,
    seeds: [0],
    patience: 50,
  }, custom);
  const lrOf = (label: string) =>
    units[0].runs.find((r) => gradientLabel(r.approach, ["scaling_correction"]) === label)!.lr;
  assert.equal(
    lrOf("FG(k=16,agg=orthogonal_projection,normalize=False,sampler=specific_angle_30)"),
    0.0018423636305031673,
  );
  assert.equal(
    lrOf("FG(k=64,agg=orthogonal_projection,normalize=False,sampler=specific_angle_90)"),
    0.03529607532965169,
  );
  assert.equal(
    lrOf("FG(k=16,agg=mean,normalize=False,sampler=specific_angle_30)"),
    0.03636534510523638,
  );
});

Deno.test("planExperiment() overrides max steps and rejects missing LRs and unknown functions", () => {
  const settings = { functions: ["sphere"], ns: [4], approaches: [BP], seeds: [0], patience: 50 };
  assert.equal(planExperiment({ ...settings, maxSteps: 7 }, table)[0].runs[0].maxSteps, 7);
  assert.throws(
    () => planExperiment({ ...settings, ns: [3] }, table),
    /No learning rate in .*math\.csv for \(sphere, 3, Backpropagation\)/,
  );
  assert.throws(
    () => planExperiment({ ...settings, approaches: [fg(8, "mean")] }, table),
    /\(sphere, 4, FG\(k=8,agg=mean,normalize=False,sampler=normal\)\)/,
  );
  assert.throws(
    () => planExperiment({ ...settings, functions: ["nope"] }, table),
    /Unknown function "nope"/,
  );
  assert.throws(
    () => planExperiment({ ...settings, functions: ["beale"] }, table),
    /2-dimensional/,
  );
});
