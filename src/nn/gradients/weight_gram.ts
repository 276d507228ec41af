/**
 * The Gram matrix of weight tangents in the parameter-major layout (see
 * `weight_tangents.ts`), in plain JS: no tfjs import, so the prefetch worker
 * can load it cheaply.
 *
 * @module
 */
import { addGramF32 } from "../../core/_linalg.ts";

/**
 * The Gram matrix Σ_p V_p V_pᵀ of a parameter-major buffer (block p = k rows
 * of |p| values), in float64, written into `out`.
 *
 * @param raw k·Σ|p| values
 * @param k the number of tangents
 * @param sizes the block sizes |p|
 * @param out the k×k result (overwritten)
 */
export function gramOfBlocks(
  raw: Float32Array,
  k: number,
  sizes: readonly number[],
  out: Float64Array = new Float64Array(k * k),
): Float64Array {
  out.fill(0);
  let offset = 0;
  for (const n of sizes) {
    addGramF32(raw.subarray(offset, offset + k * n), k, n, out);
    offset += k * n;
  }
  return out;
}
