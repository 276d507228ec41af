import assert from "node:assert/strict";
import { startPosition } from "../../src/functions/starts.ts";
import { START_KEYS, type StartKey } from "../../src/functions/types.ts";

Deno.test("startPosition() builds every key of the spec", () => {
  assert.deepEqual([...startPosition("0", 3)], [0, 0, 0]);
  assert.deepEqual([...startPosition("-0.5", 3)], [-0.5, -0.5, -0.5]);
  assert.deepEqual([...startPosition("-+0.5", 5)], [-0.5, 0.5, -0.5, 0.5, -0.5]);
  assert.deepEqual([...startPosition("-10", 4)], [-1, 0, 0, 0]);
  assert.deepEqual([...startPosition("-1", 2)], [-1, -1]);
  assert.equal(START_KEYS.length, 5);
});

Deno.test("startPosition() rejects a bad key or n", () => {
  assert.throws(() => startPosition("7" as StartKey, 2), /unknown key "7"/);
  assert.throws(() => startPosition("0", 0), RangeError);
});
