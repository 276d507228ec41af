/**
 * Renders the HTML report in headless Chromium and writes a PNG screenshot.
 *
 * Usage: `deno run -A tasks/screenshot.ts [page=results/latest/report/index.html]
 * [out=results/report.png] [--width 1400] [--height 2400]`. Needs Chromium (`apt-get install -y
 * chromium`, or set `$CHROMIUM`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { positiveInt, runMain, UsageError } from "../src/cli/args.ts";
import { dumpDom, findChromium, isPng, screenshot } from "../src/report/browser.ts";

await runMain(async () => {
  let parsed;
  try {
    parsed = parseArgs({
      args: Deno.args,
      options: { width: { type: "string" }, height: { type: "string" } },
      allowPositionals: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 2) {
    throw new UsageError("screenshot takes at most two arguments: page and output PNG");
  }
  const page = positionals[0] ?? "results/latest/report/index.html";
  const out = positionals[1] ?? "results/report.png";
  const width = values.width === undefined ? 1400 : positiveInt("width", values.width);
  const height = values.height === undefined ? 2400 : positiveInt("height", values.height);
  const exe = await findChromium();
  if (!exe) {
    throw new Error(
      "Cannot take a screenshot: no chromium on PATH (apt-get install -y chromium, or set CHROMIUM)",
    );
  }
  const bytes = await screenshot(exe, page, out, { width, height });
  if (!isPng(await Deno.readFile(out))) {
    throw new Error(`Cannot take a screenshot: ${out} is not a PNG`);
  }
  const dom = await dumpDom(exe, page);
  const tables = (dom.match(/<table /g) ?? []).length;
  const figures = (dom.match(/<figure /g) ?? []).length;
  console.log(
    `${out}: ${bytes} bytes; the rendered page has ${tables} tables and ${figures} figures`,
  );
});
