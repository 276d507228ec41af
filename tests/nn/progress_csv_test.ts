import { assertEquals } from "./_assert.ts";
import type { GradientSpec } from "../../src/nn/gradients/mode.ts";
import {
  type EpochRecord,
  progressColumns,
  progressRows,
  type RunFacts,
} from "../../src/nn/progress_csv.ts";

const facts = (spec: GradientSpec): RunFacts => ({
  spec,
  seed: 2,
  modelConfig: { model__name: "fc", model__width: 256, model__depth: 2, model__activation: "relu" },
  dataset: "mnist",
  model: "fc",
  optimizer: "plain_sgd",
  resultFilename: "x_train_progress.csv",
});

const HEAD = [
  "epoch",
  "train_loss",
  "train_accuracy",
  "val_loss",
  "val_accuracy",
  "test_loss",
  "test_accuracy",
  "time__train_epoch_s",
  "time__evaluate_epoch_s",
];
const MODEL = ["model__name", "model__width", "model__depth", "model__activation"];
const FG = [
  "fg_model__cls",
  "fg_model__aggregation_mode",
  "fg_model__tangent_sampler",
  "fg_model__aggregation_kwargs",
  "fg_model__tangent_postprocessing",
  "fg_model__normalize_tangents",
  "fg_model__tangent_sampling_kwargs",
  "fg_model__global_tangent",
  "fg_model__scaling_correction",
];
const TAIL = [
  "result_filename",
  "dataset",
  "gradient_computation",
  "perturbation_mode",
  "model",
  "optimizer",
];

Deno.test("progressColumns() for bp are exactly the spec's §4.7 columns", () => {
  assertEquals(
    progressColumns(facts({ approach: "bp", k: 1, mode: "sim", perturbation: "node" })),
    [
      ...HEAD,
      "time__forward_s",
      "time__backward_s",
      "time__step_s",
      "k",
      "seed",
      "fg_computation_mode",
      ...MODEL,
      ...TAIL,
    ],
  );
});

Deno.test("progressColumns() for simulated FG prepend and append the fg_model columns", () => {
  assertEquals(
    progressColumns(facts({ approach: "frog", k: 16, mode: "sim", perturbation: "node" })),
    [
      ...HEAD,
      "time__forward_s",
      "time__backward_s",
      "time__create_tangents_s",
      "time__compute_forward_gradients_s",
      "time__step_s",
      "k",
      "seed",
      "fg_computation_mode",
      ...FG,
      ...MODEL,
      "fg_model__local_jvps",
      "fg_model__global_jvp_agg",
      ...TAIL,
    ],
  );
});

Deno.test("progressColumns() for fwad use the forward-mode timers and no sim-only columns", () => {
  assertEquals(
    progressColumns(facts({ approach: "fg", k: 2, mode: "fwad", perturbation: "weight" })),
    [
      ...HEAD,
      "time__create_tangents_s",
      "time__forward_and_jvps_s",
      "time__compute_forward_gradients_s",
      "time__step_s",
      "k",
      "seed",
      "fg_computation_mode",
      ...FG,
      ...MODEL,
      ...TAIL,
    ],
  );
});

Deno.test("progressRows() leave epoch-0 timers null (empty: not applicable), k empty for bp, and fill the constants", () => {
  const f = facts({ approach: "bp", k: 1, mode: "sim", perturbation: "node" });
  const rec = (epoch: number): EpochRecord => ({
    epoch,
    train_loss: 1,
    train_accuracy: 0.5,
    val_loss: 1.1,
    val_accuracy: 0.4,
    test_loss: 1.2,
    test_accuracy: 0.3,
    trainSeconds: epoch === 0 ? 0 : 2,
    evalSeconds: 1,
    timers: epoch === 0 ? {} : { forward: 0.5, backward: 0.7, step: 0.1 },
  });
  const [r0, r1] = progressRows(f, [rec(0), rec(1)]);
  const cols = progressColumns(f);
  const at = (row: (string | number | null)[], c: string) => row[cols.indexOf(c)];
  assertEquals([at(r0, "time__forward_s"), at(r0, "time__step_s")], [null, null]);
  assertEquals([at(r1, "time__forward_s"), at(r1, "time__step_s")], [0.5, 0.1]);
  assertEquals(at(r0, "time__train_epoch_s"), 0);
  assertEquals([at(r1, "k"), at(r1, "fg_computation_mode"), at(r1, "seed")], ["", "", 2]);
  assertEquals(at(r1, "gradient_computation"), "bp");
  assertEquals(r1.length, cols.length);
});
