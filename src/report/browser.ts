/**
 * Checking the report in a real browser: headless Chromium renders the page
 * to a PNG screenshot, or dumps the DOM once the page has loaded.
 *
 * @module
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** Executable names tried in order. */
export const CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome", "chrome"];

/** The first Chromium executable on PATH (or `$CHROMIUM`), or null when there is none. */
export async function findChromium(): Promise<string | null> {
  const env = Deno.env.get("CHROMIUM");
  for (const name of env ? [env, ...CHROMIUM_NAMES] : CHROMIUM_NAMES) {
    try {
      const { success } = await new Deno.Command(name, {
        args: ["--version"],
        stdout: "null",
        stderr: "null",
      })
        .output();
      if (success) return name;
    } catch {
      // not installed under this name
    }
  }
  return null;
}

const HEADLESS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--hide-scrollbars",
  "--allow-file-access-from-files",
];

async function chromium(exe: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(exe, {
    args: [...HEADLESS, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `Cannot run ${exe}: exit ${out.code}: ${new TextDecoder().decode(out.stderr).slice(-500)}`,
    );
  }
  return new TextDecoder().decode(out.stdout);
}

/**
 * Renders an HTML file to a PNG screenshot.
 *
 * @param exe Chromium executable (see {@link findChromium}).
 * @param htmlPath Page to render.
 * @param pngPath Screenshot to write.
 * @param size Window width and height in pixels (the screenshot covers this window).
 * @returns The PNG's size in bytes.
 * @example Screenshot the latest report
 * ```ts ignore
 * import { findChromium, screenshot } from "./browser.ts";
 * const exe = await findChromium();
 * if (exe) await screenshot(exe, "results/latest/report/index.html", "report.png");
 * ```
 */
export async function screenshot(
  exe: string,
  htmlPath: string,
  pngPath: string,
  size: { width: number; height: number } = { width: 1280, height: 2400 },
): Promise<number> {
  await chromium(exe, [
    `--screenshot=${resolve(pngPath)}`,
    `--window-size=${size.width},${size.height}`,
    pathToFileURL(resolve(htmlPath)).href,
  ]);
  return (await Deno.stat(pngPath)).size;
}

/** The DOM of an HTML file after loading, serialised by Chromium (`--dump-dom`), in a window of `size`. */
export async function dumpDom(
  exe: string,
  htmlPath: string,
  size?: { width: number; height: number },
): Promise<string> {
  const window = size ? [`--window-size=${size.width},${size.height}`] : [];
  return await chromium(exe, [...window, "--dump-dom", pathToFileURL(resolve(htmlPath)).href]);
}

/** Whether bytes start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return sig.every((b, i) => bytes[i] === b);
}
