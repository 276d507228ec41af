// The interactive page in a real browser: `buildSite` bundles site/ with
// esbuild, a node:http server serves it, headless Chromium (Debian's
// /usr/bin/chromium, driven over CDP) loads it; the test clicks a point on
// the contour plot, raises k with the keyboard, types an LR and runs the
// descent, and checks every number the page computed against the library run
// here in Deno on the same seed and backend. A second bundle evaluates the
// whole of mod.ts in the browser. Ignored only when no Chromium exists.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "npm:@tensorflow/tfjs@4.22.0";
import * as lib from "../../mod.ts";
import {
  AGGREGATIONS,
  bpOracle,
  chiMean,
  createGradientOracle,
  directionalDerivatives,
  fg,
  forwardGradient,
  getFunction,
  gradientDescent,
  initBackend,
  plotDomain,
  Rng,
  sampleTangents,
} from "../../mod.ts";
import { buildSite, bundleForBrowser, ROOT } from "../../tasks/site/build.ts";
import { Browser, CHROMIUM_PATH, hasChromium } from "../../tasks/site/cdp.ts";
import { serveStatic } from "../../tasks/site/serve.ts";

const CHROMIUM = hasChromium();
const NAME = CHROMIUM
  ? "site: the page in headless Chromium computes what the library computes in Deno"
  : `site: ignored because no Chromium exists at ${CHROMIUM_PATH} (apt-get install -y chromium)`;

interface Estimate {
  aggregation: string;
  gradient: number[];
  cosine: number;
  normRatio: number;
}
interface Trajectory {
  path: number[][];
  y: number[];
  stopReason: string;
}
interface PageResults {
  backend: string;
  settings: Record<string, number | string>;
  point: {
    x: number[];
    f: number;
    gradient: number[];
    tangents: number[][];
    d: number[];
    estimates: Estimate[];
  };
  descent: { bp: Trajectory; fg: Trajectory };
  approx: { done: boolean; points: { k: number; frog: number; mean: number; theory: number }[] };
}

const results = (b: Browser) =>
  b.evaluate<string>("document.getElementById('results').textContent").then((t) =>
    JSON.parse(t) as PageResults
  );
const READY = "document.body.dataset.state === 'ready'";

