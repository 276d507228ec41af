import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { initBackend } from "../../src/backend.ts";

/** Starts the exact cpu backend once for the core tests. */
export async function cpu(): Promise<void> {
  await initBackend("cpu");
}

/** Mean and standard error of a sample. */
export function meanSe(xs: ArrayLike<number>): { mean: number; se: number } {
  const n = xs.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i];
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (xs[i] - m) ** 2;
  v /= n - 1;
  return { mean: m, se: Math.sqrt(v / n) };
}

/** Asserts |a − b| ≤ tol with a readable message. */
export function close(a: number, b: number, tol: number, what = "value"): void {
  if (!(Math.abs(a - b) <= tol)) {
    throw new Error(`${what}: ${a} differs from ${b} by more than ${tol}`);
  }
}

/** Reads a tensor into a Float64Array and disposes it. */
export function read(t: tf.Tensor): Float64Array {
  const out = Float64Array.from(t.dataSync());
  t.dispose();
  return out;
}
