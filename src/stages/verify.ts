/**
 * Stage `verify`: checks the approx, functions and train results against the
 * theory (reference-spec §1.7, verification-notes.md), the authors' values
 * (§7.3) and the paper's qualitative claims, each with a tolerance derived
 * from its sample size. Writes `verification.{csv,md,tex,json}` and
 * `verify.json`, prints the failing rows, and reports a failed verdict
 * (`ok: false` in the summary: the pipeline exits 1 but keeps the table, so
 * that the report still shows which checks failed).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { join } from "node:path";
import type { Profile, Stage } from "../pipeline/stage.ts";
import { writeJsonAtomic } from "../io/files.ts";
import { readApprox } from "../report/approx.ts";
import { readFunctions } from "../report/functions.ts";
import { isSotaRun, readTraining } from "../report/networks.ts";
import { checksTable, decideChecks, type PendingCheck } from "../report/checks.ts";
import { approxChecks } from "../report/verify_approx.ts";
import { functionChecks } from "../report/verify_functions.ts";
import { networkChecks } from "../report/verify_networks.ts";
import { identityChecks } from "../report/verify_identity.ts";
import { sotaChecks, sotaIdentityChecks } from "../report/verify_sota.ts";
import { readMathReference, REFERENCE_MATH_PATH } from "../report/reference.ts";
import { writeTable } from "../report/outputs.ts";
import { cellText } from "../report/table.ts";
import { RESULT_STAGES } from "./tables.ts";
import { lrSearchChecks } from "../report/verify_lr_search.ts";
import { compareWithShipped } from "./lr_search/section.ts";
import { LR_SOURCES, LRS_FLAG_HELP, type LrSource, lrsUpstream } from "./_searched_lrs.ts";
import { oneOf } from "../cli/args.ts";
import { withComputeBackend } from "./functions.ts";

/** Parameters of the `verify` stage. */
export interface VerifyParams {
  /** Profile: selects the accuracy thresholds of the network checks. */
  profile: Profile;
  /** Family-wise false-failure probability of the statistical checks. */
  familyAlpha: number;
  /** `searched`: the lr-search result is an input too, and its checks run. */
  lrs?: LrSource;
}

/**
 * Backends on which the simulated/true forward identity checks compute
 * instead of the running one: their weight-perturbation cases read tensors
 * synchronously, which webgpu cannot do under Deno; there they run on wasm
 * (these checks compare two modes on one backend, so any backend tests the identity).
 */
export const IDENTITY_BACKEND_OVERRIDES: Readonly<Record<string, string>> = { webgpu: "wasm" };

/** Runs `body` on the backend {@link IDENTITY_BACKEND_OVERRIDES} picks for the running one. */
async function onIdentityBackend<T>(body: () => Promise<T>): Promise<T> {
  return (await withComputeBackend(tf.getBackend(), body, IDENTITY_BACKEND_OVERRIDES)).result;
}

/** Test-split size of the paper's datasets (MNIST and CIFAR-10 both have 10000 test images). */
const TEST_SPLIT = 10000;

/**
 * Runs every check on the upstream folders.
 *
 * @param identity Size of the simulated/true forward identity check (FC width 256, batch 16, k 4 and 16 by default).
 * @returns The pending checks, the sections that had no data, and notes for the table.
 */
