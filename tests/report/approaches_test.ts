import { assertEquals, assertThrows } from "./_assert.ts";
import { approachName, parseOptimizerLabel, samplerAngle } from "../../src/report/approaches.ts";

Deno.test("parseOptimizerLabel() maps the reference labels to bp, fg k=1, fg-mean k and frog k", () => {
  const names = [
    "Backpropagation",
    "FG(k=1,agg=mean,normalize=False,sampler=normal,scaling_correction=False)",
    "FG(k=4,agg=mean,normalize=False,sampler=normal)",
    "FG(k=16,agg=orthogonal_projection,normalize=False,sampler=normal,scaling_correction=False)",
    "FG(k=64,agg=mean,normalize=True,sampler=specific_angle_30,scaling_correction=False)",
  ].map((l) => approachName(parseOptimizerLabel(l), true));
  assertEquals(names, [
    "bp",
    "fg k=1",
    "fg-mean k=4",
    "frog k=16",
    "fg-mean k=64 (normalised) [specific_angle_30]",
  ]);
  assertEquals(samplerAngle("specific_angle_75"), 75);
  assertEquals(samplerAngle("normal"), undefined);
  assertThrows(() => parseOptimizerLabel("SGD"), TypeError, '"SGD"');
});
