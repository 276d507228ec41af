import assert from "node:assert/strict";
import { csvCell, pyFloat, sig3 } from "../../src/functions/format.ts";

Deno.test("pyFloat() writes Python's float repr", () => {
  assert.equal(pyFloat(104), "104.0");
  assert.equal(pyFloat(0), "0.0");
  assert.equal(pyFloat(-626.6586303710938), "-626.6586303710938");
  assert.equal(pyFloat(0.00001), "1e-05");
  assert.equal(pyFloat(0.0001), "0.0001");
  assert.equal(pyFloat(3.7561065369118296e-10), "3.7561065369118296e-10");
  assert.equal(pyFloat(1.5e16), "1.5e+16");
  assert.equal(pyFloat(1e15), "1000000000000000.0");
  assert.equal(pyFloat(NaN), "nan");
  assert.equal(pyFloat(-Infinity), "-inf");
});

Deno.test("csvCell() quotes only cells that need it", () => {
  assert.equal(csvCell("Backpropagation"), "Backpropagation");
  assert.equal(csvCell("FG(k=2,agg=mean)"), '"FG(k=2,agg=mean)"');
  assert.equal(csvCell('a"b'), '"a""b"');
});

Deno.test("sig3() rounds to three significant figures", () => {
  assert.equal(sig3(-626.66), "-627");
  assert.equal(sig3(95.71), "95.7");
  assert.equal(sig3(0.0023215), "0.00232");
  assert.equal(sig3(3.756e-10), "3.76e-10");
  assert.equal(sig3(-40106), "-40100");
  assert.equal(sig3(2.3e6), "2.30e+6");
  assert.equal(sig3(0), "0");
});
