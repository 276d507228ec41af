/**
 * Up-front memory checks for size flags: a stage estimates the bytes a
 * parameter set needs from its own memory model, and a value that cannot fit
 * on this machine is rejected before anything runs, naming the flag and the
 * largest value that fits.
 *
 * @module
 */
import os from "node:os";
import { UsageError } from "./usage_error.ts";

/** V8's longest string (2^29 − 24 characters): CSV text built in one string must stay below it. */
export const MAX_STRING_CHARS = 2 ** 29 - 24;

/** Bytes a run may use: three quarters of this machine's memory. */
export function memoryBudget(): number {
  return Math.floor(os.totalmem() * 0.75);
}

/** The largest integer v in [1, hi] with `fits(v)`, for a `fits` that holds up to a point; 0 when none. */
export function largestFitting(fits: (v: number) => boolean, hi: number): number {
  if (!fits(1)) return 0;
  let lo = 1;
  let top = Math.max(1, Math.floor(hi));
  if (fits(top)) return top;
  while (top - lo > 1) {
    const mid = Math.floor((lo + top) / 2);
    if (fits(mid)) lo = mid;
    else top = mid;
  }
  return lo;
}

/**
 * Throws a UsageError when `value` of `--flag` does not fit: `fits(v)` says
 * whether the run fits with the flag at v (the other parameters as given).
 *
 * @param what What the limit is, for the message (e.g. "this machine's memory (18 GiB usable)").
 */
export function requireFits(
  flag: string,
  value: number,
  fits: (v: number) => boolean,
  what: string,
): void {
  if (fits(value)) return;
  const largest = largestFitting(fits, value);
  throw new UsageError(
    largest > 0
      ? `--${flag} ${value} does not fit in ${what}; the largest value that fits is ${largest}`
      : `--${flag} ${value} does not fit in ${what}, nor does any value with the other flags as given`,
  );
}

/** "18.0 GiB" for a byte count. */
export function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
