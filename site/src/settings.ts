/**
 * The page's settings and their URL form: every control is a query
 * parameter, so a view can be shared and reproduced (same seed, same
 * numbers). Parsing is total: a missing or malformed value falls back to its
 * default, and {@link settingsProblems} names what was ignored.
 *
 * @module
 */
import { AGGREGATIONS, FUNCTION_NAMES, getFunction, startPosition } from "../../mod.ts";

/** The tangent samplers offered on the page. */
export const PAGE_SAMPLERS = ["normal", "rademacher", "specific_angle"] as const;
/** The backends the page can start (`auto`: webgl, then wasm, then cpu). */
export const PAGE_BACKENDS = ["auto", "webgl", "wasm", "cpu"] as const;

/** Everything the page shows is a function of these. */
export interface Settings {
  /** Test-function name (registry key). */
  fn: string;
  /** The clicked point. */
  x: number;
  /** The clicked point. */
  y: number;
  /** Number of tangents. */
  k: number;
  /** Tangent sampler (page key). */
  sampler: typeof PAGE_SAMPLERS[number];
  /** Angle in degrees for `specific_angle`. */
  angle: number;
  /** Seed of every random draw. */
  seed: number;
  /** Learning rate of the descents. */
  lr: number;
  /** Number of descent steps. */
  steps: number;
  /** Aggregation of the forward-gradient descent. */
  agg: string;
  /** Dimension of the approximation-quality panel. */
  n: number;
  /** Samples per k in that panel. */
  samples: number;
  /** Requested backend. */
  backend: typeof PAGE_BACKENDS[number];
}

/** A learning rate that makes a visible descent on each function's plot in 200 steps. */
export const DEFAULT_LR: Readonly<Record<string, number>> = {
  sphere: 0.05,
  rosenbrock: 0.001,
  "styblinski-tang": 0.01,
  beale: 0.002,
  plane: 0.05,
  eggcrate: 0.005,
  ackley: 0.01,
  forest: 0.01,
  goldstein_price: 0.00005,
  levy_montalvo: 0.05,
  three_hump_camel: 0.01,
};

/** Ranges of the numeric settings: [min, max, integer]. */
export const RANGES: Readonly<Record<string, readonly [number, number, boolean]>> = {
  k: [1, 16, true],
  angle: [0, 180, true],
  seed: [0, 2 ** 31 - 1, true],
  lr: [1e-7, 10, false],
  steps: [1, 2000, true],
  n: [2, 256, true],
  samples: [1, 200, true],
};

/** The settings of a fresh page for a function: its default start and LR. */
export function defaults(fn = "rosenbrock"): Settings {
  const f = getFunction(fn);
  const start = startPosition(f.defaultStart, 2);
  return {
    fn: f.name,
    x: start[0],
    y: start[1],
    k: 1,
    sampler: "normal",
    angle: 45,
    seed: 0,
    lr: DEFAULT_LR[f.name] ?? 0.01,
    steps: 200,
    agg: "orthogonal_projection",
    n: 32,
    samples: 16,
    backend: "auto",
  };
}

/** The library's sampler key for the page's sampler setting. */
export function samplerKey(s: Pick<Settings, "sampler" | "angle">): string {
  return s.sampler === "specific_angle" ? `specific_angle_${s.angle}` : s.sampler;
}

function readNumber(q: URLSearchParams, key: string, problems: string[]): number | undefined {
  const raw = q.get(key);
  if (raw === null) return undefined;
  const v = Number(raw);
  const range = RANGES[key];
  if (raw.trim() === "" || !Number.isFinite(v)) {
    problems.push(`${key}=${raw} is not a number`);
    return undefined;
  }
  if (range && (v < range[0] || v > range[1] || (range[2] && !Number.isInteger(v)))) {
    problems.push(
      `${key}=${raw} is outside ${range[0]}…${range[1]}${range[2] ? " (integer)" : ""}`,
    );
    return undefined;
  }
  return v;
}

function readChoice<T extends string>(
  q: URLSearchParams,
  key: string,
  choices: readonly T[],
  problems: string[],
): T | undefined {
  const raw = q.get(key);
  if (raw === null) return undefined;
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  problems.push(`${key}=${raw} is not one of ${choices.join(", ")}`);
  return undefined;
}

/** Settings from a query string, with the problems of values that were ignored. */
export function parseSettings(search: string): { settings: Settings; problems: string[] } {
  const q = new URLSearchParams(search);
  const problems: string[] = [];
  const fn = readChoice(q, "fn", FUNCTION_NAMES, problems) ?? "rosenbrock";
  const s = defaults(fn);
  for (const key of ["x", "y", ...Object.keys(RANGES)] as const) {
    const v = readNumber(q, key, problems);
    if (v !== undefined) (s as unknown as Record<string, number>)[key] = v;
  }
  s.sampler = readChoice(q, "sampler", PAGE_SAMPLERS, problems) ?? s.sampler;
  s.agg = readChoice(q, "agg", AGGREGATIONS, problems) ?? s.agg;
  s.backend = readChoice(q, "backend", PAGE_BACKENDS, problems) ?? s.backend;
  return { settings: s, problems };
}

/** The query string of the settings (every key, in a fixed order). */
export function settingsQuery(s: Settings): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(s)) q.set(key, String(value));
  return q.toString();
}
