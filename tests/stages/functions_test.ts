import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { parse } from "npm:csv-parse@7.0.3/sync";
import assert from "node:assert/strict";
import { join } from "node:path";
import { initBackend } from "../../src/backend.ts";
import { UsageError } from "../../src/cli/args.ts";
import type { StageContext } from "../../src/pipeline/stage.ts";
import {
  applyFunctionsFlags,
  type FunctionsParams,
  functionsParams,
  functionsStage,
  withComputeBackend,
} from "../../src/stages/functions.ts";

const backend = await initBackend("cpu");

function ctx(
  params: FunctionsParams,
  outDir: string,
  log: string[] = [],
): StageContext<FunctionsParams> {
  return {
    params,
    outDir,
    inputs: {},
    backend,
    rootDir: Deno.cwd(),
    log: (m) => log.push(m),
    progress: () => ({ tick() {}, stop() {} }),
  };
}

const tiny = (): FunctionsParams => ({
  functions: ["sphere", "styblinski-tang"],
  ns: [2, 4],
  ks: [2],
  seeds: [0, 1],
  maxSteps: 15,
  patience: 50,
  customTangents: "on",
  custom: { ns: [64], ks: [16], angles: [90], seeds: [0], maxSteps: 5 },
});

Deno.test("functionsParams(): smoke is small, paper is the full grid", () => {
  const smoke = functionsParams("smoke");
  assert.ok(smoke.ns.every((n) => n <= 16));
  assert.equal(smoke.seeds.length, 2);
  assert.ok(smoke.maxSteps !== null && smoke.maxSteps <= 200);
  assert.deepEqual(smoke.functions, ["rosenbrock", "styblinski-tang", "sphere"]);
  const paper = functionsParams("paper");
  assert.deepEqual(paper.ns, [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]);
  assert.deepEqual(paper.ks, [2, 4, 16]);
  assert.deepEqual(paper.seeds, [0, 1, 2, 3, 4]);
  assert.equal(paper.maxSteps, null);
  assert.equal(paper.patience, 50);
  assert.deepEqual(paper.custom, {
    ns: [64],
    ks: [16, 64],
    angles: [15, 30, 45, 60, 75, 90],
    seeds: [0, 1, 2, 3, 4],
    maxSteps: null,
  });
  for (const p of ["smoke", "quick", "paper"] as const) {
    assert.doesNotThrow(() => applyFunctionsFlags({}, functionsParams(p)));
  }
});

Deno.test("applyFunctionsFlags() applies every flag", () => {
  const p = applyFunctionsFlags({
    function: ["Sphere", "rosenbrock"],
    n: ["1,2", "4"],
    k: "4",
    "num-seeds": "3",
    "max-steps": "10",
    patience: "0",
    "custom-tangents": "off",
  }, functionsParams("paper"));
  assert.deepEqual(p.functions, ["sphere", "rosenbrock"]);
  assert.deepEqual(p.ns, [1, 2, 4]);
  assert.deepEqual(p.ks, [4]);
  assert.deepEqual(p.seeds, [0, 1, 2]);
  assert.deepEqual(p.custom.seeds, [0, 1, 2]);
  assert.equal(p.maxSteps, 10);
  assert.equal(p.custom.maxSteps, 10);
  assert.equal(p.patience, 0);
  assert.equal(p.customTangents, "off");
  assert.deepEqual(applyFunctionsFlags({ seeds: "3,7" }, functionsParams("smoke")).seeds, [3, 7]);
});

