// createModel: the paper's models for each dataset shape, and its errors.
import { assertEquals, assertThrows } from "./_assert.ts";
import { createModel, DATASET_SHAPES } from "../../src/nn/models.ts";
import { activityCount, disposeModel, parameterCount } from "../../src/nn/model.ts";

Deno.test("createModel builds the paper's models with the spec's sizes", () => {
  const cases = [
    ["fc", "mnist", 269_322, 522],
    ["resnet18", "mnist", 11_175_370, 9_866],
    ["resnet18", "cifar10", 11_181_642, 11_786],
    ["vit", "mnist", 3_183_114, 64_010],
    ["vit", "cifar10", 3_195_146, 83_210],
  ] as const;
  for (const [model, dataset, p, n] of cases) {
    const m = createModel({ model, inputShape: DATASET_SHAPES[dataset], seed: 0, width: 256 });
    assertEquals([m.name, parameterCount(m), activityCount(m)], [model, p, n]);
    disposeModel(m);
  }
});

Deno.test("createModel rejects unknown models and a missing FC width", () => {
  assertThrows(
    () => createModel({ model: "lenet5" as "fc", inputShape: [28, 28, 1], seed: 0 }),
    RangeError,
    "expected one of fc, resnet18, vit",
  );
  assertThrows(
    () => createModel({ model: "fc", inputShape: [28, 28, 1], seed: 0 }),
    RangeError,
    "width is required",
  );
});
