import assert from "node:assert/strict";
import { BP, fg } from "../../src/functions/approaches.ts";
import {
  loadMathLrTable,
  MATH_CUSTOM_TANGENTS_LR_PATH,
  MATH_LR_PATH,
  mathLr,
  parseMathLrTable,
} from "../../src/lrs/math.ts";

const HEADER = "function,n,gradient_approach,k,optimizer,lr\n";

Deno.test("loadMathLrTable() reads all 264 rows of lrs/math.csv", () => {
  const t = loadMathLrTable(MATH_LR_PATH);
  assert.equal(t.size, 264);
  assert.equal(mathLr(t, "rosenbrock", 1, BP), 0.0836372930481806);
  assert.equal(
    mathLr(t, "rosenbrock", 1, fg(16, "orthogonal_projection")),
    0.1009924625368981,
  );
  assert.equal(loadMathLrTable(MATH_CUSTOM_TANGENTS_LR_PATH).size, 14);
});

Deno.test("mathLr() ignores scaling_correction in the key", () => {
  const t = parseMathLrTable(
    HEADER + 'sphere,4,fg-mean,2.0,"FG(k=2,agg=mean,normalize=False,sampler=normal)",0.5\n',
    "inline",
  );
  assert.equal(mathLr(t, "sphere", 4, fg(2, "mean", { scalingCorrection: true })), 0.5);
});

Deno.test("mathLr() falls back to the normal sampler only for non-normal samplers", () => {
  const t = loadMathLrTable(MATH_CUSTOM_TANGENTS_LR_PATH);
  const frog45 = fg(16, "orthogonal_projection", { sampler: "specific_angle_45" });
  assert.equal(mathLr(t, "styblinski-tang", 64, frog45), 0.0018423636305031673);
  assert.throws(
    () => mathLr(t, "styblinski-tang", 64, fg(16, "mean")),
    /No learning rate in .*math__custom_tangents\.csv for \(styblinski-tang, 64, FG\(k=16,agg=mean,normalize=False,sampler=normal\)\)/,
  );
  // the message names both keys that were tried
  assert.throws(
    () => mathLr(t, "styblinski-tang", 32, frog45),
    (e: Error) =>
      e instanceof RangeError && /sampler=specific_angle_45\)\) or \(/.test(e.message) &&
      /sampler=normal\)\)$/.test(e.message),
  );
});

Deno.test("parseMathLrTable() rejects malformed tables naming the problem", () => {
  assert.throws(
    () => parseMathLrTable("function,n,lr\nsphere,1,0.1\n", "t.csv"),
    /Cannot parse LR table t\.csv: missing column\(s\) optimizer/,
  );
  assert.throws(
    () => parseMathLrTable(HEADER + "sphere,1,bp,,Backpropagation,abc\n", "t.csv"),
    /t\.csv: line 2 has lr "abc"/,
  );
  assert.throws(
    () => parseMathLrTable(HEADER + "sphere,1,bp,,Backpropagation,-1\n", "t.csv"),
    /line 2 has lr "-1", expected a positive number/,
  );
  assert.throws(
    () => parseMathLrTable(HEADER + "sphere,1.5,bp,,Backpropagation,0.1\n", "t.csv"),
    /line 2 has n "1.5"/,
  );
  assert.throws(
    () =>
      parseMathLrTable(
        HEADER + "sphere,1,bp,,Backpropagation,0.1\nsphere,1,bp,,Backpropagation,0.2\n",
        "t.csv",
      ),
    /line 3 repeats \(sphere, 1, Backpropagation\)/,
  );
  assert.throws(
    () => parseMathLrTable(HEADER + 'sphere,1,bp,,"Backprop,0.1\n', "t.csv"),
    /Cannot parse LR table t\.csv:/,
  );
  assert.throws(() => parseMathLrTable("", "t.csv"), /the file is empty/);
});

Deno.test("loadMathLrTable() names a missing file", () => {
  assert.throws(
    () => loadMathLrTable("/nonexistent/lrs.csv"),
    /Cannot read LR table \/nonexistent\/lrs\.csv/,
  );
});
