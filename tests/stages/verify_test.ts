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
import { collectChecks, verifyStage } from "../../src/stages/verify.ts";
import { decideChecks } from "../../src/report/checks.ts";
import { parseCsv, toCsvText } from "../../src/report/csv.ts";
import { readMathReference } from "../../src/report/reference.ts";
import { fgLabel } from "../report/_fixtures.ts";
import { initBackend } from "../../src/backend.ts";
import { approxStage } from "../../src/stages/approx.ts";
import { type FunctionsParams, functionsStage } from "../../src/stages/functions.ts";

const ROOT = await Deno.makeTempDir({ prefix: "verify_test_" });
globalThis.addEventListener("unload", () => Deno.removeSync(ROOT, { recursive: true }));
const APPROX = join(ROOT, "approx");
await writeApproxFixture(APPROX, {
  ns: [1, 4, 16, 64],
  ks: [1, 4, 16],
  samples: 200,
  angles: [45],
});
const FUNCTIONS = join(ROOT, "functions");
await writeFunctionsFixture(FUNCTIONS, goodFunctionRuns());
const TRAIN = join(ROOT, "train");
await writeTrainFixture(TRAIN, goodTrainRuns());

/** Rewrites one summary row of the approx fixture. */
async function editedApprox(
  name: string,
  edit: (r: Record<string, string>) => void,
): Promise<string> {
  const dir = join(ROOT, name);
  await Deno.mkdir(join(dir, "approx_quality"), { recursive: true });
  const text = await Deno.readTextFile(join(APPROX, "approx_quality", "summary.csv"));
  const header = text.split("\n")[0].split(",");
  const recs = parseCsv(text);
  recs.forEach(edit);
  await Deno.writeTextFile(
    join(dir, "approx_quality", "summary.csv"),
    toCsvText(header.slice(1), recs.map((r) => header.slice(1).map((h) => r[h]))),
  );
  return dir;
}

Deno.test("verify passes every check on good Monte-Carlo, function and training fixtures", async () => {
  const { checks, notRun } = await collectChecks(
    { approx: APPROX, functions: FUNCTIONS, train: TRAIN },
    "smoke",
    REPO_ROOT_DIR,
    { width: 16, batch: 4, ks: [2, 8] },
  );
  assertEquals(notRun, []);
  const { results } = decideChecks(checks);
  const failed = results.filter((r) => !r.pass).map((r) => r.check);
  assertEquals(failed, []);
  for (const s of ["approx", "functions", "networks"]) {
    assert_(results.some((r) => r.section === s), `checks for ${s}`);
  }
  assert_(results.some((r) => r.check.startsWith("frog mean cosine = E[χk]/E[χn] (n=64, k=4)")));
  assert_(results.some((r) => r.check.includes("k=16 test accuracy ≥ k=4")));
  const identity = results.filter((r) => r.check.startsWith("simulated = true forward mode"));
  assertEquals(identity.length, 8); // node/weight × fg-mean/frog × k ∈ {2, 8}
  for (const r of identity) assert_((r.measured as number) < 1e-4, `${r.check}: ${r.measured}`);
});

Deno.test("verify fails a wrong frog cosine and names the row", async () => {
  const dir = await editedApprox("approx_wrong", (r) => {
    if (r.agg === "orthogonal_projection" && r.n === "64" && r.k === "4") {
      r.cosine_sim_mean = String(Number(r.cosine_sim_mean) + 0.1);
      r["fg_norm/true_grad_norm_mean"] = r.cosine_sim_mean;
    }
  });
  const { checks } = await collectChecks({ approx: dir }, "smoke", REPO_ROOT_DIR);
  const failed = decideChecks(checks).results.filter((r) => !r.pass).map((r) => r.check);
  assertEquals(failed, ["frog mean cosine = E[χk]/E[χn] (n=64, k=4)"]);
});

Deno.test("verify fails frog below 1 at k ≥ n and a broken norm-ratio identity", async () => {
  const dir = await editedApprox("approx_wrong2", (r) => {
    if (r.agg === "orthogonal_projection" && r.n === "16" && r.k === "16") {
      r.cosine_sim_mean = "0.99";
    }
  });
  const { checks } = await collectChecks({ approx: dir }, "smoke", REPO_ROOT_DIR);
  const failed = decideChecks(checks).results.filter((r) => !r.pass).map((r) => r.check);
  assertEquals(failed, [
    "frog is exact for k ≥ n: cosine = 1 (n=16, k=16)",
    "frog norm ratio = cosine (n=16, k=16)",
  ]);
});

