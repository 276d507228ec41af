/**
 * Which test functions have typed-array kernels.
 *
 * @module
 */
import { rosenbrockKernels } from "./rosenbrock.ts";
import { sphereKernels } from "./sphere.ts";
import { styblinskiTangKernels } from "./styblinski_tang.ts";
import type { ClosedFormKernels } from "./types.ts";

const KERNELS: ReadonlyMap<string, ClosedFormKernels> = new Map([
  ["sphere", sphereKernels],
  ["rosenbrock", rosenbrockKernels],
  ["styblinski-tang", styblinskiTangKernels],
]);

/**
 * The typed-array kernels of a registered function, or undefined when it has
 * none (the 2-D functions use transcendental kernels whose float32 results
 * are the backend's own, so they stay on the tfjs path).
 *
 * @example
 * ```ts
 * import { kernelsFor } from "./registry.ts";
 * kernelsFor("sphere") !== undefined; // true
 * kernelsFor("ackley"); // undefined
 * ```
 */
export function kernelsFor(name: string): ClosedFormKernels | undefined {
  return KERNELS.get(name);
}