Deno.test("applyFunctionsFlags() rejects bad input with a UsageError naming the flag", () => {
  const base = functionsParams("smoke");
  const bad: [Record<string, string | string[]>, RegExp][] = [
    [
      { function: "himmelblau" },
      /--function: Unknown function "himmelblau": expected one of sphere, /,
    ],
    [{ n: "3" }, /No learning rate in .*math\.csv for \(rosenbrock, 3, Backpropagation\)/],
    [{ n: "0" }, /--n must be a positive integer/],
    [{ k: "8" }, /FG\(k=8,agg=mean,normalize=False,sampler=normal\)/],
    [{ seeds: "0", "num-seeds": "2" }, /--seeds and --num-seeds cannot be combined/],
    [{ "max-steps": "0" }, /--max-steps must be a positive integer/],
    [{ patience: "-1" }, /--patience must be a non-negative integer/],
    [{ "custom-tangents": "maybe" }, /--custom-tangents must be one of on, off, only/],
    [{ function: "beale" }, /beale with n = 1: it is 2-dimensional/],
  ];
  for (const [flags, message] of bad) {
    assert.throws(() => applyFunctionsFlags(flags, base), (e: Error) => {
      assert.ok(e instanceof UsageError, `${JSON.stringify(flags)}: ${e}`);
      assert.match(e.message, message);
      assert.ok(!e.message.includes("\n"));
      return true;
    });
  }
});

Deno.test("functionsStage.run() writes the main grid and custom-tangents files", async () => {
  const dir = await Deno.makeTempDir();
  const log: string[] = [];
  const facts = await functionsStage.run(ctx(tiny(), dir, log));
  const read = (p: string) =>
    parse(Deno.readTextFileSync(join(dir, p)), { columns: true }) as Record<string, string>[];
  for (const fn of ["sphere", "styblinski-tang"]) {
    const s = read(`math_experiments/${fn}__summary.csv`);
    assert.equal(s.length, 2 * 4 * 2); // ns × approaches (bp, fg1, mean2, frog2) × seeds
    assert.ok(read(`math_experiments/${fn}__all.csv`).length > s.length);
  }
  const custom = read("custom_tangents/styblinski-tang__summary.csv");
  assert.deepEqual(custom.map((r) => r.optimizer), [
    "FG(k=16,agg=mean,normalize=False,sampler=specific_angle_90,scaling_correction=False)",
    "FG(k=16,agg=orthogonal_projection,normalize=False,sampler=specific_angle_90,scaling_correction=False)",
  ]);
  assert.equal(custom[1].lr, "0.0018423636305031673");
  assert.ok(log.some((l) => l.startsWith("math_experiments: last, averaged over seeds")));
  assert.ok(log.some((l) => l.includes("custom_tangents")));
  assert.equal(facts?.math_experiments_runs, 32);
  assert.equal(facts?.custom_tangents_runs, 2);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("functionsStage.run() writes nothing when an LR row is missing", async () => {
  const dir = await Deno.makeTempDir();
  const p = { ...tiny(), ns: [2, 3] };
  await assert.rejects(() => functionsStage.run(ctx(p, dir)), /\(sphere, 3, Backpropagation\)/);
  assert.deepEqual([...Deno.readDirSync(dir)], []);
  await Deno.remove(dir);
});

Deno.test("functionsStage.run() with custom-tangents only skips the main grid", async () => {
  const dir = await Deno.makeTempDir();
  await functionsStage.run(ctx({ ...tiny(), customTangents: "only" }, dir));
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["custom_tangents"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("functionsStage declares its sources", () => {
  assert.equal(functionsStage.name, "functions");
  assert.ok(functionsStage.sources.includes("src/functions"));
  assert.ok(functionsStage.sources.includes("lrs/math.csv"));
});

Deno.test("functionsStage.run() computes on wasm under the tensorflow backend and restores it", async () => {
  const dir = await Deno.makeTempDir();
  const c = ctx({ ...tiny(), functions: ["sphere"], ns: [2], customTangents: "off" }, dir);
  c.backend = { ...backend, name: "tensorflow" };
  const log: string[] = [];
  c.log = (m) => log.push(m);
  const facts = await functionsStage.run(c);
  assert.equal(facts?.compute_backend, "wasm");
  assert.equal(facts?.backend, "tensorflow");
  assert.equal(tf.getBackend(), "cpu");
  assert.ok(log[0].startsWith("computing on wasm instead of tensorflow"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("withComputeBackend() honours cpu and wasm", async () => {
  const { result, backend: used } = await withComputeBackend(
    "cpu",
    () => Promise.resolve(tf.getBackend()),
  );
  assert.equal(result, "cpu");
  assert.equal(used, "cpu");
});
