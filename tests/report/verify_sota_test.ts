import { assert, assertEquals } from "../nn/_assert.ts";
import { initBackend } from "../../src/backend.ts";
import { decideChecks } from "../../src/report/checks.ts";
import type { EpochRow, TrainRun } from "../../src/report/networks.ts";
import { lossDecrease, sotaChecks, sotaIdentityChecks } from "../../src/report/verify_sota.ts";

await initBackend("cpu");

function epoch(e: number, valLoss: number, testAccuracy: number): EpochRow {
  return {
    epoch: e,
    trainLoss: valLoss,
    trainAccuracy: testAccuracy,
    valLoss,
    valAccuracy: testAccuracy,
    testLoss: valLoss,
    testAccuracy,
    trainSeconds: e === 0 ? 0 : 10,
  };
}

function run(
  model: string,
  approach: string,
  k: number,
  losses: number[],
  accs: number[],
): TrainRun {
  return {
    model,
    dataset: "mnist",
    approach,
    k,
    seed: 0,
    mode: approach === "bp" ? "" : "sim",
    perturbation: approach === "bp" ? "" : "node",
    lr: 0.1,
    epochs: losses.map((l, i) => epoch(i, l, accs[i])),
    evalLimit: 500,
    batchLosses: [model === "vit" ? Math.LN10 : 2.4, 2.2],
  };
}

const decide = (runs: TrainRun[], profile: string) =>
  decideChecks(sotaChecks(runs, profile, () => 500)).results;

Deno.test("sotaChecks: bp, fg-mean and frog learn above chance (quick, paper), frog's loss decrease ≥ fg-mean's (paper); smoke only ln 10", () => {
  const good = [
    run("resnet18", "bp", 0, [2.3, 0.9, 0.5], [0.1, 0.7, 0.99]),
    run("resnet18", "fg-mean", 16, [2.3, 2.1, 2.0], [0.1, 0.3, 0.35]),
    run("resnet18", "frog", 16, [2.3, 2.0, 1.8], [0.1, 0.3, 0.4]),
    run("vit", "bp", 0, [2.302585, 1.5, 1.2], [0.1, 0.5, 0.99]),
  ];
  assertEquals(lossDecrease(good[2]), 2.3 - 1.8);
  const quick = decide(good, "quick");
  assertEquals(
    quick.length,
    1 + 2 + 2,
    "ln 10 (vit), bp × 2, resnet18 fg-mean and frog learn; no frog claim at the quick budget",
  );
  assert(quick.every((r) => r.pass), JSON.stringify(quick));
  const paper = decide(good, "paper");
  assertEquals(paper.length, 1 + 2 + 2 + 1, "ln 10 (vit), bp × 2, fg × 2, frog vs fg-mean");
  assert(paper.every((r) => r.pass), JSON.stringify(paper));
  const smoke = decide(good, "smoke");
  assertEquals(smoke.map((r) => r.pass), [true]);
  // bp at chance fails, frog at chance fails (and is worse than fg-mean); a ViT whose first loss
  // is not ln 10 fails.
  const bad = [
    run("resnet18", "bp", 0, [2.3, 2.3, 2.3], [0.1, 0.1, 0.1]),
    run("resnet18", "fg-mean", 16, [2.3, 2.0, 1.8], [0.1, 0.3, 0.4]),
    run("resnet18", "frog", 16, [2.3, 2.29, 2.28], [0.1, 0.11, 0.12]),
    { ...run("vit", "bp", 0, [2.3, 1.5], [0.1, 0.99]), batchLosses: [2.4] },
  ];
  const failed = decide(bad, "paper").filter((r) => !r.pass).map((r) => r.check);
  assertEquals(failed.length, 4, failed.join("\n"));
  assert(failed.some((c) => c.includes("resnet18/mnist bp learns")));
  assert(failed.some((c) => c.includes("resnet18/mnist frog k=16 learns")));
  assert(failed.some((c) => c.includes("frog's validation-loss decrease")));
  assert(failed.some((c) => c.includes("ln 10")));
  // quick: the same failures less the frog ≥ fg-mean claim, which it does not check.
  const quickFailed = decide(bad, "quick").filter((r) => !r.pass).map((r) => r.check);
  assertEquals(quickFailed.length, 3, quickFailed.join("\n"));
  assert(quickFailed.some((c) => c.includes("resnet18/mnist frog k=16 learns")));
  assert(!quickFailed.some((c) => c.includes("frog's validation-loss decrease")));
});

Deno.test("sotaIdentityChecks: the identities hold where they should, per-sample BN JVPs differ", async () => {
  const results = decideChecks(await sotaIdentityChecks()).results;
  assertEquals(results.length, 11);
  assert(results.every((r) => r.pass), JSON.stringify(results.filter((r) => !r.pass)));
  const differ = results.find((r) => r.check.includes("couples the batch"))!;
  assert((differ.measured as number) > 0.01);
});
