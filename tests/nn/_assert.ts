// Minimal assertions on top of node:assert (JSR's @std/assert is not reachable).
import nodeAssert from "node:assert/strict";

/** Throws when `cond` is false. */
export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new Error(msg);
}

/** Deep equality. */
export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  if (msg === undefined) nodeAssert.deepStrictEqual(actual, expected);
  else nodeAssert.deepStrictEqual(actual, expected, msg);
}

/** |a − b| ≤ tol. */
export function assertClose(a: number, b: number, tol: number, msg = ""): void {
  if (!(Math.abs(a - b) <= tol)) throw new Error(`${msg} expected ${a} ≈ ${b} (tol ${tol})`);
}

/** Expects `fn` to throw an instance of `cls` whose message includes `text`. */
export function assertThrows(
  fn: () => unknown,
  cls: new (...a: never[]) => Error,
  text = "",
): Error {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof cls)) throw new Error(`expected ${cls.name}, got ${e}`);
    if (!e.message.includes(text)) throw new Error(`expected "${text}" in "${e.message}"`);
    return e;
  }
  throw new Error(`expected ${cls.name} to be thrown`);
}

/** Async variant of {@link assertThrows}. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  cls: new (...a: never[]) => Error,
  text = "",
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    if (!(e instanceof cls)) throw new Error(`expected ${cls.name}, got ${e}`);
    if (!e.message.includes(text)) throw new Error(`expected "${text}" in "${e.message}"`);
    return e;
  }
  throw new Error(`expected ${cls.name} to be thrown`);
}
