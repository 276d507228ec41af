import assert from "node:assert/strict";
import { parseCsvTable } from "../../src/lrs/table.ts";
import { parseMathLrTable } from "../../src/lrs/math.ts";
import { extractBest, mathTableCsv, nnTableCsv } from "../../src/lr_search/extract.ts";
import { pyFloat } from "../../src/functions/format.ts";

const read = (f: string) =>
  Deno.readTextFileSync(new URL(`../../lrs/first-release/${f}`, import.meta.url));

Deno.test("extractBest() takes the candidate within 5 % nearest the mean LR", () => {
  const e = [
    { lr: 0.1, loss: 1.0 },
    { lr: 0.2, loss: 1.04 },
    { lr: 0.6, loss: 1.03 },
    { lr: 0.9, loss: 2 },
  ];
  assert.deepEqual(extractBest(e), { lr: 0.2, loss: 1.04 }); // mean of 0.1, 0.6, 0.2 = 0.3
  assert.deepEqual(extractBest(e, 0), { lr: 0.1, loss: 1.0 });
  // negative losses: m + 0.05·m < m, so the best is taken
  assert.deepEqual(extractBest([{ lr: 1, loss: -9 }, { lr: 2, loss: -10 }]), { lr: 2, loss: -10 });
  assert.throws(() => extractBest([]), RangeError);
});

Deno.test("pyFloat() writes doubles as Python's repr", () => {
  assert.equal(pyFloat(7.060228314330062e-05), "7.060228314330062e-05");
  assert.equal(pyFloat(0.026050732201274525), "0.026050732201274525");
  assert.equal(pyFloat(-2305.324951171875), "-2305.324951171875");
  assert.equal(pyFloat(0), "0.0");
  assert.equal(pyFloat(1), "1.0");
  assert.equal(pyFloat(1e16), "1e+16");
  assert.equal(pyFloat(0.0001), "0.0001");
  assert.equal(pyFloat(Infinity), "inf");
});

Deno.test("mathTableCsv()/nnTableCsv() reproduce the first-release tables byte for byte", () => {
  for (const f of ["math.csv", "math__custom_tangents.csv"]) {
    const text = read(f);
    const rows = parseCsvTable(text, f, ["function", "n", "optimizer", "lr", "loss"]).map((
      { values: v },
    ) => ({
      function: v.function,
      n: Number(v.n),
      gradientApproach: v.gradient_approach,
      k: v.k,
      optimizer: v.optimizer,
      lr: Number(v.lr),
      loss: Number(v.loss),
    }));
    const out = mathTableCsv(rows);
    assert.equal(out, text, f);
    assert.equal(parseMathLrTable(out, f).size, rows.length);
  }
  for (const f of ["fc_nns.csv", "sota_nns.csv"]) {
    const text = read(f);
    const rows = parseCsvTable(text, f, ["model", "lr", "loss"]).map(({ values: v }) => ({
      model: v.model,
      dataset: v.dataset,
      gradientApproach: v.gradient_approach,
      k: v.k,
      lr: Number(v.lr),
      loss: Number(v.loss),
    }));
    assert.equal(nnTableCsv(rows), text, f);
  }
});
