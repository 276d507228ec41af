/**
 * Minimal assertions on node:assert/strict (JSR's @std/assert is unreachable here).
 *
 * @module
 */
import assert from "node:assert/strict";

/** Deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  assert.deepStrictEqual(actual, expected, msg ?? "values differ");
}

/** Truthiness. */
export function assert_(cond: unknown, msg?: string): asserts cond {
  assert.ok(cond, msg ?? "expected a truthy value");
}

/** |actual − expected| ≤ tol. */
export function assertClose(actual: number, expected: number, tol: number, msg?: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    msg ?? `expected ${expected} ± ${tol}, got ${actual}`,
  );
}

/** `fn` throws an instance of `cls` whose message includes `includes`. */
export function assertThrows(
  fn: () => unknown,
  cls: new (...a: never[]) => Error,
  includes: string,
): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.name}`);
    assert.ok(
      (e as Error).message.includes(includes),
      `message "${(e as Error).message}" lacks "${includes}"`,
    );
    return true;
  });
}