Deno.test("verify compares reference_bp/ with the authors' values: 3 significant figures, exact 0, order of magnitude at round-off level", async () => {
  const refs = await readMathReference(REPO_ROOT_DIR);
  const ref = (fn: string, n: number) =>
    refs.find((r) => r.function === fn && r.n === n && r.kind === "bp")!;
  const run = (fn: string, n: number, last: number, patience = 100) => ({
    fn,
    n,
    label: "Backpropagation",
    seed: 0,
    lr: ref(fn, n).lr,
    patience,
    maxSteps: fn === "rosenbrock" ? 25000 : 1000,
    ys: [1, last],
  });
  const st = ref("styblinski-tang", 4).final; // −156.66468811035156: half a unit of the 3rd figure is 0.5
  const cases: [string, ReturnType<typeof run>, boolean][] = [
    ["st exact", run("styblinski-tang", 4, st), true],
    ["st +0.45", run("styblinski-tang", 4, st + 0.45), true],
    [
      "st +0.55 (4th figure off by more than half a unit)",
      run("styblinski-tang", 4, st + 0.55),
      false,
    ],
    ["st off by 1%", run("styblinski-tang", 4, st * 1.01), false],
    ["st with patience 50", run("styblinski-tang", 4, st, 50), false],
    ["sphere 0 (denormal)", run("sphere", 2, 1.8e-40), true],
    ["sphere not 0", run("sphere", 2, 1e-30), false],
    ["rosenbrock round-off ×2", run("rosenbrock", 2, 2 * ref("rosenbrock", 2).final), true],
    ["rosenbrock round-off ×20", run("rosenbrock", 2, 20 * ref("rosenbrock", 2).final), false],
  ];
  for (const [name, r, pass] of cases) {
    const dir = join(ROOT, `fn_ref_${name.replace(/\W+/g, "_")}`);
    await writeFunctionsFixture(dir, [r], "reference_bp");
    const { checks } = await collectChecks({ functions: dir }, "smoke", REPO_ROOT_DIR);
    const results = decideChecks(checks).results;
    assertEquals(results.length, 1, name);
    assert_(results[0].check.startsWith(`${r.fn} n=${r.n} bp, seed 0, patience 100: `), name);
    assertEquals(results[0].pass, pass, `${name}: ${results[0].check}`);
  }
});

Deno.test("verify fails when more tangents do not help on most dimensions, naming function and aggregation", async () => {
  const runs = goodFunctionRuns().map((r) =>
    r.fn === "sphere" && r.label === fgLabel(16, "orthogonal_projection")
      ? { ...r, ys: r.ys.map((y, i) => i === 0 ? y : r.n * 0.9) }
      : r
  );
  const dir = join(ROOT, "fn_order_bad");
  await writeFunctionsFixture(dir, runs);
  const { checks } = await collectChecks({ functions: dir }, "smoke", REPO_ROOT_DIR);
  const failed = decideChecks(checks).results.filter((r) => !r.pass).map((r) => r.check);
  assertEquals(failed.length, 1);
  assert_(failed[0].startsWith("sphere frog: k=16 at least as good as k=4"), failed[0]);
});

Deno.test("verifyStage writes the table, prints failing rows and reports ok: false when bp is below the smoke threshold", async () => {
  const train = join(ROOT, "train_bad");
  await writeTrainFixture(train, [{ approach: "bp", k: null, seed: 0, acc: [0.1, 0.4] }]);
  const out = join(ROOT, "verify_out");
  const log: string[] = [];
  const summary = await verifyStage.run(
    testContext(
      verifyStage.params("smoke"),
      out,
      { functions: FUNCTIONS, train },
      REPO_ROOT_DIR,
      log,
    ),
  ) as Record<string, unknown>;
  assertEquals(summary.ok, false);
  assertEquals(summary.failed, 1);
  assertEquals(summary.notRun, ["approx"]);
  const md = await Deno.readTextFile(join(out, "verification.md"));
  assert_(
    md.includes(
      "| networks | fc_w=256/mnist bp: test accuracy at the best-validation epoch ≥ the smoke threshold | ≥ 0.7 | 0.39 |",
    ),
    md.slice(0, 400),
  );
  assert_(md.includes("| NO |"));
  const csv = parseCsv(await Deno.readTextFile(join(out, "verification.csv")));
  assertEquals(csv.filter((r) => r.pass === "NO").length, 1);
  assert_(log.some((l) => l.startsWith("FAILED networks: fc_w=256/mnist bp")), log.join("\n"));
});

