import assert from "node:assert/strict";
import { loadNnLrTable, NN_LR_PATHS, nnLr, parseNnLrTable } from "../../src/lrs/nn.ts";

Deno.test("nnLr() looks up the repository's FC and SOTA tables", () => {
  assert.equal(nnLr("fc_w=256", "mnist", "bp"), 0.026050732201274525);
  assert.equal(nnLr("fc_w=256", "mnist", "fg-mean", 1), 0.0005590272124235413);
  assert.equal(nnLr("fc_w=256", "mnist", "fg", 2), 0.000847756254065886);
  assert.ok(Math.abs(nnLr("fc_w=1024", "mnist", "frog", 16) - 0.12698) < 1e-5);
  assert.equal(nnLr("resnet18", "cifar10", "bp"), 0.1);
  assert.ok(Math.abs(nnLr("vit", "mnist", "fg-mean", 16) - 7.0602e-5) < 1e-8);
  assert.equal(nnLr("vit", "cifar10", "frog", 2), 1.0);
});

Deno.test("nnLr() ignores k for bp and needs it otherwise", () => {
  assert.equal(nnLr("resnet18", "mnist", "bp", 4), 0.1);
  assert.throws(() => nnLr("resnet18", "mnist", "frog"), /k must be a positive integer/);
});

Deno.test("nnLr() names the key and the tables on a miss", () => {
  assert.throws(
    () => nnLr("resnet18", "svhn", "frog", 4),
    (e: Error) =>
      e instanceof RangeError && /resnet18\/svhn\/frog k=4/.test(e.message) &&
      e.message.includes("fc_nns.csv") && e.message.includes("sota_nns.csv"),
  );
  assert.throws(() => nnLr("vit", "mnist", "adam", 1), /Unknown gradient approach "adam"/);
});

Deno.test("parseNnLrTable() rejects malformed tables", () => {
  const H = "model,dataset,gradient_approach,k,lr\n";
  assert.throws(() => parseNnLrTable("model,lr\nx,1\n", "t.csv"), /missing column\(s\) dataset/);
  assert.throws(
    () => parseNnLrTable(H + "fc,mnist,sgd,,0.1\n", "t.csv"),
    /gradient_approach "sgd"/,
  );
  assert.throws(() => parseNnLrTable(H + "fc,mnist,frog,,0.1\n", "t.csv"), /line 2 has k ""/);
  assert.throws(() => parseNnLrTable(H + "fc,mnist,frog,2.5,0.1\n", "t.csv"), /k "2.5"/);
  assert.throws(() => parseNnLrTable(H + "fc,mnist,bp,,x\n", "t.csv"), /lr "x"/);
  const t = parseNnLrTable(H + "fc,mnist,frog,2.0,0.3\n", "t.csv");
  assert.equal(nnLr("fc", "mnist", "frog", 2, [t]), 0.3);
});

Deno.test("the NN tables hold 24 and 32 rows", () => {
  assert.equal(loadNnLrTable(NN_LR_PATHS[0]).keys().length, 24);
  assert.equal(loadNnLrTable(NN_LR_PATHS[1]).keys().length, 32);
});
