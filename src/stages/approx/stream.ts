/**
 * The tangent stream of one n for the shared-stream path, drawn in batches
 * of rows together with each row's directional derivative against the
 * all-ones gradient and its squared norm. A worker draws batch b+1 while the
 * caller processes batch b (the draws are the same numbers either way: one
 * seeded generator consumed in order); without workers it falls back to
 * drawing in the calling thread.
 *
 * @module
 */
import { Rng, type StreamKey } from "../../core/rng.ts";

/** One batch of stream rows. */
export interface StreamBatch {
  /** Rows × n tangent entries. */
  v: Float32Array;
  /** Row sums (directional derivatives against g = ones), float64. */
  d: Float64Array;
  /** Squared row norms, or undefined when not requested. */
  normSq?: Float64Array;
}

/** What to draw. */
export interface StreamJob {
  seed: number;
  path: StreamKey[];
  n: number;
  /** Rows per batch (the last batch may be shorter). */
  rowsPerBatch: number;
  /** Total rows. */
  totalRows: number;
  /** Also compute squared row norms. */
  norms: boolean;
}

/** Draws the next batch from `rng` (shared by the worker and the fallback). */
export function drawBatch(rng: Rng, job: StreamJob, done: number): StreamBatch {
  const rows = Math.min(job.rowsPerBatch, job.totalRows - done);
  const n = job.n;
  const v = rng.zigguratNormal(new Float32Array(rows * n));
  const d = new Float64Array(rows);
  const normSq = job.norms ? new Float64Array(rows) : undefined;
  for (let r = 0; r < rows; r++) {
    let s = 0, ss = 0;
    const o = r * n;
    for (let t = 0; t < n; t++) {
      const x = v[o + t];
      s += x;
      ss += x * x;
    }
    d[r] = Math.fround(s); // the JVP d = V g in float32, as in the reference
    if (normSq) normSq[r] = ss;
  }
  return { v, d, normSq };
}

/** Yields the batches of a {@link StreamJob} in order, drawing ahead in a worker when possible. */
export class TangentStream {
  #job: StreamJob;
  #worker: Worker | undefined;
  #rng: Rng | undefined;
  #done = 0;
  #queue: StreamBatch[] = [];
  #waiting: ((b: StreamBatch) => void) | undefined;
  #error: unknown;

  /**
   * @param job what to draw
   * @param useWorker draw ahead in a worker (default true; falls back silently)
   */
  constructor(job: StreamJob, useWorker = true) {
    this.#job = job;
    if (useWorker && typeof Worker !== "undefined") {
      try {
        const w = new Worker(new URL("./stream_worker.ts", import.meta.url).href, {
          type: "module",
        });
        w.onmessage = (e: MessageEvent<StreamBatch>) => {
          if (this.#waiting) {
            const f = this.#waiting;
            this.#waiting = undefined;
            f(e.data);
          } else this.#queue.push(e.data);
        };
        w.onerror = (e) => {
          e.preventDefault();
          this.#error = e.message;
          this.#waiting?.({ v: new Float32Array(0), d: new Float64Array(0) });
        };
        w.postMessage({ type: "start", job, credit: 2 });
        this.#worker = w;
      } catch {
        this.#worker = undefined;
      }
    }
    if (!this.#worker) this.#rng = new Rng(job.seed, ...job.path);
  }

  /** The next batch (rejects after the last one). */
  async next(): Promise<StreamBatch> {
    const job = this.#job;
    if (this.#done >= job.totalRows) {
      throw new RangeError("Cannot draw past the end of the tangent stream");
    }
    let b: StreamBatch;
    if (this.#worker) {
      b = this.#queue.shift() ?? await new Promise<StreamBatch>((res) => (this.#waiting = res));
      if (this.#error !== undefined) {
        throw new Error(`Tangent stream worker failed: ${this.#error}`);
      }
      this.#worker.postMessage({ type: "more" });
    } else {
      b = drawBatch(this.#rng!, job, this.#done);
    }
    this.#done += b.d.length;
    return b;
  }

  /** Stops the worker. */
  close(): void {
    this.#worker?.terminate();
    this.#worker = undefined;
  }
}