Deno.test("verify treats the authors' styblinski-tang FG value as one more seed: a run in another local minimum passes, one far beyond the seeds' spread fails", async () => {
  const refs = await readMathReference(REPO_ROOT_DIR);
  const labels = [
    fgLabel(1, "mean"),
    fgLabel(2, "mean"),
    fgLabel(2, "orthogonal_projection"),
    fgLabel(4, "mean"),
    fgLabel(4, "orthogonal_projection"),
  ];
  const fStar = -39.16616570377141 * 8;
  // Seeds end with 0 or 1 coordinate in the other local minimum (14.13 higher each).
  const stuck = [[0, 1, 0, 0, 1], [1, 0, 0, 1, 0], [0, 0, 1, 0, 1], [1, 1, 0, 0, 0], [
    0,
    1,
    1,
    0,
    0,
  ]];
  const runs = (frogK4Stuck: number) =>
    labels.flatMap((label, i) =>
      stuck[i].map((m, seed) => ({
        fn: "styblinski-tang",
        n: 8,
        label,
        seed,
        lr: 0.01,
        patience: 50,
        maxSteps: 1000,
        ys: [0, fStar + 14.13 * (i === 4 ? frogK4Stuck : m) + 1e-4],
      }))
    );
  for (const [name, m, pass] of [["local", 1, true], ["far", 16, false]] as const) {
    const dir = join(ROOT, `fn_st_${name}`);
    await writeFunctionsFixture(dir, runs(m));
    const { checks } = await collectChecks({ functions: dir }, "smoke", REPO_ROOT_DIR);
    const results = decideChecks(checks).results.filter((r) =>
      r.check.startsWith("styblinski-tang n=8 frog k=4: the authors' seed-0")
    );
    assertEquals(results.length, 1);
    const ref = refs.find((r) =>
      r.function === "styblinski-tang" && r.n === 8 && r.kind === "frog" && r.k === 4
    )!;
    assert_(ref.final - fStar < 1e-3, "the authors' run found the global minimum");
    assertEquals(results[0].pass, pass, `${name}: ${JSON.stringify(results[0])}`);
  }
});

Deno.test("verify gives truncated runs no check against the authors' values and says so in the notes", async () => {
  const { checks, notes } = await collectChecks({ functions: FUNCTIONS }, "smoke", REPO_ROOT_DIR);
  assert_(!checks.some((c) => c.check.includes("the authors'")), "no comparison at budget 100");
  // 2 functions × 3 n × 5 forward-gradient approaches × 2 seeds, all with budget 100 < 1000.
  assert_(notes.some((n) => n.startsWith("Functions: 60 forward-gradient runs")), notes.join("\n"));
  assert_(notes.some((n) => n.includes("no reference_bp/ runs")), notes.join("\n"));
});

// ---- Injected bugs: outputs of the real approx and functions stages at small size, perturbed ----

const REAL = join(ROOT, "real");
await initBackend("cpu");
await approxStage.run(
  testContext(approxStage.params("smoke"), join(REAL, "approx"), {}, REPO_ROOT_DIR),
);
const realFunctions: FunctionsParams = {
  ...functionsStage.params("smoke"),
  functions: ["sphere", "styblinski-tang"],
  ns: [2, 4],
  ks: [2, 4],
  seeds: [0, 1, 2],
  maxSteps: null, // the functions' own 1000 steps: comparable with the authors'
  customTangents: "off",
  referenceBp: true,
};
await functionsStage.run(testContext(realFunctions, join(REAL, "functions"), {}, REPO_ROOT_DIR));

