/**
 * Renders the HTML report in headless Chromium and writes a PNG screenshot.
 *
 * Usage: `deno run -A tasks/screenshot.ts [page=results/latest/report/index.html]
 * [out=results/report.png] [--width 1400] [--height 2400]`. Needs Chromium (`apt-get install -y
 * chromium`, or set `$CHROMIUM`).
 *
 * @module
 */
import { parseFlags, positiveInt, runMain, UsageError } from "../src/cli/args.ts";
import { dumpDom, findChromium, isPng, screenshot } from "../src/report/browser.ts";

const USAGE = [
  "Usage: deno task screenshot [page] [out.png] [--width 1400] [--height 2400]",
  "",
  "Renders the HTML report in headless Chromium and writes a PNG screenshot.",
  "  page      the report page (default results/latest/report/index.html)",
  "  out.png   where the screenshot goes (default results/report.png)",
  "  --width   viewport width in px (default 1400)",
  "  --height  viewport height in px (default 2400)",
  "Needs Chromium (apt-get install -y chromium, or set CHROMIUM).",
].join("\n");

await runMain(async () => {
  const { values, positionals } = parseFlags(Deno.args, {
    width: { type: "string" },
    height: { type: "string" },
    help: { type: "boolean", short: "h" },
  }, {
    allowPositionals: true,
    help: { width: "viewport width in px", height: "viewport height in px" },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length > 2) {
    throw new UsageError("screenshot takes at most two arguments: page and output PNG");
  }
  const page = positionals[0] ?? "results/latest/report/index.html";
  const out = positionals[1] ?? "results/report.png";
  const width = values.width === undefined ? 1400 : positiveInt("width", values.width as string);
  const height = values.height === undefined
    ? 2400
    : positiveInt("height", values.height as string);
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