function close(actual: number, expected: number, rel: number, what: string): void {
  const tol = rel * Math.max(1, Math.abs(expected));
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: page ${actual}, Deno ${expected} (tolerance ${tol})`,
  );
}
function closeAll(a: number[], e: ArrayLike<number>, rel: number, what: string): void {
  assert.equal(a.length, e.length, `${what}: length`);
  a.forEach((v, i) => close(v, e[i], rel, `${what}[${i}]`));
}
function cos(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    [ab, aa, bb] = [ab + a[i] * b[i], aa + a[i] ** 2, bb + b[i] ** 2];
  }
  return ab / Math.sqrt(aa * bb);
}

/** The page's point analysis recomputed with the library in Deno. */
function checkPoint(page: PageResults, rel: number): void {
  const s = page.settings;
  const fn = getFunction(String(s.fn));
  const k = Number(s.k), n = 2;
  const sampler = s.sampler === "specific_angle" ? `specific_angle_${s.angle}` : String(s.sampler);
  const v = sampleTangents(new Rng(Number(s.seed), "site", "tangents"), sampler, k, n);
  assert.deepEqual(page.point.tangents.flat(), Array.from(v), "tangents (same seed, same stream)");
  tf.tidy(() => {
    const x = tf.tensor1d(page.point.x);
    const { value, gradient } = bpOracle(fn).valueAndGradient(x);
    close(page.point.f, value.dataSync()[0], rel, "f(x)");
    const g = gradient.dataSync();
    closeAll(page.point.gradient, g, rel, "∇f");
    // Independent oracle: the float64 closed form by central differences.
    const h = 1e-4;
    const fd = [0, 1].map((i) => {
      const p = [...page.point.x], m = [...page.point.x];
      p[i] += h;
      m[i] -= h;
      return (fn.reference(p) - fn.reference(m)) / (2 * h);
    });
    closeAll(page.point.gradient, fd, 1e-3, "∇f against finite differences");
    const vt = tf.tensor2d(v, [k, n]);
    const d = directionalDerivatives((p) => fn.evaluate(p as tf.Tensor1D), [x], [vt]);
    closeAll(page.point.d, d.dataSync(), rel, "directional derivatives");
    assert.deepEqual(page.point.estimates.map((e) => e.aggregation), [...AGGREGATIONS]);
    for (const e of page.point.estimates) {
      const est = forwardGradient(vt, d, e.aggregation).dataSync();
      closeAll(e.gradient, est, rel, e.aggregation);
      close(e.cosine, cos(est, g), rel, `${e.aggregation} cosine`);
      close(
        e.normRatio,
        Math.hypot(est[0], est[1]) / Math.hypot(g[0], g[1]),
        rel,
        `${e.aggregation} norm ratio`,
      );
    }
  });
}

/** The page's descents recomputed with the library in Deno. */
function checkDescent(page: PageResults, rel: number): void {
  const s = page.settings;
  const fn = getFunction(String(s.fn));
  const opts = {
    lr: Number(s.lr),
    maxSteps: Number(s.steps),
    patience: 0,
    start: Float32Array.from(page.point.x),
  };
  const bp = gradientDescent(fn, bpOracle(fn), opts);
  const sampler = s.sampler === "specific_angle" ? `specific_angle_${s.angle}` : String(s.sampler);
  const spec = fg(Number(s.k), String(s.agg), { sampler });
  const fgr = gradientDescent(fn, createGradientOracle(fn, spec, Number(s.seed), 2), opts);
  for (
    const [name, mine, page_] of [["bp", bp, page.descent.bp], [
      "fg",
      fgr,
      page.descent.fg,
    ]] as const
  ) {
    assert.equal(page_.y.length, Number(s.steps) + 1, `${name}: one f per step`);
    assert.equal(page_.path.length, Number(s.steps) + 1, `${name}: one position per step`);
    closeAll(page_.y, mine.y, rel, `${name} f(x_t)`);
    closeAll(page_.path[page_.path.length - 1], mine.x, rel, `${name} final x`);
    closeAll(page_.path[0], Float32Array.from(page.point.x), 0, `${name} starts at the point`);
  }
}

/** The page's approximation-quality curve recomputed with the library in Deno. */
function checkApprox(page: PageResults, rel: number): void {
  const { n, samples, seed } = page.settings as Record<string, number>;
  assert.ok(page.approx.done, "the replay finished");
  assert.equal(page.approx.points[0].k, 1);
  assert.equal(page.approx.points[page.approx.points.length - 1].k, n);
  for (const p of page.approx.points) {
    const rng = new Rng(seed, "site", "approx", p.k);
    let frog = 0;
    for (let i = 0; i < samples; i++) {
      const g = rng.normal(new Float32Array(n));
      const v = sampleTangents(rng, "normal", p.k, n);
      tf.tidy(() => {
        const vt = tf.tensor2d(v, [p.k, n]);
        const d = tf.matMul(vt, tf.tensor2d(g, [n, 1])).reshape([p.k]);
        frog += cos(forwardGradient(vt, d, "orthogonal_projection").dataSync(), g);
      });
    }
    close(p.frog, frog / samples, rel, `cos frog at k = ${p.k}`);
    close(p.theory, chiMean(p.k) / chiMean(n), 1e-12, `E[χk]/E[χn] at k = ${p.k}`);
  }
  close(page.approx.points[page.approx.points.length - 1].frog, 1, 1e-4, "frog at k = n is exact");
}

/** Viewport pixel of a domain point on the contour canvas. */
async function pixelOf(
  b: Browser,
  fnName: string,
  x: number,
  y: number,
): Promise<[number, number]> {
  const r = await b.evaluate<{ left: number; top: number; width: number; height: number }>(
    "(() => { const r = document.getElementById('contour').getBoundingClientRect(); return { left: r.left, top: r.top, width: r.width, height: r.height }; })()",
  );
  const [[x0, x1], [y0, y1]] = plotDomain(fnName);
  return [r.left + ((x - x0) / (x1 - x0)) * r.width, r.top + ((y1 - y) / (y1 - y0)) * r.height];
}

Deno.test(
  { name: NAME, ignore: !CHROMIUM, sanitizeOps: false, sanitizeResources: false },
  async (t) => {
    await initBackend("wasm");
    const dir = await mkdtemp(join(tmpdir(), "fg-site-"));
    const built = await buildSite(dir);
    for (const f of ["index.html", "main.js", "style.css", "tfjs-backend-wasm-simd.wasm"]) {
      assert.ok(built.files.includes(f), `the build has ${f}`);
    }
    // The whole library, evaluated in the browser (no tree shaking: `import *`).
    await writeFile(
      join(dir, "all.ts"),
      `import * as lib from ${JSON.stringify(join(ROOT, "mod.ts"))};\n` +
        `let nodeOnly = "";\ntry { lib.decodeImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]), "x.png"); } catch (e) { nodeOnly = String(e.message); }\n` +
        `globalThis.libraryCheck = { exports: Object.keys(lib).length, frog: Array.from(lib.forwardGradient(lib.tangentsTensor(new Float32Array([1, 1, 1, -1]), 2), lib.tangentsTensor(new Float32Array([8, -2]), 2, []), "orthogonal_projection").dataSync()), nodeOnly };\n`,
    );
    await bundleForBrowser({ all: join(dir, "all.ts") }, dir);
    await writeFile(
      join(dir, "all.html"),
      `<!doctype html><script type="module" src="all.js"></script>`,
    );
    const server = await serveStatic(dir, 0);
    const browser = await Browser.launch(1280, 1400);
    try {
      await t.step(
        "all of mod.ts loads in the browser; Node-only parts say so when used",
        async () => {
          await browser.goto(`${server.url}all.html`);
          await browser.waitFor("globalThis.libraryCheck");
          const c = await browser.evaluate<{ exports: number; frog: number[]; nodeOnly: string }>(
            "globalThis.libraryCheck",
          );
          assert.equal(c.exports, Object.keys(lib).length, "every export of mod.ts");
          closeAll(c.frog, [3, 5], 1e-6, "frog with k = n recovers g = (3, 5)");
          assert.match(c.nodeOnly, /not available in a browser/);
        },
      );

      const base = "fn=rosenbrock&seed=7&k=2&steps=40&n=12&samples=4&lr=0.001&backend=wasm";
      await browser.goto(`${server.url}index.html?${base}`);
      await browser.waitFor(
        `${READY} && JSON.parse(document.getElementById('results').textContent).approx.done`,
      );
      let page = await results(browser);
      assert.equal(page.backend, "wasm");

      await t.step("click a point: true gradient, tangents and every aggregation", async () => {
        const [px, py] = await pixelOf(browser, "rosenbrock", 0.5, 1.5);
        await browser.click(px, py);
        await browser.waitFor(
          `${READY} && Math.abs(JSON.parse(document.getElementById('results').textContent).point.x[0] - 0.5) < 0.05`,
        );
        page = await results(browser);
        // One pixel of the 520-px canvas is 4/520 ≈ 0.008 in x and y.
        close(page.point.x[0], 0.5, 0.01, "clicked x");
        close(page.point.x[1], 1.5, 0.01, "clicked y");
        checkPoint(page, 1e-5);
        checkDescent(page, 1e-5);
      });

      await t.step("raise k with the keyboard; the URL carries it", async () => {
        await browser.evaluate("document.getElementById('k').focus()");
        await browser.press("ArrowUp");
        await browser.waitFor(
          `${READY} && JSON.parse(document.getElementById('results').textContent).settings.k === 3`,
        );
        page = await results(browser);
        assert.equal(page.point.tangents.length, 3);
        assert.match(await browser.evaluate<string>("location.search"), /[?&]k=3(&|$)/);
        checkPoint(page, 1e-5);
        const frog = page.point.estimates.find((e) => e.aggregation === "orthogonal_projection")!;
        close(frog.cosine, 1, 1e-5, "frog with k ≥ n is the gradient");
      });

      await t.step("type an LR and run the descent from the keyboard", async () => {
        await browser.evaluate(
          "(() => { const e = document.getElementById('lr'); e.focus(); e.select(); })()",
        );
        await browser.page("Input.insertText", { text: "0.0005" });
        await browser.evaluate("document.getElementById('run').focus()");
        await browser.press("Enter");
        await browser.waitFor(
          `${READY} && JSON.parse(document.getElementById('results').textContent).settings.lr === 0.0005`,
        );
        page = await results(browser);
        checkDescent(page, 1e-5);
        assert.ok(page.descent.bp.y[40] < page.descent.bp.y[0], "bp descends");
      });

      await t.step("arrow keys on the focused plot move the point", async () => {
        const before = page.point.x;
        await browser.evaluate("document.getElementById('contour').focus()");
        await browser.press("ArrowRight");
        await browser.waitFor(
          `${READY} && JSON.parse(document.getElementById('results').textContent).point.x[0] !== ${
            before[0]
          }`,
        );
        const moved = await results(browser);
        // One arrow step is 1/50 of the window: 4/50 in x for Rosenbrock's [-2, 2].
        close(moved.point.x[0], before[0] + 4 / 50, 1e-5, "x after ArrowRight");
        close(moved.point.x[1], before[1], 1e-5, "y after ArrowRight");
        checkPoint(moved, 1e-5);
        checkDescent(moved, 1e-5);
      });

      await t.step("specific-angle tangents are at the chosen angle", async () => {
        await browser.evaluate(
          "(() => { const a = document.getElementById('angle'); a.value = '60'; a.dispatchEvent(new Event('change')); const e = document.getElementById('sampler'); e.value = 'specific_angle'; e.dispatchEvent(new Event('change')); })()",
        );
        await browser.waitFor(
          `${READY} && JSON.parse(document.getElementById('results').textContent).settings.sampler === 'specific_angle'`,
        );
        const angled = await results(browser);
        assert.equal(angled.settings.angle, 60);
        const [b, ...rest] = angled.point.tangents;
        for (const v of rest) {
          close(cos(b, v), 0.5, 1e-6, "cos between the first and another tangent");
        }
        checkPoint(angled, 1e-5);
        checkDescent(angled, 1e-5);
        page = angled;
      });

      await t.step("the approximation-quality replay matches the library and the theory", () => {
        checkApprox(page, 1e-5);
      });

      await t.step("a shared URL reproduces the view", async () => {
        const search = await browser.evaluate<string>("location.search");
        await browser.goto(`${server.url}index.html${search}`);
        await browser.waitFor(
          `${READY} && JSON.parse(document.getElementById('results').textContent).approx.done`,
        );
        const again = await results(browser);
        assert.deepEqual(again.point, page.point);
        assert.deepEqual(again.descent, page.descent);
      });

      await t.step(
        "auto starts webgl where the browser has it (else wasm), same numbers",
        async () => {
          await browser.goto(
            `${server.url}index.html?fn=styblinski-tang&x=1&y=-2&seed=3&k=1&steps=20&n=4&samples=2`,
          );
          await browser.waitFor(READY);
          const auto = await results(browser);
          assert.ok(["webgl", "wasm"].includes(auto.backend), auto.backend);
          checkPoint(auto, auto.backend === "wasm" ? 1e-5 : 1e-3);
          checkDescent(auto, auto.backend === "wasm" ? 1e-5 : 1e-3);
        },
      );
    } finally {
      await browser.close();
    }
    const noWebgl = await Browser.launch(1280, 1400);
    try {
      // A browser without WebGL: every canvas refuses a webgl context.
      await noWebgl.page("Page.addScriptToEvaluateOnNewDocument", {
        source: `for (const C of [HTMLCanvasElement, OffscreenCanvas]) {
        const get = C.prototype.getContext;
        C.prototype.getContext = function (type, ...rest) {
          return /webgl/.test(type) ? null : get.call(this, type, ...rest);
        };
      }`,
      });
      await t.step("auto falls back to wasm without WebGL", async () => {
        await noWebgl.goto(`${server.url}index.html?fn=sphere&seed=1&k=1&steps=10&n=4&samples=2`);
        await noWebgl.waitFor(READY);
        const page = await results(noWebgl);
        assert.equal(page.backend, "wasm", noWebgl.logs.join("\n"));
        checkPoint(page, 1e-5);
      });
    } finally {
      await noWebgl.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
);
