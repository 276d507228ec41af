/**
 * Worker side of {@link TangentStream}: draws batches ahead of the caller,
 * at most `credit` batches beyond what it has taken.
 *
 * @module
 */
import { Rng } from "../../core/rng.ts";
import { drawBatch, type StreamJob } from "./stream.ts";

let job: StreamJob | undefined;
let rng: Rng | undefined;
let credit = 0;
let done = 0;

function pump(): void {
  while (job && rng && credit > 0 && done < job.totalRows) {
    credit--;
    const b = drawBatch(rng, job, done);
    done += b.d.length;
    const transfer: ArrayBuffer[] = [b.v.buffer as ArrayBuffer, b.d.buffer as ArrayBuffer];
    if (b.normSq) transfer.push(b.normSq.buffer as ArrayBuffer);
    // deno-lint-ignore no-explicit-any
    (self as any).postMessage(b, transfer);
  }
}

// deno-lint-ignore no-explicit-any
(self as any).onmessage = (e: MessageEvent<{ type: string; job?: StreamJob; credit?: number }>) => {
  if (e.data.type === "start") {
    job = e.data.job!;
    rng = new Rng(job.seed, ...job.path);
    credit = e.data.credit ?? 2;
  } else if (e.data.type === "more") {
    credit++;
  }
  pump();
};
