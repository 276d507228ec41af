// Every registered function has a plotting window, and the window shows the
// function's known global minimiser (where f equals its global minimum).
import assert from "node:assert/strict";
import { FUNCTION_NAMES, getFunction, plotDomain } from "../../mod.ts";

/** Known 2-D global minimisers (literature; plane is unbounded below). */
const MINIMISERS: Record<string, [number, number]> = {
  sphere: [0, 0],
  rosenbrock: [1, 1],
  "styblinski-tang": [-2.903534, -2.903534],
  beale: [3, 0.5],
  eggcrate: [0, 0],
  ackley: [0, 0],
  forest: [0, 0],
  goldstein_price: [0, -1],
  levy_montalvo: [1, 1],
  three_hump_camel: [0, 0],
};

Deno.test("plotDomain: a window for every registered function, containing its minimiser", () => {
  for (const name of FUNCTION_NAMES) {
    const [[x0, x1], [y0, y1]] = plotDomain(name);
    assert.ok(x0 < x1 && y0 < y1, `${name}: a non-empty window`);
    const m = MINIMISERS[name];
    if (!m) continue;
    assert.ok(m[0] > x0 && m[0] < x1 && m[1] > y0 && m[1] < y1, `${name}: minimiser inside`);
    const fn = getFunction(name);
    const f = fn.reference(m), fstar = fn.globalMinimum(2);
    // 1e-5: Styblinski–Tang's f* is the reference's rounded −39.16599 per dimension.
    assert.ok(
      Math.abs(f - fstar) < 1e-5 * Math.max(1, Math.abs(fstar)),
      `${name}: f = ${f}, f* = ${fstar}`,
    );
  }
  assert.equal(plotDomain("Styblinski-Tang"), plotDomain("styblinski-tang"));
  assert.throws(() => plotDomain("nope"), /Unknown function "nope"/);
});
