// The library used as someone else's project would: from a temporary folder
// outside the checkout, (a) a fresh Deno project imports mod.ts by path, and
// (b) a Node project installs the npm package built by `deno task build-npm
// --pack`. Both compute frog on the cpu backend; the result must be the
// orthogonal projection of ∇f = 2x onto the tangents' span.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildNpm, NPM_PACKAGE } from "../../tasks/build_npm.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const X = [1, -2, 3, 0.5, -1, 2, 0, 4];

/** The consumer script; `LIB` is replaced by the import of the library. */
const SCRIPT = `
import * as tf from "TFJS";
import { directionalDerivatives, forwardGradient, initBackend, Rng, sampleTangents } from "LIB";
const info = await initBackend("cpu");
const n = 8, k = 3;
const x = tf.tensor1d(${JSON.stringify(X)});
const v = sampleTangents(new Rng(0, "consumer"), "normal", k, n);
const d = directionalDerivatives((x) => tf.sum(tf.square(x)), [x], [tf.tensor2d(v, [k, n])]);
const frog = forwardGradient(tf.tensor2d(v, [k, n]), d, "orthogonal_projection");
console.log(JSON.stringify({ backend: tf.getBackend(), name: info.name, v: Array.from(v), frog: Array.from(frog.dataSync()) }));
`;

/** Projection of 2x onto span of the k rows of v (float64, normal equations). */
function expectedFrog(v: number[], k: number, n: number): number[] {
  const g = X.map((xi) => 2 * xi);
  const row = (i: number) => v.slice(i * n, (i + 1) * n);
  const dot = (a: number[], b: number[]) => a.reduce((s, ai, j) => s + ai * b[j], 0);
  const G = Array.from(
    { length: k },
    (_, i) => Array.from({ length: k }, (_, j) => dot(row(i), row(j))),
  );
  const b = Array.from({ length: k }, (_, i) => dot(row(i), g));
  for (let c = 0; c < k; c++) { // Gaussian elimination (G is SPD)
    for (let r = c + 1; r < k; r++) {
      const f = G[r][c] / G[c][c];
      for (let j = c; j < k; j++) G[r][j] -= f * G[c][j];
      b[r] -= f * b[c];
    }
  }
  const a = new Array(k).fill(0);
  for (let r = k - 1; r >= 0; r--) {
    a[r] = (b[r] - G[r].slice(r + 1).reduce((s, gj, j) => s + gj * a[r + 1 + j], 0)) / G[r][r];
  }
  return Array.from({ length: n }, (_, j) => a.reduce((s, ai, i) => s + ai * v[i * n + j], 0));
}

function check(stdout: string): void {
  const r = JSON.parse(stdout.trim().split("\n").pop()!);
  assert.equal(r.backend, "cpu");
  assert.equal(r.name, "cpu");
  const want = expectedFrog(r.v, 3, 8);
  for (let j = 0; j < 8; j++) {
    assert.ok(Math.abs(r.frog[j] - want[j]) < 1e-4, `${r.frog} vs ${want}`);
  }
  // Not the gradient itself: with k = 3 < n the projection loses part of 2x.
  assert.ok(r.frog.some((f: number, j: number) => Math.abs(f - 2 * X[j]) > 0.1));
}

async function exec(cmd: string, args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, text + new TextDecoder().decode(out.stderr));
  return text;
}

Deno.test("a fresh Deno project outside the checkout imports mod.ts by path and gets frog on cpu", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fg_deno_consumer_" });
  try {
    await Deno.writeTextFile(join(dir, "deno.json"), "{}\n");
    const script = SCRIPT.replace("TFJS", "npm:@tensorflow/tfjs@4.22.0")
      .replace("LIB", join(ROOT, "mod.ts")).replace("(x) =>", "(x: tf.Tensor) =>");
    await Deno.writeTextFile(join(dir, "main.ts"), script);
    check(await exec(Deno.execPath(), ["run", "-A", "main.ts"], dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("npm package (deno task build-npm --pack) installs into a Node project and gets frog on cpu", async () => {
  const { tarball } = await buildNpm(true);
  const dir = await Deno.makeTempDir({ prefix: "fg_node_consumer_" });
  try {
    await Deno.writeTextFile(join(dir, "package.json"), '{ "private": true, "type": "module" }\n');
    await exec("npm", ["install", "--no-audit", "--no-fund", tarball!], dir);
    await Deno.writeTextFile(
      join(dir, "main.mjs"),
      SCRIPT.replace("TFJS", "@tensorflow/tfjs").replace("LIB", NPM_PACKAGE.name),
    );
    check(await exec("node", ["main.mjs"], dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
