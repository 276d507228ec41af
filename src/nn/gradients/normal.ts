/**
 * Standard-normal fills for tangents.
 *
 * @module
 */
import type { Rng } from "../../core/rng.ts";

/** Fills `out` with standard normals from `rng` and returns it. */
export function fillNormal(rng: Rng, out: Float32Array): Float32Array {
  return rng.normal(out);
}
