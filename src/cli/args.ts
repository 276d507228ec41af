/**
 * Shared command-line conventions: flag parsing (node:util parseArgs), usage
 * errors that print one line naming the flag and its allowed values and exit
 * with code 2, and validators for the common flag types.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./usage_error.ts";

export { UsageError };

/** Parses a positive integer flag value, or throws a UsageError naming the flag. */
export function positiveInt(flag: string, raw: string): number {
  const v = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(v) || v <= 0) {
    throw new UsageError(`--${flag} must be a positive integer, got "${raw}"`);
  }
  return v;
}

/** Parses a non-negative integer flag value, or throws a UsageError naming the flag. */
export function nonNegativeInt(flag: string, raw: string): number {
  const v = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(v)) {
    throw new UsageError(`--${flag} must be a non-negative integer, got "${raw}"`);
  }
  return v;
}

/** Parses a finite number flag value within [min, max], or throws a UsageError. */
export function numberIn(flag: string, raw: string, min = -Infinity, max = Infinity): number {
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v) || v < min || v > max) {
    const range = Number.isFinite(min) || Number.isFinite(max) ? ` in [${min}, ${max}]` : "";
    throw new UsageError(`--${flag} must be a number${range}, got "${raw}"`);
  }
  return v;
}

/** Checks that `raw` is one of `choices`, or throws a UsageError listing them. */
export function oneOf<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${flag} must be one of ${choices.join(", ")}, got "${raw}"`);
  }
  return raw as T;
}

/** Splits a comma- or space-separated list flag ("1,2,4" or "1 2 4"). */
export function listOf<T>(raw: string | string[], parse: (item: string) => T): T[] {
  const items = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => s.split(/[,\s]+/))
    .filter((s) => s !== "");
  return items.map(parse);
}

/**
 * parseArgs in strict mode, turning its errors (unknown flag, missing value)
 * into UsageErrors.
 */
export function parseFlags<T extends ParseArgsConfig["options"]>(
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]);
  }
}

/**
 * Runs a command-line entry point. A UsageError, also one wrapped as the
 * `cause` of another error (a stage that rejected its input), prints
 * `error: <message>` on one line and exits 2; any other error prints its
 * message on one line and exits 1. Set `FG_DEBUG=1` to print stack traces.
 */
export async function runMain(main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (e) {
    const debug = Deno.env.get("FG_DEBUG") === "1";
    if (debug) console.error((e as Error)?.stack ?? e);
    const usage = e instanceof UsageError || (e as Error)?.cause instanceof UsageError;
    const message = (e as Error)?.message ?? String(e);
    console.error(`error: ${message.split("\n")[0]}`);
    Deno.exit(usage ? 2 : 1);
  }
}
