/**
 * Worker side of {@link SquareSolver}: solves square frog systems V f = d by
 * float64 LU ({@link luSolve}) and posts back the solutions (null for a
 * singular V, which the caller then handles with its fallback).
 *
 * @module
 */
import { luSolve } from "../../core/_linalg.ts";

interface Job {
  id: number;
  n: number;
  /** count square matrices n×n back to back. */
  v: Float32Array;
  /** count right-hand sides of length n. */
  d: Float64Array;
}

// deno-lint-ignore no-explicit-any
(self as any).onmessage = (e: MessageEvent<Job>) => {
  const { id, n, v, d } = e.data;
  const count = d.length / n;
  const f = new Float64Array(count * n);
  const ok = new Uint8Array(count);
  for (let s = 0; s < count; s++) {
    const x = luSolve(v.subarray(s * n * n, (s + 1) * n * n), d.subarray(s * n, (s + 1) * n), n);
    if (x) {
      f.set(x, s * n);
      ok[s] = 1;
    }
  }
  // deno-lint-ignore no-explicit-any
  (self as any).postMessage({ id, f, ok }, [f.buffer, ok.buffer]);
};
