// The page's URL settings: a round trip keeps every value, malformed or
// out-of-range values fall back to the defaults and are named.
import assert from "node:assert/strict";
import { defaults, parseSettings, settingsQuery } from "../../site/src/settings.ts";
import { approxKs } from "../../site/src/compute.ts";

Deno.test("site settings: URL round trip", () => {
  const s = {
    ...defaults("beale"),
    x: 0.25,
    y: -1.5,
    k: 5,
    sampler: "specific_angle" as const,
    angle: 30,
    seed: 9,
    lr: 0.003,
    steps: 77,
    agg: "mean",
    n: 100,
    samples: 3,
    backend: "wasm" as const,
  };
  const { settings, problems } = parseSettings(`?${settingsQuery(s)}`);
  assert.deepEqual(problems, []);
  assert.deepEqual(settings, s);
});

Deno.test("site settings: bad values are ignored and named; defaults follow the function", () => {
  const { settings, problems } = parseSettings("?fn=sphere&k=0&lr=abc&sampler=uniform&agg=median");
  const d = defaults("sphere");
  assert.equal(settings.k, d.k);
  assert.equal(settings.lr, d.lr);
  assert.equal(settings.sampler, "normal");
  assert.equal(settings.agg, "orthogonal_projection");
  assert.deepEqual([settings.x, settings.y], [d.x, d.y]);
  assert.equal(problems.length, 4);
  assert.match(problems.join("; "), /k=0 is outside 1…16/);
  assert.match(
    problems.join("; "),
    /sampler=uniform is not one of normal, rademacher, specific_angle/,
  );
  assert.equal(
    parseSettings("?fn=nope").problems[0],
    "fn=nope is not one of " +
      "sphere, rosenbrock, styblinski-tang, beale, plane, eggcrate, ackley, forest, goldstein_price, levy_montalvo, three_hump_camel",
  );
});

Deno.test("site approxKs: 1 … n, at most 24 values", () => {
  assert.deepEqual(approxKs(5), [1, 2, 3, 4, 5]);
  for (const n of [25, 64, 256]) {
    const ks = approxKs(n);
    assert.ok(ks.length <= 24 && ks[0] === 1 && ks[ks.length - 1] === n);
    assert.ok(ks.every((k, i) => i === 0 || k > ks[i - 1]));
  }
});
