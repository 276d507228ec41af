import assert from "node:assert/strict";
import { chiMean, lnGamma } from "../../src/core/lgamma.ts";
import { close } from "./_helpers.ts";

function gammaInt(m: number): number {
  let g = 1;
  for (let i = 2; i < m; i++) g *= i;
  return g;
}

Deno.test("lnGamma() matches log factorials and Γ(½) = √π", () => {
  for (let m = 1; m <= 30; m++) {
    close(
      lnGamma(m),
      Math.log(gammaInt(m)),
      1e-12 * Math.max(1, Math.log(gammaInt(m))),
      `lnΓ(${m})`,
    );
  }
  close(lnGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14);
  close(lnGamma(1.5), Math.log(Math.sqrt(Math.PI) / 2), 1e-14);
  close(lnGamma(0.1), 2.252712651734206, 1e-13);
  assert.throws(() => lnGamma(0), RangeError);
  assert.throws(() => lnGamma(-1), RangeError);
});

Deno.test("chiMean() matches √2·Γ((m+1)/2)/Γ(m/2) from direct Γ for small m", () => {
  // Γ of half-integers: Γ(j + ½) = (2j)! √π / (4^j j!).
  const gammaHalf = (x: number) => {
    if (Number.isInteger(x)) return gammaInt(x);
    const j = x - 0.5;
    return (gammaInt(2 * j + 1) * Math.sqrt(Math.PI)) / (4 ** j * gammaInt(j + 1));
  };
  for (let m = 1; m <= 40; m++) {
    const direct = Math.SQRT2 * gammaHalf((m + 1) / 2) / gammaHalf(m / 2);
    close(chiMean(m), direct, 1e-12 * direct, `E[χ_${m}]`);
  }
  close(chiMean(1), Math.sqrt(2 / Math.PI), 1e-15);
});

Deno.test("chiMean() is finite up to 1e6 and beyond, continuous at the series switch, and ≈ √(m − ½)", () => {
  for (const m of [343, 500, 1000, 1001, 65536, 2e6, 1e7, 1e12]) {
    const c = chiMean(m);
    assert.ok(Number.isFinite(c), `m=${m}`);
    close(c, Math.sqrt(m - 0.5), 1e-3 * Math.sqrt(m) / m + 1e-9, `m=${m}`);
  }
  // Both routes agree where they meet (lnΓ difference loses < 1e-12 there).
  const lnRoute = (m: number) => Math.SQRT2 * Math.exp(lnGamma((m + 1) / 2) - lnGamma(m / 2));
  close(chiMean(1001), lnRoute(1001), 1e-12 * chiMean(1001));
  // 1e6 against the exact value 999.99975000003125004 (mpmath).
  close(chiMean(1e6), 999.99975000003125, 1e-12 * 1000);
});
