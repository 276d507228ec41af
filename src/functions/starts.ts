/**
 * Starting positions of the descent runs (spec §3.1).
 *
 * @module
 */
import { START_KEYS, type StartKey } from "./types.ts";

/**
 * The float32 start vector for a start key and dimension n:
 * `0` zeros, `-0.5` all −0.5, `-+0.5` −0.5 at even and +0.5 at odd indices,
 * `-10` the vector (−1, 0, …, 0), `-1` all −1.
 *
 * @param key one of {@link START_KEYS}
 * @param n the dimension (a positive integer)
 * @returns a fresh Float32Array of length n
 *
 * @example Rosenbrock's start
 * ```ts
 * import { startPosition } from "./starts.ts";
 * startPosition("-10", 4); // Float32Array [-1, 0, 0, 0]
 * ```
 */
export function startPosition(key: StartKey, n: number): Float32Array {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new RangeError(`Cannot build a start position: n must be a positive integer, got ${n}`);
  }
  const x = new Float32Array(n);
  switch (key) {
    case "0":
      break;
    case "-0.5":
      x.fill(-0.5);
      break;
    case "-+0.5":
      for (let i = 0; i < n; i++) x[i] = i % 2 === 0 ? -0.5 : 0.5;
      break;
    case "-10":
      x[0] = -1;
      break;
    case "-1":
      x.fill(-1);
      break;
    default:
      throw new RangeError(
        `Cannot build a start position: unknown key "${key}", expected one of ${
          START_KEYS.join(", ")
        }`,
      );
  }
  return x;
}
