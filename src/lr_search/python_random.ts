/**
 * A port of CPython's `random.Random` (Lib/random.py on top of the MT19937
 * generator of Modules/_randommodule.c), written from the published
 * algorithms so that a seed gives the same numbers as Python, bit for bit.
 *
 * This is the one exception to the project's "randomness only through `Rng`"
 * rule: the learning-rate search must draw exactly what propulate draws from
 * `random.Random(rank)`, so it needs Python's generator, not ours.
 *
 * What is exact: seeding from an integer, `random()`, `getrandbits`,
 * `randrange`/`randint`/`choice`/`shuffle`/`sample` (through `_randbelow`'s
 * getrandbits rejection) and `uniform`. `gauss` is exact given the values of
 * `cos`, `sin` and `log`: Python takes them from the C library (glibc on
 * Linux), JavaScript's `Math` from fdlibm, and the two differ in the last bit
 * for about 0.1 % of arguments. Pass {@link PythonRandomOptions.libm} to use
 * other implementations (the tests inject Python's recorded values).
 *
 * @module
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWOPI = 2.0 * Math.PI;

/** The transcendental functions `gauss` needs (Python's `math.cos`, `math.sin`, `math.log`). */
export interface Libm {
  /** cos(x). */
  cos(x: number): number;
  /** sin(x). */
  sin(x: number): number;
  /** Natural logarithm. */
  log(x: number): number;
}

/** JavaScript's own `Math` functions, the default {@link Libm}. */
export const JS_LIBM: Libm = { cos: Math.cos, sin: Math.sin, log: Math.log };

/** Options of {@link PythonRandom}. */
export interface PythonRandomOptions {
  /** cos, sin and log for `gauss`; default {@link JS_LIBM}. */
  libm?: Libm;
}

/** A seed as Python accepts it for an exact port: an integer (its absolute value is used). */
export type PythonSeed = number | bigint;

/** The 32-bit words of |seed|, least significant first; `[0]` for 0 (CPython's `random_seed`). */
export function seedWords(seed: PythonSeed): Uint32Array {
  if (typeof seed === "number" && !Number.isSafeInteger(seed)) {
    throw new RangeError(`Cannot seed Python's Random: expected an integer, got ${seed}`);
  }
  let n = BigInt(seed);
  if (n < 0n) n = -n;
  const words: number[] = [];
  while (n > 0n) {
    words.push(Number(n & 0xffffffffn));
    n >>= 32n;
  }
  if (words.length === 0) words.push(0);
  return Uint32Array.from(words);
}

/**
 * CPython's `random.Random`, seeded from an integer.
 *
 * @example Python's first draws for seed 0
 * ```ts
 * import { PythonRandom } from "./python_random.ts";
 * const r = new PythonRandom(0);
 * r.random(); // 0.8444218515250481, as random.Random(0).random()
 * r.uniform(-6, 0);
 * ```
 */
export class PythonRandom {
  readonly #mt = new Uint32Array(N);
  #index = N + 1;
  #gaussNext: number | null = null;
  readonly #libm: Libm;

  /** Seeds the generator as `random.Random(seed)` does. */
  constructor(seed: PythonSeed, options: PythonRandomOptions = {}) {
    this.#libm = options.libm ?? JS_LIBM;
    this.seed(seed);
  }

  /** Re-seeds as `Random.seed(seed)`: `init_by_array` on |seed|'s 32-bit words; clears the cached gauss. */
  seed(seed: PythonSeed): void {
    this.#initByArray(seedWords(seed));
    this.#gaussNext = null;
  }

