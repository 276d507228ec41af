/**
 * Shared command-line conventions: flag parsing (node:util parseArgs), usage
 * errors that print one line naming the flag and its allowed values and exit
 * with code 2, and validators for the common flag types. Every numeric flag
 * goes through one decimal parser ({@link parseDecimal}), every list flag
 * through {@link listOf}.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./usage_error.ts";

export { UsageError };

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/**
 * Reads a plain decimal number ("16", "-0.5", "1e-3"); anything else is NaN:
 * hexadecimal, octal and binary literals ("0x10"), "Infinity", digit
 * separators and empty or blank text, which JavaScript's `Number()` would
 * otherwise accept. Surrounding blanks are ignored.
 *
 * @param integer accept only whole numbers written without a fraction or exponent
 */
export function parseDecimal(raw: string, integer = false): number {
  const s = raw.trim();
  return (integer ? INTEGER : DECIMAL).test(s) ? Number(s) : NaN;
}

/** Parses a positive integer flag value, or throws a UsageError naming the flag. */
export function positiveInt(flag: string, raw: string): number {
  const v = parseDecimal(raw, true);
  if (!Number.isSafeInteger(v) || v <= 0) {
    throw new UsageError(`--${flag} must be a positive integer, got "${raw}"`);
  }
  return v;
}

/** Parses a non-negative integer flag value, or throws a UsageError naming the flag. */
export function nonNegativeInt(flag: string, raw: string): number {
  const v = parseDecimal(raw, true);
  if (!Number.isSafeInteger(v) || v < 0) {
    throw new UsageError(`--${flag} must be a non-negative integer, got "${raw}"`);
  }
  return v;
}

/** Parses a finite number flag value within [min, max], or throws a UsageError. */
export function numberIn(flag: string, raw: string, min = -Infinity, max = Infinity): number {
  const v = parseDecimal(raw);
  if (!Number.isFinite(v) || v < min || v > max) {
    const range = Number.isFinite(min) || Number.isFinite(max) ? ` in [${min}, ${max}]` : "";
    throw new UsageError(`--${flag} must be a number${range}, got "${raw}"`);
  }
  return v;
}

/** Parses a finite number flag value greater than 0, or throws a UsageError. */
export function positiveNumber(flag: string, raw: string): number {
  const v = parseDecimal(raw);
  if (!Number.isFinite(v) || v <= 0) {
    throw new UsageError(`--${flag} must be a number > 0, got "${raw}"`);
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

/**
 * Splits a comma- or space-separated list flag ("1,2,4" or "1 2 4", or the
 * flag given several times) and parses each item. A value listed twice is a
 * UsageError naming the flag (it would repeat rows or runs).
 */
export function listOf<T>(flag: string, raw: string | string[], parse: (item: string) => T): T[] {
  const items = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => s.split(/[,\s]+/))
    .filter((s) => s !== "");
  const out = items.map(parse);
  const seen = new Set<string>();
  for (const [i, v] of out.entries()) {
    const key = JSON.stringify(v);
    if (seen.has(key)) {
      throw new UsageError(`--${flag} must list each value once, got "${items[i]}" twice`);
    }
    seen.add(key);
  }
  return out;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Options of {@link parseFlags}. */
export interface ParseFlagsOptions {
  /** One help line per flag: quoted when a flag is given without its value. */
  help?: Record<string, string>;
  /** Accept positional arguments (default false: they are a UsageError). */
  allowPositionals?: boolean;
}

const NEGATIVE_NUMBER = /^-\.?\d/;

/** `--k -1` → `--k=-1` for string flags, so negative numbers reach the flag's own validator. */
function joinNegativeValues(args: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      out.push(...args.slice(i));
      break;
    }
    let name: string | undefined;
    if (/^--[^=]+$/.test(a)) name = a.slice(2);
    else if (/^-[^-]$/.test(a)) {
      name = Object.keys(options).find((n) => options[n].short === a[1]);
    }
    const next = args[i + 1];
    if (
      name !== undefined && options[name]?.type === "string" && next !== undefined &&
      NEGATIVE_NUMBER.test(next)
    ) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

function flagList(options: Options): string {
  return Object.keys(options).map((f) => `--${f}`).join(", ");
}

/**
 * parseArgs in strict mode, turning every error it can raise into a one-line
 * UsageError naming the flag: an unknown flag (listing the allowed ones), a
 * flag without its value (quoting its help line), a value given to a switch,
 * an unexpected positional argument. A negative number after a string flag
 * (`--k -1`) is taken as its value, so that the flag's validator rejects or
 * accepts it with its own message.
 */
export function parseFlags<T extends Options>(
  args: readonly string[],
  options: T,
  opts: ParseFlagsOptions = {},
) {
  const allowPositionals = opts.allowPositionals ?? false;
  try {
    return parseArgs({
      args: joinNegativeValues(args, options),
      options,
      strict: true,
      allowPositionals,
    });
  } catch (e) {
    const msg = (e as Error).message;
    const allowed = `allowed flags: ${flagList(options)}`;
    const unknown = /^Unknown option '([^']+)'/.exec(msg);
    if (unknown) {
      throw new UsageError(`unknown flag ${unknown[1]}; ${allowed}`);
    }
    const positional = /^Unexpected argument '([^']*)'/.exec(msg);
    if (positional) {
      throw new UsageError(`unexpected argument "${positional[1]}"; ${allowed}`);
    }
    const option = /^Option '(?:-\w, )?--([^' ]+)(?: <value>)?'/.exec(msg);
    if (option) {
      const flag = option[1];
      const help = opts.help?.[flag] ? ` (${opts.help[flag]})` : "";
      if (/argument missing/.test(msg)) throw new UsageError(`--${flag} needs a value${help}`);
      if (/argument is ambiguous/.test(msg)) {
        throw new UsageError(
          `--${flag} needs a value${help}; write --${flag}=<value> for a value starting with "-"`,
        );
      }
      if (/does not take an argument/.test(msg)) {
        throw new UsageError(`--${flag} is a switch and takes no value; ${allowed}`);
      }
    }
    throw new UsageError(msg.split("\n")[0]);
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
