/**
 * Worker side of {@link WeightTangentPrefetcher}: fills two shared buffers in
 * turn with the k·P normals of consecutive steps, from its own copy of the
 * mode's tangent generator (same seed and path, so the same numbers in the
 * same order as drawing in the caller's thread), and optionally the Gram
 * matrix of each step's tangents (for backends whose Gram product is slow).
 *
 * Control words (Int32Array over a SharedArrayBuffer): [0], [1] slot state
 * (0 = free, 1 = filled), [2] stop (1) or worker failure (-1), [3] ready.
 *
 * @module
 */
import { parentPort } from "node:worker_threads";
import { Rng, type StreamKey } from "../../core/rng.ts";
import { gramOfBlocks } from "./weight_gram.ts";

/** What the worker is sent once. */
interface Job {
  seed: number;
  path: StreamKey[];
  control: SharedArrayBuffer;
  slots: SharedArrayBuffer[];
  /** With Gram matrices: k, the block sizes |p| and one k×k float64 buffer per slot. */
  gram?: { k: number; sizes: number[]; slots: SharedArrayBuffer[] };
}

parentPort!.once("message", (job: Job) => {
  const ctl = new Int32Array(job.control);
  try {
    const rng = new Rng(job.seed, ...job.path);
    const views = job.slots.map((s) => new Float32Array(s));
    const grams = job.gram?.slots.map((s) => new Float64Array(s));
    Atomics.store(ctl, 3, 1);
    Atomics.notify(ctl, 3);
    for (let step = 0;; step++) {
      const slot = step & 1;
      while (Atomics.load(ctl, slot) !== 0) {
        if (Atomics.load(ctl, 2) !== 0) return;
        Atomics.wait(ctl, slot, 1, 1000);
      }
      if (Atomics.load(ctl, 2) !== 0) return;
      rng.zigguratNormal(views[slot]);
      if (grams) gramOfBlocks(views[slot], job.gram!.k, job.gram!.sizes, grams[slot]);
      Atomics.store(ctl, slot, 1);
      Atomics.notify(ctl, slot);
    }
  } catch (_e) {
    Atomics.store(ctl, 2, -1);
    Atomics.notify(ctl, 0);
    Atomics.notify(ctl, 1);
  }
});
