/**
 * Registers every rule table of `rules/`. Keep one import and one entry per
 * rules file: `tests/jvp/register_all_test.ts` compares this list with the folder.
 *
 * @module
 */
import { registerJvpTable } from "./registry.ts";
import { activationRules } from "./rules/activation.ts";
import { arithmeticRules } from "./rules/arithmetic.ts";
import { convRules } from "./rules/conv.ts";
import { matmulRules } from "./rules/matmul.ts";
import { normalizationRules } from "./rules/normalization.ts";
import { poolRules } from "./rules/pool.ts";
import { reduceRules } from "./rules/reduce.ts";
import { shapeRules } from "./rules/shape.ts";
import { unaryRules } from "./rules/unary.ts";
import { zeroRules } from "./rules/zero.ts";

/** Every rule table, by rules file name (without `.ts`). */
export const ALL_RULE_TABLES = {
  activation: activationRules,
  arithmetic: arithmeticRules,
  conv: convRules,
  matmul: matmulRules,
  normalization: normalizationRules,
  pool: poolRules,
  reduce: reduceRules,
  shape: shapeRules,
  unary: unaryRules,
  zero: zeroRules,
};

for (const table of Object.values(ALL_RULE_TABLES)) registerJvpTable(table);
