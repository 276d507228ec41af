/**
 * Rosenbrock as typed-array kernels (the op order of `rosenbrock.evaluate`:
 * Σ_{i<n} fr(fr(100·fr(inner²)) + fr(q²)) with inner = fr(x_{i+1} − fr(x_i²)),
 * q = fr(1 − x_i); for n = 1, fr(fr(x²)·0)).
 *
 * @module
 */
import { rowSums } from "./linear.ts";
import type { ClosedFormKernels } from "./types.ts";

const fr = Math.fround;

function value(x: Float32Array): number {
  const n = x.length;
  if (n < 2) return fr(fr(x[0] * x[0]) * 0);
  let s = 0;
  for (let i = 0; i + 1 < n; i++) {
    const h = x[i];
    const inner = fr(x[i + 1] - fr(h * h));
    const q = fr(1 - h);
    s = fr(s + fr(fr(fr(inner * inner) * 100) + fr(q * q)));
  }
  return s;
}

/**
 * Rosenbrock kernels. The gradient is tfjs's backward pass of `evaluate`:
 * per head index i, ∂inner = fr(100·fr(2 inner)), ∂head = fr(fr(−∂inner·fr(2h))
 * + −fr(2q)); the two sliced gradients are padded and added (∇f_i =
 * fr(∂head_i + ∂inner_{i−1}), zeros outside).
 *
 * @example
 * ```ts
 * import { rosenbrockKernels } from "./rosenbrock.ts";
 * rosenbrockKernels.value(new Float32Array([-1, 0, 0])); // 105
 * ```
 */
export const rosenbrockKernels: ClosedFormKernels = {
  value,
  valueAndGradient(x, g) {
    const n = x.length;
    if (n < 2) {
      g[0] = fr(0 * fr(x[0] * 2));
      return value(x);
    }
    let s = 0;
    let prevInner = 0; // ∂f/∂tail_{i−1}, i.e. the padded tail gradient at i
    for (let i = 0; i + 1 < n; i++) {
      const h = x[i];
      const inner = fr(x[i + 1] - fr(h * h));
      const q = fr(1 - h);
      s = fr(s + fr(fr(fr(inner * inner) * 100) + fr(q * q)));
      const dInner = fr(100 * fr(inner * 2));
      const dHead = fr(fr(-dInner * fr(h * 2)) + -fr(q * 2));
      g[i] = fr(dHead + prevInner);
      prevInner = dInner;
    }
    g[n - 1] = fr(0 + prevInner);
    return s;
  },
  valueAndDirectional(x, v, k, d) {
    const n = x.length;
    if (n < 2) {
      const c = fr(x[0] * 2);
      for (let j = 0; j < k; j++) d[j] = fr(fr(0 + fr(v[j] * c)) * 0);
      return value(x);
    }
    const m = n - 1;
    const ch = new Float32Array(m); // fr(2h)
    const ci = new Float32Array(m); // fr(2 inner)
    const cq = new Float32Array(m); // fr(2q)
    let s = 0;
    for (let i = 0; i < m; i++) {
      const h = x[i];
      const inner = fr(x[i + 1] - fr(h * h));
      const q = fr(1 - h);
      s = fr(s + fr(fr(fr(inner * inner) * 100) + fr(q * q)));
      ch[i] = h * 2;
      ci[i] = inner * 2;
      cq[i] = q * 2;
    }
    rowSums(k, m, d, (j, i) => {
      const o = j * n + i;
      const th = v[o];
      const tInner = fr(v[o + 1] - fr(th * ch[i]));
      return fr(fr(fr(tInner * ci[i]) * 100) + fr(-th * cq[i]));
    });
    return s;
  },
};