  #initGenrand(s: number): void {
    const mt = this.#mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.#index = N;
  }

  #initByArray(key: Uint32Array): void {
    const mt = this.#mt;
    this.#initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.#index = N;
  }

  #twist(): void {
    const mt = this.#mt;
    for (let kk = 0; kk < N; kk++) {
      const y = (mt[kk] & UPPER_MASK) | (mt[(kk + 1) % N] & LOWER_MASK);
      mt[kk] = mt[(kk + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.#index = 0;
  }

  /** The next raw 32-bit output of MT19937 (tempered), as an unsigned number. */
  nextUint32(): number {
    if (this.#index >= N) this.#twist();
    let y = this.#mt[this.#index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random()`: a double in [0, 1) with 53 random bits, from two 32-bit outputs. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  }

  /**
   * `getrandbits(k)`: an integer with k random bits. Each 32 bits take one
   * output, least significant word first; the last word keeps its top bits.
   */
  getrandbits(k: number): bigint {
    if (!Number.isSafeInteger(k) || k < 0) {
      throw new RangeError(`Cannot draw random bits: k must be an integer ≥ 0, got ${k}`);
    }
    if (k <= 32) return BigInt(this.#smallBits(k));
    let result = 0n;
    let shift = 0n;
    for (let left = k; left > 0; left -= 32) {
      let r = this.nextUint32();
      if (left < 32) r >>>= 32 - left;
      result |= BigInt(r) << shift;
      shift += 32n;
    }
    return result;
  }

  /** getrandbits for 0 ≤ k ≤ 32 as a number. */
  #smallBits(k: number): number {
    if (k === 0) return 0;
    return this.nextUint32() >>> (32 - k);
  }

  /** `_randbelow(n)`: uniform in [0, n) by getrandbits(n.bit_length()) with rejection. */
  randbelow(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new RangeError(`Cannot draw below ${n}: expected a positive integer`);
    }
    const k = bitLength(n);
    if (k <= 32) {
      let r = this.#smallBits(k);
      while (r >= n) r = this.#smallBits(k);
      return r;
    }
    const big = BigInt(n);
    let r = this.getrandbits(k);
    while (r >= big) r = this.getrandbits(k);
    return Number(r);
  }

  /** `randrange(stop)` or `randrange(start, stop, step = 1)`, integers only. */
  randrange(start: number, stop?: number, step = 1): number {
    for (const [name, v] of [["start", start], ["stop", stop], ["step", step]] as const) {
      if (v !== undefined && !Number.isSafeInteger(v)) {
        throw new RangeError(`Cannot draw from randrange: ${name} must be an integer, got ${v}`);
      }
    }
    if (stop === undefined) {
      if (start > 0) return this.randbelow(start);
      throw new RangeError(`Cannot draw from randrange(${start}): empty range`);
    }
    const width = stop - start;
    if (step === 1) {
      if (width > 0) return start + this.randbelow(width);
      throw new RangeError(`Cannot draw from randrange(${start}, ${stop}): empty range`);
    }
    if (step === 0) throw new RangeError("Cannot draw from randrange: zero step");
    const w = BigInt(width);
    const s = BigInt(step);
    const n = floorDiv(step > 0 ? w + s - 1n : w + s + 1n, s);
    if (n <= 0n) {
      throw new RangeError(`Cannot draw from randrange(${start}, ${stop}, ${step}): empty range`);
    }
    return start + step * this.randbelow(Number(n));
  }

  /** `randint(a, b)`: an integer in [a, b], both included. */
  randint(a: number, b: number): number {
    return this.randrange(a, b + 1);
  }

  /** `choice(seq)`: one element, uniformly. */
  choice<T>(seq: readonly T[]): T {
    if (seq.length === 0) throw new RangeError("Cannot choose from an empty sequence");
    return seq[this.randbelow(seq.length)];
  }

  /** `shuffle(x)`: shuffles in place (Fisher–Yates from the end). */
  shuffle<T>(x: T[]): void {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      [x[i], x[j]] = [x[j], x[i]];
    }
  }

  /**
   * `sample(population, k)`: k distinct positions, in selection order.
   * Small populations (n ≤ setsize) are drawn from a shrinking pool, large
   * ones by rejection against the set of chosen positions, as CPython does.
   */
  sample<T>(population: readonly T[], k: number): T[] {
    const n = population.length;
    if (!Number.isSafeInteger(k) || k < 0 || k > n) {
      throw new RangeError(`Cannot sample ${k} of ${n}: sample larger than population or negative`);
    }
    const result: T[] = new Array(k);
    let setsize = 21;
    if (k > 5) setsize += 4 ** Math.ceil(Math.log(k * 3) / Math.log(4));
    if (n <= setsize) {
      const pool = population.slice();
      for (let i = 0; i < k; i++) {
        const j = this.randbelow(n - i);
        result[i] = pool[j];
        pool[j] = pool[n - i - 1];
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = this.randbelow(n);
        while (selected.has(j)) j = this.randbelow(n);
        selected.add(j);
        result[i] = population[j];
      }
    }
    return result;
  }

  /** `uniform(a, b)`: `a + (b − a)·random()`. */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.random();
  }

  /**
   * `gauss(mu, sigma)`: Box–Muller; each pair of `random()` draws gives two
   * normals, the second cached for the next call (cleared by `seed`).
   */
  gauss(mu = 0.0, sigma = 1.0): number {
    let z = this.#gaussNext;
    this.#gaussNext = null;
    if (z === null) {
      const x2pi = this.random() * TWOPI;
      const g2rad = Math.sqrt(-2.0 * this.#libm.log(1.0 - this.random()));
      z = this.#libm.cos(x2pi) * g2rad;
      this.#gaussNext = this.#libm.sin(x2pi) * g2rad;
    }
    return mu + z * sigma;
  }
}

/** Number of bits of a positive safe integer (Python's `int.bit_length`). */
function bitLength(n: number): number {
  return n < 2 ** 32 ? 32 - Math.clz32(n) : BigInt(n).toString(2).length;
}

/** Python's `//` on bigints. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n) && ((a < 0n) !== (b < 0n)) ? q - 1n : q;
}
