/**
 * Standard-normal fills for tangents: the core Rng's ziggurat sampler (about
 * 3× faster than the polar method), which matters for weight perturbation
 * (k·P ≈ 30M normals per step for W = 1024, k = 16).
 *
 * @module
 */
import type { Rng } from "../../core/rng.ts";

/**
 * Fills `out` with standard normals from `rng` and returns it.
 *
 * @example
 * ```ts
 * import { Rng } from "../../core/rng.ts";
 * import { fillNormal } from "./normal.ts";
 * const v = fillNormal(new Rng(1, "tangents"), new Float32Array(8));
 * console.assert(v.length === 8);
 * ```
 */
export function fillNormal(rng: Rng, out: Float32Array): Float32Array {
  return rng.zigguratNormal(out);
}
