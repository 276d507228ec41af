/**
 * Square frog systems (k ≥ n: f = V⁻¹d by float64 LU) for many samples,
 * shared between the calling thread and one worker thread: the worker
 * solves every other system while the caller solves the rest, so the two
 * cores of a small machine both work on the n³/3 LU cost (the largest cost
 * of the grid at n = 512 and 1024). The solutions are the same numbers
 * either way (one deterministic routine); without workers everything runs
 * in the calling thread. It pays whenever a second core is free; when other
 * jobs keep every core busy the extra thread only competes (see
 * `ComputeOptions.squareWorker`).
 *
 * @module
 */
import { type GramSolveInfo, squareProjection } from "../../core/mod.ts";

interface Reply {
  id: number;
  f: Float64Array;
  ok: Uint8Array;
}

/** Solves batches of square frog systems, optionally with a helper worker. */
export class SquareSolver {
  #worker: Worker | undefined;
  #next = 0;
  #waiting = new Map<number, (r: Reply) => void>();
  #error: unknown;

  /** @param useWorker start a helper worker (falls back silently to one thread) */
  constructor(useWorker: boolean) {
    if (!useWorker || typeof Worker === "undefined") return;
    try {
      const w = new Worker(new URL("./square_worker.ts", import.meta.url).href, {
        type: "module",
      });
      w.onmessage = (e: MessageEvent<Reply>) => {
        const done = this.#waiting.get(e.data.id);
        this.#waiting.delete(e.data.id);
        done?.(e.data);
      };
      w.onerror = (e) => {
        e.preventDefault();
        this.#error = e.message;
        for (const done of this.#waiting.values()) {
          done({ id: -1, f: new Float64Array(0), ok: new Uint8Array(0) });
        }
        this.#waiting.clear();
      };
      this.#worker = w;
    } catch {
      this.#worker = undefined;
    }
  }

  /**
   * Frog gradients of `count` square systems: system s is the n×n block of
   * `v` starting at row `rows[s]`, with right-hand side d[rows[s] … + n).
   *
   * @param onFallback called with the solve info of systems singular to
   *   working precision (projected onto the span of their tangents)
   * @returns float64 gradients [count·n]
   */
  async solve(
    v: Float32Array,
    d: Float64Array,
    rows: readonly number[],
    n: number,
    onFallback?: (info: GramSolveInfo) => void,
  ): Promise<Float64Array> {
    const count = rows.length;
    const out = new Float64Array(count * n);
    const local = (s: number) => {
      const r = rows[s];
      const { f, info } = squareProjection(v, r * n, n, d.subarray(r, r + n), true);
      if (info) onFallback?.(info);
      out.set(f, s * n);
    };
    const w = this.#worker;
    if (!w || count < 2) {
      for (let s = 0; s < count; s++) local(s);
      return out;
    }
    // The worker takes the odd systems.
    const theirs = rows.filter((_, s) => s % 2 === 1);
    const vs = new Float32Array(theirs.length * n * n);
    const ds = new Float64Array(theirs.length * n);
    theirs.forEach((r, i) => {
      vs.set(v.subarray(r * n, (r + n) * n), i * n * n);
      ds.set(d.subarray(r, r + n), i * n);
    });
    const id = this.#next++;
    const reply = new Promise<Reply>((res) => this.#waiting.set(id, res));
    w.postMessage({ id, n, v: vs, d: ds }, [vs.buffer, ds.buffer]);
    for (let s = 0; s < count; s += 2) local(s);
    const { f, ok } = await reply;
    if (this.#error !== undefined) throw new Error(`Square-system worker failed: ${this.#error}`);
    theirs.forEach((_, i) => {
      const s = 2 * i + 1;
      if (ok[i]) out.set(f.subarray(i * n, (i + 1) * n), s * n);
      else local(s); // singular: the fallback runs here, with its report
    });
    return out;
  }

  /** Stops the worker. */
  close(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
  }
}