export async function collectChecks(
  inputs: Record<string, string | undefined>,
  profile: string,
  rootDir: string,
  identity: Parameters<typeof identityChecks>[0] = {},
): Promise<{ checks: PendingCheck[]; notRun: string[]; notes: string[] }> {
  const checks: PendingCheck[] = [];
  const notRun: string[] = [];
  const notes: string[] = [];
  const approx = inputs.approx ? await readApprox(inputs.approx) : null;
  if (approx) checks.push(...approxChecks(approx));
  else notRun.push("approx");
  const fns = inputs.functions ? await readFunctions(inputs.functions) : null;
  if (fns) checks.push(...functionChecks(fns, await readMathReference(rootDir), notes));
  else notRun.push("functions");
  const runs = inputs.train ? await readTraining(inputs.train) : null;
  if (runs) {
    const evalSize = (r: { evalLimit?: number }) => r.evalLimit ?? TEST_SPLIT;
    const fc = runs.filter((r) => !isSotaRun(r)), sota = runs.filter(isSotaRun);
    if (fc.length > 0) {
      checks.push(...networkChecks(fc, profile, evalSize));
      checks.push(...(await onIdentityBackend(() => identityChecks(identity))));
    }
    if (sota.length > 0) {
      checks.push(...sotaChecks(sota, profile, evalSize));
      checks.push(...(await onIdentityBackend(() => sotaIdentityChecks())));
    }
  } else notRun.push("networks");
  if (inputs["lr-search"]) {
    const dir = inputs["lr-search"];
    const shipped = new Map(
      (await compareWithShipped(dir, rootDir)).filter((c) => c.shipped !== null).map((
        c,
      ) => [c.label, c.shipped!]),
    );
    checks.push(...await lrSearchChecks(dir, rootDir, shipped));
  }
  return { checks, notRun, notes };
}

/**
 * The `verify` stage.
 *
 * @example Verify the smoke profile
 * ```sh
 * deno task verify --profile smoke
 * ```
 */
export const verifyStage: Stage<VerifyParams> = {
  name: "verify",
  description: "Checks every result against theory, the authors' values and the paper's claims",
  deps: RESULT_STAGES,
  upstream: lrsUpstream,
  sources: [
    "src/nn",
    "src/jvp",
    "src/core",
    "src/stages/verify.ts",
    "src/stages/tables.ts",
    "src/report",
    REFERENCE_MATH_PATH,
    "src/stages/lr_search/section.ts",
    "src/stages/_searched_lrs.ts",
    "tests/fixtures/python/lr_search_random.json",
    "lrs",
  ],
  params: (profile) => ({ profile, familyAlpha: 0.001, lrs: "authors" }),
  flags: {
    options: { lrs: { type: "string" } },
    help: { lrs: `${LRS_FLAG_HELP}; searched also checks the search` },
    apply: (values, base) =>
      values.lrs === undefined
        ? base
        : { ...base, lrs: oneOf("lrs", values.lrs as string, LR_SOURCES) },
  },
  async run(ctx) {
    const dirs = Object.fromEntries(
      [...RESULT_STAGES, "lr-search"].map((s) => [s, ctx.inputs[s]?.dir]),
    );
    const { checks, notRun, notes } = await collectChecks(
      dirs,
      ctx.params.profile,
      ctx.rootDir,
    );
    const { results, z } = decideChecks(checks, ctx.params.familyAlpha);
    const table = checksTable(results, z);
    table.notes!.push(...notes);
    for (const s of notRun) {
      table.notes!.push(`Section ${s}: not run in this profile (no upstream rows), no checks.`);
    }
    await writeTable(ctx.outDir, "", table);
    const failed = results.filter((r) => !r.pass);
    const summary = {
      ok: failed.length === 0,
      checks: results.length,
      passed: results.length - failed.length,
      failed: failed.length,
      z,
      notRun,
      bySection: Object.fromEntries(
        ["approx", "functions", "networks", "lr_search"].map((s) => {
          const rs = results.filter((r) => r.section === s);
          return [s, { checks: rs.length, failed: rs.filter((r) => !r.pass).length }];
        }),
      ),
    };
    await writeJsonAtomic(join(ctx.outDir, "verify.json"), { ...summary, failedChecks: failed });
    ctx.log(`${summary.passed} of ${summary.checks} checks pass (z = ${z.toFixed(2)})`);
    for (const f of failed) {
      ctx.log(
        `FAILED ${f.section}: ${f.check}: expected ${cellText(f.expected)}, measured ${
          cellText(f.measured)
        }, tolerance ${cellText(f.tolerance)}`,
      );
    }
    return summary;
  },
};
