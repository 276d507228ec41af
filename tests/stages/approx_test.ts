import assert from "node:assert/strict";
import { join } from "node:path";
import { runUnits } from "../../src/pipeline/units.ts";
import { parse } from "npm:csv-parse@7.0.3/sync";
import { initBackend } from "../../src/backend.ts";
import { UsageError } from "../../src/cli/args.ts";
import { type ApproxParams, approxStage, planRuns } from "../../src/stages/approx.ts";
import { approxConfigs } from "../../src/stages/approx/configs.ts";
import { pyFloat } from "../../src/stages/approx/table.ts";
import { computeMetrics } from "../../src/stages/approx/compute.ts";
import type { StageContext } from "../../src/pipeline/stage.ts";

const info = await initBackend("cpu");

const RAW_COLUMNS = [
  "",
  "true_grad_norm",
  "fg_norm",
  "difference_norm",
  "fg_norm/true_grad_norm",
  "dot_product",
  "cosine_sim",
  "n",
  "k",
  "agg",
  "tangents",
  "scaling_correction",
  "normalize_tangents",
  "label",
  "true_grad_fn",
];
const SUMMARY_COLUMNS = [
  "",
  "true_grad_norm",
  "n",
  "k",
  "agg",
  "tangents",
  "scaling_correction",
  "normalize_tangents",
  "label",
  "true_grad_fn",
  "fg_norm_mean",
  "fg_norm_std",
  "difference_norm_mean",
  "difference_norm_std",
  "fg_norm/true_grad_norm_mean",
  "fg_norm/true_grad_norm_std",
  "dot_product_mean",
  "dot_product_std",
  "cosine_sim_mean",
  "cosine_sim_std",
  "fg_norm_ci",
  "difference_norm_ci",
  "fg_norm/true_grad_norm_ci",
  "dot_product_ci",
  "cosine_sim_ci",
];

function small(): ApproxParams {
  return {
    ...approxStage.params("smoke"),
    ns: [4, 16],
    ks: [1, 4, 16],
    numSamples: 30,
    angles: [45],
    angleNs: [16],
    angleKs: [4],
    angleSamples: 10,
  };
}

function ctx(
  params: ApproxParams,
  outDir: string,
  logs: string[] = [],
): StageContext<ApproxParams> {
  return {
    params,
    outDir,
    inputs: {},
    backend: info,
    rootDir: Deno.cwd(),
    log: (m) => logs.push(m),
    progress: () => ({ tick() {}, stop() {} }),
  };
}

function readCsv(path: string): string[][] {
  return parse(Deno.readTextFileSync(path)) as string[][];
}

async function runSmall(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "approx_test_" });
  await approxStage.run(ctx(small(), dir));
  return dir;
}

