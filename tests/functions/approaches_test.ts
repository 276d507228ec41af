import assert from "node:assert/strict";
import {
  approachConfig,
  approachShortName,
  BP,
  fg,
  FMAD,
  gradientLabel,
} from "../../src/functions/approaches.ts";

Deno.test("gradientLabel() writes the reference's labels", () => {
  assert.equal(gradientLabel(BP), "Backpropagation");
  assert.equal(gradientLabel(BP, ["scaling_correction"]), "Backpropagation");
  assert.equal(gradientLabel(FMAD), "ForwardModeAD");
  assert.equal(
    gradientLabel(fg(4, "orthogonal_projection"), ["scaling_correction"]),
    "FG(k=4,agg=orthogonal_projection,normalize=False,sampler=normal)",
  );
  assert.equal(
    gradientLabel(fg(16, "mean", { sampler: "specific_angle_15" }), ["lr"]),
    "FG(k=16,agg=mean,normalize=False,sampler=specific_angle_15,scaling_correction=False)",
  );
  assert.equal(
    gradientLabel(fg(2, "sum", { normalize: true, scalingCorrection: true }), ["k", "agg"]),
    "FG(normalize=True,sampler=normal,scaling_correction=True)",
  );
});

Deno.test("approachConfig() stringifies the gradient config like the reference", () => {
  assert.deepEqual(approachConfig(BP, 3), { _optimizer_type: "bp", _optimizer_seed: "3" });
  assert.deepEqual(approachConfig(fg(2, "mean"), 0), {
    _optimizer_type: "fg",
    _optimizer_seed: "0",
    _optimizer_num_directions: "2",
    _optimizer_gradient_aggregation: "mean",
    _optimizer_normalize_tangents: "False",
    _optimizer_direction_distribution: "normal",
    _optimizer_scaling_correction: "False",
    _optimizer_ensure_linear_independence: "None",
  });
});

Deno.test("approachShortName() names the paper's approaches", () => {
  assert.equal(approachShortName(BP), "bp");
  assert.equal(approachShortName(fg(1, "mean")), "fg k=1");
  assert.equal(approachShortName(fg(4, "mean")), "fg-mean k=4");
  assert.equal(approachShortName(fg(16, "orthogonal_projection")), "frog k=16");
});

Deno.test("fg() rejects a bad k", () => {
  assert.throws(() => fg(0, "mean"), RangeError);
});
