/**
 * Post-install check of the native backend, run by `deno task setup-native` in
 * a child process (so a crash in the addon cannot take the installer down):
 * loads tfjs-node from a native folder, multiplies two 64×64 matrices on the
 * `tensorflow` backend and on `cpu`, and reports the largest difference.
 *
 * Command line: `deno run -A src/native/verify.ts <dir> <package>`; prints one
 * JSON line `{"ok":true,"backend":"tensorflow","maxAbsDiff":…}` or
 * `{"ok":false,"error":"…"}` (exit code 1).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import "npm:@tensorflow/tfjs-backend-cpu@4.22.0";
import { Rng } from "../core/rng.ts";
import { loadNativePackage, NATIVE_BACKEND } from "./loader.ts";

/** Outcome of {@link verifyNative}. */
export interface VerifyResult {
  /** Backend that ran the product (`tensorflow` when the load worked). */
  backend: string;
  /** Largest |native − cpu| over the 64×64 product. */
  maxAbsDiff: number;
}

/** Largest |a − b| of a float32 64×64 product of seeded normals on `backend`. */
async function product(backend: string): Promise<Float32Array> {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs refused backend "${backend}"`);
  await tf.ready();
  const n = 64;
  const a = new Rng(0, "native-verify", "a").normal(new Float32Array(n * n));
  const b = new Rng(0, "native-verify", "b").normal(new Float32Array(n * n));
  const c = tf.tidy(() => tf.matMul(tf.tensor2d(a, [n, n]), tf.tensor2d(b, [n, n])));
  const out = (await c.data()) as Float32Array;
  c.dispose();
  return out;
}

/**
 * Loads `pkg` from `dir` and checks a matMul against the cpu backend.
 *
 * @param dir The native folder.
 * @param pkg The tfjs-node package name.
 * @throws Error when loading fails or the results disagree beyond 1e-3.
 */
export async function verifyNative(dir: string, pkg: string): Promise<VerifyResult> {
  loadNativePackage(dir, pkg);
  const native = await product(NATIVE_BACKEND);
  const backend = tf.getBackend();
  const ref = await product("cpu");
  let maxAbsDiff = 0;
  for (let i = 0; i < ref.length; i++) {
    maxAbsDiff = Math.max(maxAbsDiff, Math.abs(native[i] - ref[i]));
  }
  // Entries are sums of 64 products of unit normals (|c| ~ 8); float32 rounding gives ~1e-6.
  if (!(maxAbsDiff < 1e-3)) {
    throw new Error(`native matMul disagrees with cpu: max |diff| = ${maxAbsDiff}`);
  }
  return { backend, maxAbsDiff };
}

if (import.meta.main) {
  const [dir, pkg] = Deno.args;
  try {
    if (!dir || !pkg) throw new Error("usage: verify.ts <dir> <package>");
    console.log(JSON.stringify({ ok: true, ...(await verifyNative(dir, pkg)) }));
  } catch (e) {
    const error = String((e as Error)?.message ?? e).split("\n")[0];
    console.log(JSON.stringify({ ok: false, error }));
    Deno.exit(1);
  }
}
