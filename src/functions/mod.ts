/**
 * Closed-form function optimisation (paper §4.2, §4.3; spec §3): the test
 * functions, gradient approaches (backpropagation, forward-mode AD, forward
 * gradients through the JVP engine), the reference's gradient-descent loop
 * and the CSV text of one run. (The experiment grids, which look learning
 * rates up in the paper's tables, and the resumable writers of the stage's
 * files are part of the functions stage: src/stages/functions/.)
 *
 * @example Minimise Styblinski–Tang in 16 dimensions with frog, k = 4
 * ```ts
 * import { createGradientOracle, fg, getFunction, gradientDescent, startPosition } from "./mod.ts";
 * const fn = getFunction("styblinski-tang");
 * const oracle = createGradientOracle(fn, fg(4, "orthogonal_projection"), 0, 16);
 * const run = gradientDescent(fn, oracle, {
 *   lr: 0.01, maxSteps: 1000, patience: 50, start: startPosition(fn.defaultStart, 16),
 * });
 * console.log(run.y[run.steps]); // close to -39.166 · 16
 * ```
 *
 * @module
 */
export * from "./approaches.ts";
export * from "./descent.ts";
export * from "./domains.ts";
export * from "./experiment.ts";
export * from "./format.ts";
export * from "./forward_oracles.ts";
export * from "./gradients.ts";
export * from "./oracle.ts";
export * from "./plane.ts";
export * from "./registry.ts";
export * from "./rosenbrock.ts";
export * from "./sphere.ts";
export * from "./starts.ts";
export * from "./styblinski_tang.ts";
export * from "./two_d.ts";
export * from "./types.ts";
