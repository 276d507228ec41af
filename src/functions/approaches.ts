/**
 * Gradient approaches for function optimisation (spec §3.2): their
 * description, their labels and the config columns they add to a history.
 *
 * @module
 */

/** Reverse-mode backpropagation: the exact gradient. */
export interface BackpropagationSpec {
  /** Discriminator. */
  readonly type: "bp";
}

/** Forward-mode AD along the standard basis: the exact gradient from n JVPs. */
export interface ForwardModeADSpec {
  /** Discriminator. */
  readonly type: "fmad";
}

/** A (multi-tangent) forward gradient. */
export interface ForwardGradientSpec {
  /** Discriminator. */
  readonly type: "fg";
  /** Number of tangents k. */
  readonly k: number;
  /** Aggregation key, e.g. `mean` or `orthogonal_projection` (spec §1.3). */
  readonly aggregation: string;
  /** Normalise every tangent to unit length. */
  readonly normalize: boolean;
  /** Sampler key, e.g. `normal` or `specific_angle_45` (spec §1.2). */
  readonly sampler: string;
  /** Apply the scaling-correction factor (spec §1.5); off in every paper run. */
  readonly scalingCorrection: boolean;
}

/** Any gradient approach. */
export type ApproachSpec = BackpropagationSpec | ForwardModeADSpec | ForwardGradientSpec;

/** The label keys of a forward gradient, in the reference's order. */
export const FG_LABEL_KEYS = ["k", "agg", "normalize", "sampler", "scaling_correction"] as const;

const pyBool = (b: boolean): string => (b ? "True" : "False");

/**
 * A forward-gradient spec with the paper's defaults (normal sampler, no
 * normalisation, no scaling correction).
 *
 * @example Frog with four tangents
 * ```ts
 * import { fg } from "./approaches.ts";
 * fg(4, "orthogonal_projection");
 * ```
 */
export function fg(
  k: number,
  aggregation: string,
  opts: Partial<Pick<ForwardGradientSpec, "normalize" | "sampler" | "scalingCorrection">> = {},
): ForwardGradientSpec {
  if (!Number.isSafeInteger(k) || k < 1) {
    throw new RangeError(`Cannot build a forward gradient: k must be a positive integer, got ${k}`);
  }
  return {
    type: "fg",
    k,
    aggregation,
    normalize: opts.normalize ?? false,
    sampler: opts.sampler ?? "normal",
    scalingCorrection: opts.scalingCorrection ?? false,
  };
}

/** The backpropagation spec. */
export const BP: BackpropagationSpec = { type: "bp" };
/** The forward-mode-AD spec. */
export const FMAD: ForwardModeADSpec = { type: "fmad" };

/**
 * The reference's `gradient_label(obj, ignore_keys)`: `Backpropagation`,
 * `ForwardModeAD`, or `FG(k=…,agg=…,normalize=…,sampler=…,scaling_correction=…)`
 * with the keys in `ignoreKeys` left out.
 *
 * @example The LR-table label
 * ```ts
 * import { fg, gradientLabel } from "./approaches.ts";
 * gradientLabel(fg(4, "orthogonal_projection"), ["scaling_correction"]);
 * // "FG(k=4,agg=orthogonal_projection,normalize=False,sampler=normal)"
 * ```
 */
export function gradientLabel(spec: ApproachSpec, ignoreKeys: readonly string[] = []): string {
  switch (spec.type) {
    case "bp":
      return "Backpropagation";
    case "fmad":
      return "ForwardModeAD";
    case "fg": {
      const values: Record<string, string> = {
        k: String(spec.k),
        agg: spec.aggregation,
        normalize: pyBool(spec.normalize),
        sampler: spec.sampler,
        scaling_correction: pyBool(spec.scalingCorrection),
      };
      const parts = FG_LABEL_KEYS.filter((key) => !ignoreKeys.includes(key)).map((key) =>
        `${key}=${values[key]}`
      );
      return `FG(${parts.join(",")})`;
    }
  }
}

/** The columns `_optimizer_*` describing the gradient config (spec §3.3), in a fixed order. */
export const OPTIMIZER_CONFIG_COLUMNS = [
  "_optimizer_type",
  "_optimizer_seed",
  "_optimizer_num_directions",
  "_optimizer_gradient_aggregation",
  "_optimizer_normalize_tangents",
  "_optimizer_direction_distribution",
  "_optimizer_scaling_correction",
  "_optimizer_ensure_linear_independence",
] as const;

/**
 * The stringified gradient config of one run (spec §3.3), keyed by the
 * `_optimizer_*` column names. Keys that do not apply (FG keys for bp) are absent.
 */
export function approachConfig(spec: ApproachSpec, seed: number): Record<string, string> {
  const type = spec.type === "fg" ? "fg" : spec.type;
  const out: Record<string, string> = { _optimizer_type: type, _optimizer_seed: String(seed) };
  if (spec.type === "fg") {
    out._optimizer_num_directions = String(spec.k);
    out._optimizer_gradient_aggregation = spec.aggregation;
    out._optimizer_normalize_tangents = pyBool(spec.normalize);
    out._optimizer_direction_distribution = spec.sampler;
    out._optimizer_scaling_correction = pyBool(spec.scalingCorrection);
    // The paper runs never set it; the reference stringifies the unset value.
    out._optimizer_ensure_linear_independence = "None";
  }
  return out;
}

/** Short CLI names of the paper's approaches, used in logs: `bp`, `fg k=1`, `fg-mean k=2`, `frog k=2`. */
export function approachShortName(spec: ApproachSpec): string {
  if (spec.type !== "fg") return spec.type;
  if (spec.aggregation === "mean" && spec.k === 1) return "fg k=1";
  const name = spec.aggregation === "mean"
    ? "fg-mean"
    : spec.aggregation === "orthogonal_projection"
    ? "frog"
    : `fg-${spec.aggregation}`;
  const sampler = spec.sampler === "normal" ? "" : ` ${spec.sampler}`;
  return `${name} k=${spec.k}${sampler}`;
}
