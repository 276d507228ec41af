/**
 * The two-dimensional test functions the reference defines but the paper does
 * not use (spec §3.1): Beale, EggCrate, Ackley, Forest, Goldstein–Price,
 * Levy–Montalvo N.1 and the three-hump camel. Each takes x = (x, y) of shape
 * [2]; start `-1` = (−1, −1) and 1000 steps by default (the reference's
 * plotting defaults are irrelevant here).
 *
 * @module
 */
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import type { TestFunction } from "./types.ts";

/** Splits x of shape [2] into two tensors of shape [1]. */
function xy(x: tf.Tensor1D): [tf.Tensor1D, tf.Tensor1D] {
  if (x.shape[0] !== 2) {
    throw new TypeError(`Cannot evaluate a 2-D function: x must have shape [2], got [${x.shape}]`);
  }
  return [tf.slice(x, [0], [1]), tf.slice(x, [1], [1])];
}

/** Sums a [1] tensor to a scalar. */
const scalar = (t: tf.Tensor): tf.Scalar => tf.sum(t);

function twoD(
  name: string,
  minimum: number,
  evaluate: (x: tf.Tensor1D, y: tf.Tensor1D) => tf.Tensor,
  reference: (x: number, y: number) => number,
): TestFunction {
  return {
    name,
    dimension: 2,
    maxSteps: 1000,
    defaultStart: "-1",
    evaluate: (v) => {
      const [x, y] = xy(v);
      return scalar(evaluate(x, y));
    },
    reference: (v) => {
      if (v.length !== 2) {
        throw new TypeError(`Cannot evaluate ${name}: x must have length 2, got ${v.length}`);
      }
      return reference(v[0], v[1]);
    },
    globalMinimum: () => minimum,
  };
}

const sq = tf.square;
const cube = (t: tf.Tensor) => tf.mul(tf.square(t), t);

/** Beale: (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)², minimum 0 at (3, 0.5). */
export const beale: TestFunction = twoD(
  "beale",
  0,
  (x, y) =>
    tf.addN([
      sq(tf.add(tf.sub(1.5, x), tf.mul(x, y))),
      sq(tf.add(tf.sub(2.25, x), tf.mul(x, sq(y)))),
      sq(tf.add(tf.sub(2.625, x), tf.mul(x, cube(y)))),
    ]),
  (x, y) => (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2,
);

/** EggCrate: x² + y² + 25 (sin²x + sin²y), minimum 0 at the origin. */
export const eggCrate: TestFunction = twoD(
  "eggcrate",
  0,
  (x, y) => tf.add(tf.add(sq(x), sq(y)), tf.mul(tf.add(sq(tf.sin(x)), sq(tf.sin(y))), 25)),
  (x, y) => x * x + y * y + 25 * (Math.sin(x) ** 2 + Math.sin(y) ** 2),
);

/** Ackley: −20 exp(−0.2 √(0.5(x²+y²))) − exp(0.5(cos 2πx + cos 2πy)) + e + 20, minimum 0 at the origin. */
export const ackley: TestFunction = twoD(
  "ackley",
  0,
  (x, y) => {
    const r = tf.sqrt(tf.mul(tf.add(sq(x), sq(y)), 0.5));
    const c = tf.add(tf.cos(tf.mul(x, 2 * Math.PI)), tf.cos(tf.mul(y, 2 * Math.PI)));
    return tf.add(
      tf.sub(tf.mul(tf.exp(tf.mul(r, -0.2)), -20), tf.exp(tf.mul(c, 0.5))),
      Math.E + 20,
    );
  },
  (x, y) =>
    -20 * Math.exp(-0.2 * Math.sqrt(0.5 * (x * x + y * y))) -
    Math.exp(0.5 * (Math.cos(2 * Math.PI * x) + Math.cos(2 * Math.PI * y))) + Math.E + 20,
);

/** Forest: (|x| + |y|) · exp(−sin(x²) + sin(y²)), minimum 0 at the origin. */
export const forest: TestFunction = twoD(
  "forest",
  0,
  (x, y) => tf.mul(tf.add(tf.abs(x), tf.abs(y)), tf.exp(tf.sub(tf.sin(sq(y)), tf.sin(sq(x))))),
  (x, y) => (Math.abs(x) + Math.abs(y)) * Math.exp(-Math.sin(x * x) + Math.sin(y * y)),
);

/** Goldstein–Price (standard form), minimum 3 at (0, −1). */
export const goldsteinPrice: TestFunction = twoD(
  "goldstein_price",
  3,
  (x, y) => {
    const xy = tf.mul(x, y);
    const a = tf.add(
      1,
      tf.mul(
        sq(tf.add(tf.add(x, y), 1)),
        tf.addN([
          tf.add(tf.mul(x, -14), 19),
          tf.mul(sq(x), 3),
          tf.mul(y, -14),
          tf.mul(xy, 6),
          tf.mul(sq(y), 3),
        ]),
      ),
    );
    const b = tf.add(
      30,
      tf.mul(
        sq(tf.sub(tf.mul(x, 2), tf.mul(y, 3))),
        tf.addN([
          tf.add(tf.mul(x, -32), 18),
          tf.mul(sq(x), 12),
          tf.mul(y, 48),
          tf.mul(xy, -36),
          tf.mul(sq(y), 27),
        ]),
      ),
    );
    return tf.mul(a, b);
  },
  (x, y) =>
    (1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y)) *
    (30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y)),
);

/**
 * Levy–Montalvo N.1 with x̄ = 1 + (x − 1)/4:
 * π/2 · [10 sin²(πx̄) + (x̄ − 1)²(1 + 10 sin²(πȳ)) + (ȳ − 1)²], minimum 0 at (1, 1).
 */
export const levyMontalvo: TestFunction = twoD(
  "levy_montalvo",
  0,
  (x, y) => {
    const xb = tf.add(tf.mul(tf.sub(x, 1), 0.25), 1);
    const yb = tf.add(tf.mul(tf.sub(y, 1), 0.25), 1);
    const sinSq = (t: tf.Tensor) => sq(tf.sin(tf.mul(t, Math.PI)));
    return tf.mul(
      tf.addN([
        tf.mul(sinSq(xb), 10),
        tf.mul(sq(tf.sub(xb, 1)), tf.add(tf.mul(sinSq(yb), 10), 1)),
        sq(tf.sub(yb, 1)),
      ]),
      Math.PI / 2,
    );
  },
  (x, y) => {
    const xb = 1 + (x - 1) / 4;
    const yb = 1 + (y - 1) / 4;
    return Math.PI / 2 *
      (10 * Math.sin(Math.PI * xb) ** 2 + (xb - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * yb) ** 2) +
        (yb - 1) ** 2);
  },
);

/** Three-hump camel: 2x² − 1.05x⁴ + x⁶/6 + xy + y², minimum 0 at the origin. */
export const threeHumpCamel: TestFunction = twoD(
  "three_hump_camel",
  0,
  (x, y) => {
    const x2 = sq(x);
    const x4 = sq(x2);
    return tf.addN([
      tf.mul(x2, 2),
      tf.mul(x4, -1.05),
      tf.mul(tf.mul(x4, x2), 1 / 6),
      tf.mul(x, y),
      sq(y),
    ]);
  },
  (x, y) => 2 * x * x - 1.05 * x ** 4 + x ** 6 / 6 + x * y + y * y,
);
