import assert from "node:assert/strict";
import { type Individual, PAPER_PROPAGATOR, propose } from "../../src/lr_search/propagator.ts";
import { PythonRandom } from "../../src/lr_search/python_random.ts";
import { FIXTURE, fromBits, recordedLibm } from "./_fixture.ts";

Deno.test("propose() equals propulate's default propagator on 7 recorded runs, bit for bit", () => {
  assert.equal(FIXTURE.chain.length, 7);
  const libm = recordedLibm();
  let proposals = 0;
  let bred = 0;
  for (const c of FIXTURE.chain) {
    const rng = new PythonRandom(c.seed, { libm });
    const population: Individual[] = [];
    for (const [i, e] of c.events.entries()) {
      const ind = { lrLog10: fromBits(e.lr_log10), loss: fromBits(e.loss) };
      if (e.kind === "proposal") {
        const p = propose(rng, population);
        assert.equal(p.lrLog10, ind.lrLog10, `seed ${c.seed} (${c.pattern}), event ${i}`);
        proposals++;
        if (p.origin === "bred") bred++;
      }
      population.push(ind);
    }
  }
  assert.equal(proposals, 7 * 40);
  assert.ok(bred >= 7 * 30, `${bred} bred proposals`);
  assert.equal(libm.misses, 0);
});

Deno.test("propose() draws the first 8 individuals uniformly, at odd random() indices", () => {
  const rng = new PythonRandom(3);
  const raw = new PythonRandom(3);
  const population: Individual[] = [];
  for (let i = 0; i < 8; i++) {
    const p = propose(rng, population);
    raw.random();
    assert.equal(p.origin, "init");
    assert.equal(p.lrLog10, -6 + 6 * raw.random());
    population.push({ lrLog10: p.lrLog10, loss: i });
  }
  assert.equal(propose(rng, population).origin, "bred");
});

Deno.test("propose() keeps bred values inside the limits and takes parents from the 8 best", () => {
  const rng = new PythonRandom(11);
  const population: Individual[] = Array.from({ length: 20 }, (_, i) => ({
    lrLog10: -6 + 0.3 * i,
    loss: i < 8 ? i : 100 + i,
  }));
  let reinit = 0;
  let point = 0;
  for (let i = 0; i < 400; i++) {
    const p = propose(rng, population);
    assert.ok(p.lrLog10 >= -6 && p.lrLog10 <= 0);
    for (const parent of p.parents!) assert.ok(parent <= -6 + 0.3 * 7 + 1e-12);
    assert.notEqual(p.parents![0], p.parents![1]);
    if (p.reinitialised) reinit++;
    if (p.pointMutated) point++;
  }
  assert.ok(reinit > 20 && reinit < 70, `${reinit} re-inits of 400 (p 0.1)`);
  assert.ok(point > 120 && point < 200, `${point} point mutations of 400 (p 0.4)`);
});

Deno.test("propose() rejects NaN losses and bad limits", () => {
  const pop = Array.from({ length: 8 }, (_, i) => ({ lrLog10: -i / 2, loss: i }));
  assert.throws(
    () => propose(new PythonRandom(0), [...pop, { lrLog10: -1, loss: NaN }]),
    RangeError,
  );
  assert.throws(
    () => propose(new PythonRandom(0), pop, { ...PAPER_PROPAGATOR, limits: [0, -6] }),
    RangeError,
  );
});
