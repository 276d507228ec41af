/**
 * The one JSON shape every timing script of `bench/reference/` writes with `--json PATH`, ours and
 * the PyTorch ones alike, so that `interleaved.ts` can put them side by side:
 * `{ meta: { tool, load_start, load_end, started, peak_rss_mb, … }, rows: [{ id, median_s, min_s,
 * max_s, samples }] }`. Row ids name the work, not the implementation (`fc/bp`,
 * `approx/reduced-grid`): the same id on both sides is the same work.
 *
 * @module
 */

/** One measured quantity: seconds per unit of work (a step, a grid), several samples. */
export interface BenchRow {
  /** What was measured, the same id on both sides (e.g. `fc/sim-frog-k16`). */
  id: string;
  median_s: number;
  min_s: number;
  max_s: number;
  /** Every timed sample, seconds. */
  samples: number[];
  /** Extra figures of the row (e.g. `gflops`). */
  [extra: string]: unknown;
}

/** What one script run records besides its rows. */
export interface BenchMeta {
  tool: string;
  /** 1-, 5- and 15-minute load averages at the start and the end of the run. */
  load_start: number[];
  load_end: number[];
  /** ISO time the run started. */
  started: string;
  /** The process's peak resident memory (VmHWM), MB. */
  peak_rss_mb: number;
  [extra: string]: unknown;
}

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A row from its samples (seconds). */
export function rowOf(id: string, samples: readonly number[], extra = {}): BenchRow {
  if (samples.length === 0) throw new Error(`${id}: no samples`);
  return {
    id,
    median_s: median(samples),
    min_s: Math.min(...samples),
    max_s: Math.max(...samples),
    samples: [...samples],
    ...extra,
  };
}

/** The three load averages now. */
export function loadNow(): number[] {
  return Deno.loadavg();
}

/** This process's peak resident memory in MB, from /proc/self/status (NaN where absent). */
export function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Starts a run's record: call at the start, then {@link BenchRecorder.write} at the end. */
export class BenchRecorder {
  readonly #started = new Date().toISOString();
  readonly #loadStart = loadNow();
  readonly rows: BenchRow[] = [];

  constructor(readonly tool: string, readonly extraMeta: Record<string, unknown> = {}) {}

  /** Adds a row from its samples and returns it. */
  add(id: string, samples: readonly number[], extra = {}): BenchRow {
    const row = rowOf(id, samples, extra);
    this.rows.push(row);
    return row;
  }

  /** The record so far, with the end load and the peak memory as of now. */
  record(): { meta: BenchMeta; rows: BenchRow[] } {
    return {
      meta: {
        tool: this.tool,
        ...this.extraMeta,
        load_start: this.#loadStart,
        load_end: loadNow(),
        started: this.#started,
        peak_rss_mb: peakRssMb(),
      },
      rows: this.rows,
    };
  }

  /** Writes the record to `path` when given (atomically: a temp file renamed). */
  async write(path: string | undefined): Promise<void> {
    if (!path) return;
    const tmp = `${path}.part`;
    await Deno.writeTextFile(tmp, JSON.stringify(this.record(), null, 1) + "\n");
    await Deno.rename(tmp, path);
  }
}
