/**
 * Progress bars for stages. On a terminal: a cli-progress bar with ETA on
 * stderr. Otherwise (CI logs, pipes): one plain line at most every few
 * seconds, plus a final line, so logs stay short.
 *
 * @module
 */
import cliProgress from "npm:cli-progress@3.12.0";
import process from "node:process";
import type { Progress } from "./stage.ts";

/** How progress is shown: a live bar, throttled plain lines, or nothing. */
export type ProgressMode = "bar" | "lines" | "off";

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Defaults to "bar" when stderr is a terminal, else "lines". */
  mode?: ProgressMode;
  /** Minimum milliseconds between two plain lines (default 5000). */
  intervalMs?: number;
  /** Sink for plain lines (default: console.error). */
  write?: (line: string) => void;
  /** Clock in milliseconds (default: performance.now). */
  now?: () => number;
}

/** Formats seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) {
    return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  }
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/** The mode used when none is given: a bar on a terminal, plain lines otherwise. */
export function defaultProgressMode(): ProgressMode {
  return Deno.stderr.isTerminal() ? "bar" : "lines";
}

/**
 * Starts a progress display for `total` units.
 *
 * @param title Prefix naming the stage and the work, e.g. `[approx] n = 1000`.
 * @param total Number of units (ticks) expected.
 *
 * @example Throttled lines into an array
 * ```ts
 * import { createProgress } from "./progress.ts";
 * const lines: string[] = [];
 * const p = createProgress("[demo] units", 3, { mode: "lines", write: (l) => lines.push(l) });
 * p.tick(); p.tick(); p.tick();
 * p.stop(); // lines: the start line and the final "3/3" line
 * ```
 */
export function createProgress(title: string, total: number, opts: ProgressOptions = {}): Progress {
  const mode = opts.mode ?? defaultProgressMode();
  if (mode === "off") return { tick() {}, stop() {} };
  if (mode === "bar") return barProgress(title, total);
  return lineProgress(title, total, opts);
}

let liveBars = 0;

/**
 * Clears the current terminal line when a live bar is drawn on it, so that a
 * log line written next does not mix with the bar (the bar redraws itself on
 * its next update).
 */
export function clearBarLine(): void {
  if (liveBars > 0) Deno.stderr.writeSync(new TextEncoder().encode("\r\x1b[2K"));
}

function barProgress(title: string, total: number): Progress {
  const bar = new cliProgress.SingleBar({
    format:
      `${title} [{bar}] {value}/{total} {percentage}% | ETA {eta_formatted} | {duration_formatted}`,
    stream: process.stderr,
    gracefulExit: false,
    hideCursor: false,
    etaBuffer: 50,
  });
  bar.start(total, 0);
  liveBars++;
  let done = 0;
  let stopped = false;
  return {
    tick(n = 1) {
      if (stopped) return;
      done = Math.min(total, done + n);
      bar.update(done);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      liveBars--;
      bar.stop();
    },
  };
}

function lineProgress(title: string, total: number, opts: ProgressOptions): Progress {
  const now = opts.now ?? (() => performance.now());
  const write = opts.write ?? ((l: string) => console.error(l));
  const interval = opts.intervalMs ?? 5000;
  const t0 = now();
  let done = 0;
  let last = t0;
  let stopped = false;
  let printedDone = -1;
  const line = () => {
    const elapsed = (now() - t0) / 1000;
    const pct = total > 0 ? Math.floor((100 * done) / total) : 100;
    const eta = done > 0 ? formatDuration((elapsed / done) * (total - done)) : "?";
    printedDone = done;
    write(`${title} ${done}/${total} (${pct}%) elapsed ${formatDuration(elapsed)} ETA ${eta}`);
  };
  line();
  return {
    tick(n = 1) {
      if (stopped) return;
      done = Math.min(total, done + n);
      const t = now();
      if (t - last >= interval) {
        last = t;
        line();
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (printedDone !== done) line();
    },
  };
}
