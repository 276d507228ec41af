/**
 * Learning-rate tables of the paper (spec §5.4) and their lookups:
 * {@link mathLr} for the function experiments, {@link nnLr} for the networks.
 *
 * @example Look up two learning rates
 * ```ts
 * import { loadMathLrTable, MATH_LR_PATH, mathLr, nnLr } from "./mod.ts";
 * import { BP } from "../functions/approaches.ts";
 * mathLr(loadMathLrTable(MATH_LR_PATH), "sphere", 16, BP);
 * nnLr("resnet18", "cifar10", "bp"); // 0.1
 * ```
 *
 * @module
 */
export * from "./math.ts";
export * from "./nn.ts";
export * from "./table.ts";