Deno.test("approx writes raw_data.csv and summary.csv with the reference columns, in order", async () => {
  const dir = await runSmall();
  for (const folder of ["approx_quality", "approx_quality__angle__45"]) {
    const raw = readCsv(join(dir, folder, "raw_data.csv"));
    const summary = readCsv(join(dir, folder, "summary.csv"));
    assert.deepEqual(raw[0], RAW_COLUMNS);
    assert.deepEqual(summary[0], SUMMARY_COLUMNS);
  }
  const raw = readCsv(join(dir, "approx_quality", "raw_data.csv"));
  // 2 n × 16 configurations × 30 samples, index restarting per block, config order of §2.4.
  assert.equal(raw.length - 1, 2 * 16 * 30);
  const labels = approxConfigs([1, 4, 16]).map((c) => c.label);
  for (let b = 0; b < 32; b++) {
    const first = raw[1 + b * 30];
    assert.equal(first[0], "0");
    assert.equal(raw[30 + b * 30][0], "29");
    assert.equal(first[13], labels[b % 16]);
    assert.equal(first[7], b < 16 ? "4" : "16");
    assert.equal(first[14], "ones");
    assert.equal(first[11], "False");
  }
  const angle = readCsv(join(dir, "approx_quality__angle__45", "raw_data.csv"));
  assert.equal(angle.length - 1, 6 * 10);
  assert.ok(angle.slice(1).every((r) => r[10] === "specific_angle_45"));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("approx summary means, stds and cis match the raw data; rows sorted by group keys", async () => {
  const dir = await runSmall();
  const raw = readCsv(join(dir, "approx_quality", "raw_data.csv")).slice(1);
  const summary = readCsv(join(dir, "approx_quality", "summary.csv"));
  const head = summary[0];
  const rows = summary.slice(1);
  assert.equal(rows.length, 32);
  const col = (name: string) => head.indexOf(name);
  for (const r of rows) {
    const group = raw.filter((x) =>
      x[7] === r[col("n")] && x[13] === r[col("label")] && x[12] === r[col("normalize_tangents")]
    );
    assert.equal(group.length, 30);
    for (const [metric, idx] of [["fg_norm", 2], ["cosine_sim", 6], ["dot_product", 5]] as const) {
      const xs = group.map((x) => Number(x[idx]));
      const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
      const std = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
      const tol = 1e-6 * (1 + Math.abs(mean));
      assert.ok(Math.abs(Number(r[col(`${metric}_mean`)]) - mean) <= tol, `${metric} mean`);
      assert.ok(
        Math.abs(Number(r[col(`${metric}_std`)]) - std) <= 1e-6 * (1 + std),
        `${metric} std`,
      );
      assert.ok(
        Math.abs(Number(r[col(`${metric}_ci`)]) - 1.96 * std / Math.sqrt(30)) <= 1e-6 * (1 + std),
        `${metric} ci`,
      );
    }
  }
  // Sorted by (true_grad_norm, n, k, agg, tangents, scaling_correction, normalize_tangents, label).
  const keys = rows.map((
    r,
  ) => [
    Number(r[col("n")]),
    Number(r[col("k")]),
    r[col("agg")],
    r[col("normalize_tangents")],
    r[col("label")],
  ]);
  for (let i = 1; i < keys.length; i++) {
    const a = keys[i - 1], b = keys[i];
    const cmp = a[0] !== b[0]
      ? Number(a[0]) - Number(b[0])
      : a[1] !== b[1]
      ? Number(a[1]) - Number(b[1])
      : String(a.slice(2)) < String(b.slice(2))
      ? -1
      : 1;
    assert.ok(cmp < 0, `row ${i} out of order: ${a} then ${b}`);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("approx frog at k ≥ n has cosine 1 and reproduces ‖g‖; baseline and sum k=1 agree", async () => {
  const dir = await runSmall();
  const raw = readCsv(join(dir, "approx_quality", "raw_data.csv")).slice(1);
  const frogFull = raw.filter((r) =>
    r[9] === "orthogonal_projection" && Number(r[8]) >= Number(r[7])
  );
  assert.ok(frogFull.length > 0);
  for (const r of frogFull) {
    assert.ok(Math.abs(Number(r[6]) - 1) < 1e-5, `cos ${r[6]}`);
    assert.ok(
      Math.abs(Number(r[2]) - Number(r[1])) < 1e-4 * Number(r[1]),
      `norm ${r[2]} vs ${r[1]}`,
    );
  }
  const baseline = raw.filter((r) => r[13] === "fg_baseline" && r[7] === "16").map((r) =>
    r.slice(1, 7)
  );
  const sum1 = raw.filter((r) => r[13] === "fg_sum_k=1" && r[12] === "False" && r[7] === "16").map((
    r,
  ) => r.slice(1, 7));
  assert.deepEqual(sum1, baseline);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("approx gives identical files when run twice, and resumes from completed units", async () => {
  const a = await runSmall();
  const b = await runSmall();
  for (
    const f of [
      "approx_quality/raw_data.csv",
      "approx_quality/summary.csv",
      "approx_quality__angle__45/summary.csv",
    ]
  ) {
    assert.equal(Deno.readTextFileSync(join(a, f)), Deno.readTextFileSync(join(b, f)), f);
  }
  // Resume: an interrupted run computed two units; the rerun adopts them and computes the rest.
  const c = await Deno.makeTempDir({ prefix: "approx_test_" });
  const unitsDir = join(c, "store");
  const out = join(c, "out");
  await Deno.mkdir(out);
  const done = await runUnits(approxStage.units!, ctx(small(), out), {
    unitsDir,
    select: (u) => u.id !== "approx_quality/n=16",
  });
  assert.deepEqual(done.computed, ["approx_quality/n=4", "approx_quality__angle__45/n=16"]);
  const res = await runUnits(approxStage.units!, ctx(small(), out), { unitsDir });
  assert.deepEqual(res.computed, ["approx_quality/n=16"]);
  assert.equal((res.summary as { resumedUnits: number }).resumedUnits, 2);
  for (const f of ["approx_quality/raw_data.csv", "approx_quality__angle__45/summary.csv"]) {
    assert.equal(Deno.readTextFileSync(join(out, f)), Deno.readTextFileSync(join(b, f)), f);
  }
  for (const d of [a, b, c]) await Deno.remove(d, { recursive: true });
});

Deno.test("approx flags: lists, mode, angles, large-n", () => {
  const base = approxStage.params("paper");
  const p = approxStage.flags.apply({
    n: ["16,256"],
    k: ["1", "4"],
    "num-samples": "200",
    mode: "normal",
  }, base);
  assert.deepEqual(p.ns, [16, 256]);
  assert.deepEqual(p.ks, [1, 4]);
  assert.equal(p.numSamples, 200);
  assert.equal(p.mode, "normal");
  const q = approxStage.flags.apply({ tangents: "angle", angles: ["15 30", "90"] }, base);
  assert.equal(q.mode, "angle");
  assert.deepEqual(q.angles, [15, 30, 90]);
  assert.deepEqual(planRuns(q).map((r) => r.folder), [
    "approx_quality__angle__15",
    "approx_quality__angle__30",
    "approx_quality__angle__90",
  ]);
  const l = approxStage.flags.apply({ "large-n": true, mode: "normal" }, base);
  assert.deepEqual(planRuns(l)[0].units.slice(-2), [
    { n: 32768, ks: base.ks, S: 100 },
    { n: 65536, ks: base.ks, S: 100 },
  ]);
  assert.equal(planRuns(approxStage.params("paper"))[0].units.length, 15);
  assert.equal(approxConfigs(base.ks).length, 56);
  assert.equal(approxConfigs([4, 16, 64]).length, 16);
});

Deno.test("approx flags reject bad values with a UsageError naming the flag and the allowed values", () => {
  const base = approxStage.params("smoke");
  const cases: [Record<string, string | string[]>, RegExp][] = [
    [{ k: ["0"] }, /--k must be a positive integer, got "0"/],
    [{ n: ["-3"] }, /--n must be a positive integer, got "-3"/],
    [{ n: ["2.5"] }, /--n must be a positive integer/],
    [{ tangents: "gauss" }, /--tangents must be one of normal, rademacher, .*angle, got "gauss"/],
    [{ angles: ["200"] }, /--angles must be integer degrees in \[0, 180\], got "200"/],
    [{ angles: ["-5"] }, /--angles must be integer degrees in \[0, 180\]/],
    [{ mode: "all" }, /--mode must be one of normal, angle, both, got "all"/],
    [{ "num-samples": "0" }, /--num-samples must be a positive integer/],
    [
      { tangents: "specific_angle_200" },
      /--tangents specific_angle_<A> takes A in integer degrees in \[0, 180\]/,
    ],
    [
      { tangents: "specific_angle_45", n: ["1,4"], k: ["4"] },
      /--tangents specific_angle_45 needs every --n ≥ 2/,
    ],
    [{ n: ["4,4"] }, /--n must list each value once, got "4" twice/],
  ];
  for (const [values, re] of cases) {
    assert.throws(
      () => approxStage.flags.apply(values, base),
      (e: unknown) => e instanceof UsageError && re.test((e as Error).message),
    );
  }
});

Deno.test("pyFloat() writes numbers like pandas (Python repr)", () => {
  assert.equal(pyFloat(4), "4.0");
  assert.equal(pyFloat(Math.fround(0.1), true), "0.1");
  assert.equal(pyFloat(Math.fround(1e-5), true), "1e-05");
  assert.equal(pyFloat(1.5e-7), "1.5e-07");
  assert.equal(pyFloat(123456.5), "123456.5");
  assert.equal(pyFloat(1e16), "1e+16");
  assert.equal(pyFloat(-0.00012), "-0.00012");
  assert.equal(pyFloat(NaN), "NaN");
});

Deno.test("computeMetrics(): the shared normal stream (worker or not) gives the same metrics as drawing per k", async () => {
  const configs = approxConfigs([1, 2, 8, 32]);
  for (const n of [4, 16]) {
    const a = await computeMetrics("normal", n, configs, 12, { worker: true });
    const b = await computeMetrics("normal", n, configs, 12, { shareStream: false });
    const c0 = await computeMetrics("normal", n, configs, 12, { worker: false });
    for (const c of configs) {
      c0.get(c)!.forEach((col, j) =>
        assert.deepEqual(Array.from(col), Array.from(a.get(c)![j]), c.label)
      );
    }
    for (const c of configs) {
      a.get(c)!.forEach((col, j) => {
        const other = b.get(c)![j];
        col.forEach((x, i) =>
          assert.ok(
            Math.abs(x - other[i]) <= 1e-5 * (1 + Math.abs(x)),
            `${c.label} n=${n} col ${j} sample ${i}: ${x} vs ${other[i]}`,
          )
        );
      });
    }
  }
});

Deno.test("approx with --tangents rademacher (drawn per k; singular tangent sets projected onto their span)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "approx_test_" });
  const params = approxStage.flags.apply({
    tangents: "rademacher",
    n: ["8"],
    k: ["2,8"],
    "num-samples": "20",
  }, small());
  assert.equal(params.mode, "normal");
  await approxStage.run(ctx(params, dir));
  const raw = readCsv(join(dir, "approx_quality", "raw_data.csv")).slice(1);
  assert.equal(raw.length, 11 * 20);
  assert.ok(raw.every((r) => r[10] === "rademacher"));
  // ±1 matrices of order 8 are often singular: frog then projects onto their
  // span (cos < 1) instead of aborting; the projection identities hold exactly.
  const frog = raw.filter((x) => x[13] === "frog_k=8");
  assert.ok(
    frog.some((r) => Math.abs(Number(r[6]) - 1) < 1e-5),
    "some full-rank samples give cos = 1",
  );
  for (const r of frog) {
    const [tg, fn, , ratio, dot, cos] = r.slice(1, 7).map(Number);
    assert.ok(Math.abs(ratio - cos) < 1e-5, `ratio ${ratio} vs cos ${cos}`);
    assert.ok(Math.abs(dot - fn * fn) < 1e-4 * tg * tg, `dot ${dot} vs ‖fg‖² ${fn * fn}`);
  }
  // Rademacher tangents have ‖v‖² = n, so normalised mean = mean / n.
  const mean = raw.filter((x) => x[13] === "fg_mean_k=2" && x[12] === "False").map((x) =>
    Number(x[2])
  );
  const norm = raw.filter((x) => x[13] === "fg_mean_k=2" && x[12] === "True").map((x) =>
    Number(x[2])
  );
  mean.forEach((m, i) =>
    assert.ok(Math.abs(norm[i] - m / 8) <= 1e-5 * (1 + m), `${norm[i]} vs ${m / 8}`)
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("computeMetrics(): metrics from Gram blocks and frog weights equal those of explicitly formed gradients", async () => {
  // n = 64 with k ≤ 32: every k uses Gram metrics (frog weights, mean and sum
  // from wᵀGw); n = 16 adds square frog systems (k ≥ n, LU) and k > n means.
  const configs = approxConfigs([1, 2, 8, 32]);
  for (const n of [16, 64]) {
    const fast = await computeMetrics("normal", n, configs, 15, { worker: false });
    const slow = await computeMetrics("normal", n, configs, 15, {
      worker: false,
      gramMetrics: false,
    });
    let differ = 0;
    for (const c of configs) {
      fast.get(c)!.forEach((col, j) => {
        const other = slow.get(c)![j];
        col.forEach((x, i) => {
          if (x !== other[i]) differ++;
          // float32 round-off of the Gram entries and of the explicit gradient;
          // difference norms of frog at k ≥ n (both ≈ 0) compare absolutely.
          assert.ok(
            Math.abs(x - other[i]) <= 2e-6 * Math.max(Math.abs(other[i]), 1e-2 * Math.sqrt(n)),
            `${c.label} normalize=${c.normalize} n=${n} col ${j} sample ${i}: ${x} vs ${other[i]}`,
          );
        });
      });
    }
    if (n === 64) assert.ok(differ > 0, "the two routes are really different computations");
  }
});

Deno.test("computeMetrics(): square frog systems solved with the helper worker give the same numbers as one thread", async () => {
  const configs = approxConfigs([1, 4, 32, 64]);
  for (const S of [9, 1]) {
    const one = await computeMetrics("normal", 32, configs, S, { squareWorker: false });
    const two = await computeMetrics("normal", 32, configs, S, {
      squareWorker: true,
      squareWorkerMinN: 1,
    });
    for (const c of configs) {
      two.get(c)!.forEach((col, j) =>
        assert.deepEqual(Array.from(col), Array.from(one.get(c)![j]), `${c.label} S=${S}`)
      );
    }
    // Frog at k ≥ n reproduces g (cosine 1) in every sample.
    for (const c of configs.filter((c) => c.agg === "orthogonal_projection" && c.k >= 32)) {
      two.get(c)![5].forEach((cos) => assert.ok(Math.abs(cos - 1) < 1e-6, `${c.label} ${cos}`));
    }
  }
});
