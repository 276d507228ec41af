/**
 * Per-epoch summed wall-clock timers, reported in first-use order as the
 * original's `time__<name>_s` columns.
 *
 * @module
 */

/**
 * Accumulates seconds per name; names keep their first-use order across resets.
 *
 * @example
 * ```ts
 * import { Timers } from "./timers.ts";
 * const t = new Timers();
 * t.time("forward", () => 1 + 1);
 * console.assert(t.names()[0] === "forward");
 * ```
 */
export class Timers {
  #totals = new Map<string, number>();

  /** Runs `fn` and adds its wall time to `name`. */
  time<T>(name: string, fn: () => T): T {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      this.add(name, (performance.now() - t0) / 1000);
    }
  }

  /** Adds `seconds` to `name`. */
  add(name: string, seconds: number): void {
    this.#totals.set(name, (this.#totals.get(name) ?? 0) + seconds);
  }

  /** Sets every total to 0, keeping the names and their order. */
  reset(): void {
    for (const k of this.#totals.keys()) this.#totals.set(k, 0);
  }

  /** Names in first-use order. */
  names(): string[] {
    return [...this.#totals.keys()];
  }

  /** The total seconds of `name` (0 if never used). */
  get(name: string): number {
    return this.#totals.get(name) ?? 0;
  }
}

/** Seconds since `t0` (a `performance.now()` reading). */
export function since(t0: number): number {
  return (performance.now() - t0) / 1000;
}
