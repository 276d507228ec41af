/**
 * Draw-ahead of weight tangents: a worker thread draws the k·P normals of
 * the next step while the current step computes, so the draw (about 90 ms for
 * 30M normals, the largest single cost of a W = 1024 weight-perturbation
 * step) overlaps with tensor work. The numbers are exactly those of drawing in
 * the calling thread: the worker runs its own generator with the same seed and
 * path and hands the steps over in order. Two shared buffers alternate; a
 * step's buffer is handed back only after its compute, when no tensor that
 * might still read it is alive.
 *
 * The handoff is synchronous (`Atomics.wait`), so `GradientMode.compute`
 * stays synchronous. The worker is unref'd: it never keeps the process alive.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import type { StreamKey } from "../../core/rng.ts";

/** How long the first step waits for the worker to start before drawing in-thread. */
const START_TIMEOUT_MS = 20_000;

/**
 * Prefetches fixed-size blocks of standard normals from the stream
 * `new Rng(seed, ...path)` (zigguratNormal, consecutive blocks).
 */
export class WeightTangentPrefetcher {
  #worker: Worker;
  #ctl: Int32Array;
  #views: Float32Array[];
  #grams: Float64Array[] | undefined;
  #step = 0;
  #held = -1;
  /** Values per block. */
  readonly size: number;

  /**
   * Starts the worker.
   *
   * @param seed the generator's seed
   * @param path the generator's stream path
   * @param size values per block (k·P)
   * @param gram also form each block's Gram matrix Σ_p V_p V_pᵀ, for k
   *   tangents in parameter-major blocks of these sizes |p|
   */
  constructor(
    seed: number,
    path: StreamKey[],
    size: number,
    gram?: { k: number; sizes: number[] },
  ) {
    this.size = size;
    const control = new SharedArrayBuffer(16);
    const slots = [0, 1].map(() => new SharedArrayBuffer(4 * size));
    this.#ctl = new Int32Array(control);
    this.#views = slots.map((s) => new Float32Array(s));
    const gramSlots = gram && [0, 1].map(() => new SharedArrayBuffer(8 * gram.k * gram.k));
    this.#grams = gramSlots?.map((s) => new Float64Array(s));
    this.#worker = new Worker(new URL("./tangent_prefetch_worker.ts", import.meta.url));
    this.#worker.unref();
    this.#worker.postMessage({
      seed,
      path,
      control,
      slots,
      gram: gram && { ...gram, slots: gramSlots },
    });
    stopWhenCollected.register(this, { ctl: this.#ctl, worker: this.#worker });
  }

  /** Blocks until the worker has started; false if it failed or did not start in time. */
  waitReady(timeoutMs = START_TIMEOUT_MS): boolean {
    const end = performance.now() + timeoutMs;
    while (Atomics.load(this.#ctl, 3) !== 1) {
      if (Atomics.load(this.#ctl, 2) === -1) return false;
      const left = end - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.#ctl, 3, 0, Math.min(left, 100));
    }
    return true;
  }

  /**
   * The next block (blocks until the worker has drawn it). Valid until
   * {@link release}; call release before the next `next`.
   */
  next(): { values: Float32Array; gram?: Float64Array } {
    if (this.#held >= 0) throw new Error("Cannot take the next tangent block before release()");
    const slot = this.#step & 1;
    while (Atomics.load(this.#ctl, slot) !== 1) {
      if (Atomics.load(this.#ctl, 2) === -1) {
        throw new Error("Tangent prefetch worker failed");
      }
      Atomics.wait(this.#ctl, slot, 0, 100);
    }
    this.#held = slot;
    return { values: this.#views[slot], gram: this.#grams?.[slot] };
  }

  /** Hands the block from {@link next} back to the worker for refilling. */
  release(): void {
    if (this.#held < 0) return;
    Atomics.store(this.#ctl, this.#held, 0);
    Atomics.notify(this.#ctl, this.#held);
    this.#held = -1;
    this.#step++;
  }

  /** Stops the worker (the blocks drawn ahead are dropped). */
  close(): void {
    stopWorker({ ctl: this.#ctl, worker: this.#worker });
    stopWhenCollected.unregister(this);
  }
}

function stopWorker(h: { ctl: Int32Array; worker: Worker }): void {
  Atomics.store(h.ctl, 2, 1);
  Atomics.notify(h.ctl, 0);
  Atomics.notify(h.ctl, 1);
  void h.worker.terminate();
}

/** A prefetcher that is dropped without close() still stops its worker (and frees the buffers). */
const stopWhenCollected = new FinalizationRegistry(stopWorker);
