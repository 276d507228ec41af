import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import { assertEquals, assertThrows } from "./_assert.ts";
import { initBackend } from "../../src/backend.ts";
import { limitSplit, type SplitSource, spreadSplit } from "../../src/nn/data_source.ts";
import { evaluate } from "../../src/nn/trainer.ts";
import { createFc } from "../../src/nn/fc.ts";
import { disposeModel } from "../../src/nn/model.ts";

await initBackend("cpu");

/** A class-ordered split (as CIFAR-10's image-folder test split): sample i has label ⌊i / 10⌋. */
function ordered(count: number, seen: number[] = []): SplitSource {
  return {
    count,
    batch(idx) {
      seen.push(...Array.from(idx));
      const ys = Array.from(idx, (i) => Math.floor(i / 10));
      return {
        x: tf.tensor2d(ys.flatMap((c) => [c, 1]), [ys.length, 2]),
        y: tf.tensor1d(ys, "int32"),
      };
    },
  };
}

Deno.test("spreadSplit() takes n evenly spaced samples: every class of a class-ordered split", () => {
  const seen: number[] = [];
  const s = spreadSplit(ordered(100, seen), 10);
  assertEquals(s.count, 10);
  const { x, y } = s.batch([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assertEquals(Array.from(y.dataSync()), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assertEquals(seen, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  tf.dispose([x, y]);
  // the first n (limitSplit) would be one class
  const first = limitSplit(ordered(100), 10).batch([0, 9]);
  assertEquals(Array.from(first.y.dataSync()), [0, 0]);
  tf.dispose([first.x, first.y]);
  const whole = ordered(5);
  assertEquals(spreadSplit(whole, 5), whole);
  assertEquals(spreadSplit(whole, undefined), whole);
  assertThrows(() => s.batch([10]), RangeError, "sample 10");
});

Deno.test("evaluate() on a spread subset sees every class (the trainer's eval limit)", async () => {
  const model = createFc({ width: 4, inputSize: 2, numClasses: 10, seed: 0 });
  const seen: number[] = [];
  await evaluate(model, spreadSplit(ordered(1000, seen), 20), 7);
  assertEquals(new Set(seen.map((i) => Math.floor(i / 10) % 100)).size > 1, true);
  assertEquals(
    new Set(seen.map((i) => Math.floor(i / 100))).size,
    10,
    "all ten tenths of the split",
  );
  disposeModel(model);
});
