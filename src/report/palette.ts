/**
 * Colour-blind-safe line styles for the figures: the Okabe–Ito palette
 * (without its yellow, too pale on white) for categories, line dashes for a
 * second distinction, and viridis for ordered series (k = 1, 2, 4, …).
 *
 * @module
 */

/** A line's colour and dash pattern (`[1, 0]` is solid). */
export interface LineStyle {
  color: string;
  dash: number[];
}

/** Okabe & Ito's colour-blind-safe palette, yellow left out (black first). */
export const OKABE_ITO = [
  "#000000",
  "#E69F00",
  "#56B4E9",
  "#009E73",
  "#0072B2",
  "#D55E00",
  "#CC79A7",
] as const;

/** Dash patterns in order of use. */
export const DASHES: readonly number[][] = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3]];

/** Styles for `n` unordered series: the palette's colours, then the same colours dashed. */
export function categoricalStyles(n: number): LineStyle[] {
  return Array.from({ length: n }, (_, i) => ({
    color: OKABE_ITO[i % OKABE_ITO.length],
    dash: DASHES[Math.floor(i / OKABE_ITO.length) % DASHES.length],
  }));
}

/**
 * Styles for gradient-approach labels (`bp`, `fg k=1`, `fg-mean k=4`,
 * `frog k=4`, with optional suffixes such as ` (fwad, weight)`): the colour
 * says k (bp black), the dash says the method (frog solid, fg-mean dashed,
 * anything else dotted), so the 8 series of a figure stay apart in grey too.
 *
 * @example
 * ```ts
 * import { approachStyles } from "./palette.ts";
 * const [bp, mean4, frog4] = approachStyles(["bp", "fg-mean k=4", "frog k=4"]);
 * console.log(bp.color, mean4.color === frog4.color, mean4.dash); // "#000000" true [6, 3]
 * ```
 */
export function approachStyles(labels: readonly string[]): LineStyle[] {
  const kOf = (l: string) => {
    const m = /\bk=(\d+)/.exec(l);
    return m ? Number(m[1]) : undefined;
  };
  const ks = [...new Set(labels.map(kOf).filter((k): k is number => k !== undefined))]
    .sort((a, b) => a - b);
  const colours = OKABE_ITO.slice(1);
  return labels.map((l) => {
    const k = kOf(l);
    if (k === undefined) return { color: OKABE_ITO[0], dash: DASHES[0] };
    const color = colours[ks.indexOf(k) % colours.length];
    const base = l.replace(/\s*k=\d+/, "").trim();
    const dash = base === "frog"
      ? DASHES[0]
      : base === "fg-mean" || base === "fg"
      ? DASHES[1]
      : DASHES[2];
    return { color, dash };
  });
}