/** Copies a stage folder and rewrites one CSV in it record by record. */
async function perturbed(
  stage: string,
  file: string,
  edit: (r: Record<string, string>, all: Record<string, string>[]) => void,
): Promise<string> {
  const dir = join(ROOT, `bug_${stage}_${file.replace(/\W+/g, "_")}`);
  await copyDir(join(REAL, stage), dir);
  const text = await Deno.readTextFile(join(dir, file));
  const header = parseCsvHeader(text);
  const recs = parseCsv(text);
  const original = recs.map((r) => ({ ...r }));
  for (const r of recs) edit(r, original);
  await Deno.writeTextFile(
    join(dir, file),
    toCsvText(header, recs.map((r) => header.map((h) => r[h]))),
  );
  return dir;
}

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for (const e of Deno.readDirSync(from)) {
    if (e.isDirectory) await copyDir(join(from, e.name), join(to, e.name));
    else await Deno.copyFile(join(from, e.name), join(to, e.name));
  }
}

function parseCsvHeader(text: string): string[] {
  return text.slice(0, text.indexOf("\n")).split(",");
}

async function failing(inputs: Record<string, string>): Promise<string[]> {
  const { checks } = await collectChecks(inputs, "smoke", REPO_ROOT_DIR);
  return decideChecks(checks).results.filter((r) => !r.pass).map((r) => r.check);
}

const METRIC_COLUMNS = (h: string) =>
  /^(fg_norm|difference_norm|fg_norm\/true_grad_norm|dot_product|cosine_sim)_(mean|std|ci)$/.test(
    h,
  );

Deno.test("injected bugs: the real stages' unperturbed outputs pass every check", async () => {
  const inputs = { approx: join(REAL, "approx"), functions: join(REAL, "functions") };
  assertEquals(await failing(inputs), []);
  const { checks } = await collectChecks(inputs, "smoke", REPO_ROOT_DIR);
  const names = checks.map((c) => c.check);
  for (
    const prefix of [
      "fg-sum mean norm ratio = k·E[",
      "fg-sum = k · fg-mean on the same tangents",
      "frog mean cosine = E[χk]/E[χn]",
      "styblinski-tang n=4 bp, seed 0, patience 100: final f = the authors' to 3 significant figures",
      "sphere n=4 frog k=4: the authors' seed-0 log10(f − f*) is a plausible further seed",
    ]
  ) assert_(names.some((c) => c.startsWith(prefix)), prefix);
});

Deno.test("injected bug: fg-sum scaled like fg-mean (divided by k) fails verify", async () => {
  const dir = await perturbed("approx", "approx_quality/summary.csv", (r, all) => {
    if (r.agg !== "sum") return;
    const m = all.find((x) =>
      x.agg === "mean" && x.n === r.n && x.k === r.k &&
      x.normalize_tangents === r.normalize_tangents
    )!;
    for (const h of Object.keys(r).filter(METRIC_COLUMNS)) r[h] = m[h];
  });
  const failed = await failing({ approx: dir });
  assert_(failed.some((c) => c.startsWith("fg-sum mean norm ratio = k·E[")), failed.join("\n"));
  assert_(failed.some((c) => c.startsWith("fg-sum = k · fg-mean on the same tangents")));
  assert_(failed.every((c) => c.startsWith("fg-sum")), failed.join("\n"));
});

Deno.test("injected bug: frog replaced by fg-mean fails verify", async () => {
  const dir = await perturbed("approx", "approx_quality/summary.csv", (r, all) => {
    if (r.agg !== "orthogonal_projection") return;
    const m = all.find((x) =>
      x.agg === "mean" && x.n === r.n && x.k === r.k && x.normalize_tangents === "False"
    )!;
    for (const h of Object.keys(r).filter(METRIC_COLUMNS)) r[h] = m[h];
  });
  const failed = await failing({ approx: dir });
  for (
    const prefix of [
      "frog mean cosine = E[χk]/E[χn]",
      "frog is exact for k ≥ n",
      "frog norm ratio = cosine",
    ]
  ) {
    assert_(failed.some((c) => c.startsWith(prefix)), `${prefix}:\n${failed.join("\n")}`);
  }
});

Deno.test("injected bug: bp off by 1% fails verify on every value not at round-off level", async () => {
  const dir = await perturbed("functions", "reference_bp/styblinski-tang__summary.csv", (r) => {
    r.last = String(Number(r.last) * 1.01);
  });
  const failed = await failing({ functions: dir });
  assertEquals(failed.sort(), [
    "styblinski-tang n=2 bp, seed 0, patience 100: final f = the authors' to 3 significant figures (§7.3: -78.3)",
    "styblinski-tang n=4 bp, seed 0, patience 100: final f = the authors' to 3 significant figures (§7.3: -157)",
  ]);
});
