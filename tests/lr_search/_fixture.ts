/**
 * Reads tests/fixtures/python/lr_search_random.json, written by
 * tests/fixtures/python/make_lr_search_fixture.py with Debian's python3.
 *
 * @module
 */
import type { Libm } from "../../src/lr_search/python_random.ts";

/** One recorded chain event: a proposal of propulate's propagator, or another rank's individual. */
export interface ChainEvent {
  kind: "proposal" | "other";
  lr_log10: string;
  loss: string;
}

/** The fixture's shape. */
export interface LrSearchFixture {
  python: string;
  random: {
    ops: [string, (number | string)[]][];
    float_args: boolean[][];
    cases: {
      seed: string;
      results: (string | string[])[];
      first_words: string[];
      words_checksum_5000: string;
    }[];
  };
  chain: { seed: number; pattern: string; events: ChainEvent[] }[];
  libm: Record<"cos" | "sin" | "log", Record<string, string>>;
}

/** The parsed fixture. */
export const FIXTURE: LrSearchFixture = JSON.parse(
  Deno.readTextFileSync(
    new URL("../fixtures/python/lr_search_random.json", import.meta.url),
  ),
);

/** A double from its IEEE-754 bit pattern (16 hex digits, big-endian). */
export function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt("0x" + hex));
  return view.getFloat64(0);
}

/** The IEEE-754 bit pattern of a double (16 hex digits). */
export function toBits(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, "0");
}

/**
 * Python's C-library cos/sin/log as recorded by the fixture script, so that
 * `gauss` can be checked bit for bit; counts arguments it had to compute itself.
 */
export function recordedLibm(): Libm & { misses: number } {
  const look = (name: "cos" | "sin" | "log", f: (x: number) => number) => (x: number) => {
    const y = FIXTURE.libm[name][toBits(x)];
    if (y === undefined) {
      libm.misses++;
      return f(x);
    }
    return fromBits(y);
  };
  const libm = {
    misses: 0,
    cos: look("cos", Math.cos),
    sin: look("sin", Math.sin),
    log: look("log", Math.log),
  };
  return libm;
}
