/**
 * `deno task site [--serve] [--port 8000] [--out dist/site] [--screenshot docs/site.png]`:
 * builds the interactive page (site/) into static files with esbuild
 * (tasks/site/build.ts); `--serve` then serves them on 127.0.0.1 until
 * interrupted; `--screenshot` renders the page in headless Chromium and
 * writes a PNG (for the README).
 *
 * @module
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseFlags, runMain, UsageError } from "../src/cli/args.ts";
import { buildSite, SITE_OUT } from "./site/build.ts";
import { serveStatic } from "./site/serve.ts";
import { Browser, CHROMIUM_PATH, hasChromium } from "./site/cdp.ts";

const USAGE = [
  "Usage: deno task site [--serve] [--port 8000] [--out dist/site] [--screenshot out.png]",
  "",
  "Builds the interactive page into static files (default dist/site/).",
  "  --serve        serve the built page on http://127.0.0.1:<port>/ until Ctrl-C",
  "  --port         port for --serve (default 8000; 0 = any free port)",
  "  --out          output folder (default dist/site)",
  "  --screenshot   render the page in headless Chromium and write this PNG",
].join("\n");

await runMain(async () => {
  const { values } = parseFlags(Deno.args, {
    serve: { type: "boolean" },
    port: { type: "string" },
    out: { type: "string" },
    screenshot: { type: "string" },
    help: { type: "boolean", short: "h" },
  }, { help: { port: "a port number, 0…65535", out: "a folder", screenshot: "a .png path" } });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = values.port === undefined ? 8000 : Number(values.port);
  if (values.port !== undefined && (!/^\d+$/.test(values.port) || port > 65535)) {
    throw new UsageError(`--port must be an integer in 0…65535, got "${values.port}"`);
  }
  if (values.screenshot !== undefined && !values.screenshot.endsWith(".png")) {
    throw new UsageError(`--screenshot must name a .png file, got "${values.screenshot}"`);
  }
  if (values.screenshot !== undefined && !hasChromium()) {
    throw new UsageError(
      `--screenshot needs Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`,
    );
  }
  const out = values.out ? resolve(values.out) : SITE_OUT;
  const t0 = performance.now();
  const built = await buildSite(out);
  console.log(
    `site: ${built.files.length} files in ${out} (${
      (built.jsBytes / 1e6).toFixed(2)
    } MB of JavaScript) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (values.screenshot) {
    const server = await serveStatic(out, 0);
    const browser = await Browser.launch(1280, 1500);
    try {
      await browser.goto(
        `${server.url}index.html?fn=styblinski-tang&x=0.4&y=-0.6&k=1&lr=0.01&steps=150&seed=2&n=64`,
      );
      await browser.waitFor(
        "document.body.dataset.state === 'ready' && JSON.parse(document.getElementById('results').textContent).approx.done",
        300_000,
      );
      await writeFile(values.screenshot, await browser.screenshot());
      console.log(`site: screenshot ${values.screenshot}`);
    } finally {
      await browser.close();
      await server.close();
    }
  }
  if (values.serve) {
    const server = await serveStatic(out, port);
    console.log(`site: serving ${out} at ${server.url} (Ctrl-C to stop)`);
    await new Promise(() => {});
  }
});
