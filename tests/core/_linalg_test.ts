import assert from "node:assert/strict";
import { GramSolver, lstsq, matrixRank, solveGram } from "../../src/core/_linalg.ts";
import { close } from "./_helpers.ts";

Deno.test("solveGram() solves an SPD system by Cholesky", () => {
  const G = Float64Array.of(4, 2, 2, 3);
  const { x, info } = solveGram(G, Float64Array.of(2, 1), 2, 1);
  assert.equal(info.method, "cholesky");
  close(4 * x[0] + 2 * x[1], 2, 1e-14);
  close(2 * x[0] + 3 * x[1], 1, 1e-14);
  assert.ok(info.condition >= 1);
});

Deno.test("GramSolver falls back to least squares beyond the condition limit and rejects singular matrices", () => {
  const e = 1e-4;
  const G = Float64Array.of(1, 1, 1, 1 + e * e);
  const s = new GramSolver(G, 2);
  assert.equal(s.info.method, "lstsq");
  assert.ok(s.info.condition > 1e6);
  assert.throws(() => new GramSolver(Float64Array.of(1, 1, 1, 1), 2), /linearly independent/);
  assert.throws(() => new GramSolver(new Float64Array(4), 2), /linearly independent/);
});

Deno.test("lstsq() solves an overdetermined system", () => {
  // Fit y = a + b t to exact data.
  const A = Float64Array.of(1, 0, 1, 1, 1, 2, 1, 3);
  const b = Float64Array.of(1, 3, 5, 7);
  const { x } = lstsq(A, b, 4, 2, 1);
  close(x[0], 1, 1e-12);
  close(x[1], 2, 1e-12);
});

Deno.test("matrixRank() finds the rank of k×n matrices", () => {
  assert.equal(matrixRank(Float64Array.of(1, 2, 3, 2, 4, 6), 2, 3), 1);
  assert.equal(matrixRank(Float64Array.of(1, 2, 3, 2, 4, 7), 2, 3), 2);
  assert.equal(matrixRank(Float64Array.of(1, 0, 0, 1, 1, 1), 3, 2), 2);
  assert.equal(matrixRank(new Float64Array(6), 2, 3), 0);
});

Deno.test("conjugateGradient() and solveGramFast() match Cholesky on a well-conditioned Gram", async () => {
  const { conjugateGradient, solveGramFast } = await import("../../src/core/_linalg.ts");
  const { Rng } = await import("../../src/core/rng.ts");
  const k = 128, n = 2048;
  const v = new Rng(1, "cg").zigguratNormal(new Float64Array(k * n));
  const G = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let a = 0;
      for (let t = 0; t < n; t++) a += v[i * n + t] * v[j * n + t];
      G[i * k + j] = a;
    }
  }
  const d = new Rng(2, "cg").zigguratNormal(new Float64Array(k));
  const ref = new GramSolver(G, k).solve(d);
  const cg = conjugateGradient(G, d, k);
  assert.ok(cg.converged && cg.iterations < 60, `iterations ${cg.iterations}`);
  const fast = solveGramFast(G, d, k);
  assert.equal(fast.info.method, "cg");
  for (let i = 0; i < k; i++) {
    close(cg.x[i], ref[i], 1e-8 * (1e-3 + Math.abs(ref[i])));
    close(fast.x[i], ref[i], 1e-8 * (1e-3 + Math.abs(ref[i])));
  }
  // An ill-conditioned Gram (eigenvalues 1e-9 and 1) is left to Cholesky / least squares.
  const diag = new Float64Array(k * k).map((
    _,
    i,
  ) => (i % (k + 1) === 0 ? (i === 0 ? 1e-9 : 1) : 0));
  assert.notEqual(solveGramFast(diag, d, k).info.method, "cg");
});
