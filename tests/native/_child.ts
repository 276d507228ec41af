/** Runs a test child Deno process with the project's config and returns its last JSON line. */
import { join } from "node:path";
import { REPO_ROOT } from "../../src/native/install_record.ts";

/** Result of {@link runChild}. */
export interface ChildResult {
  code: number;
  json: Record<string, unknown> | undefined;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno run <permissions> <script> ...args` from the repository root.
 *
 * @param script Path relative to the repository root.
 * @param args Arguments for the script.
 * @param env Extra environment variables.
 * @param permissions Deno permission flags (default `-A`).
 */
export async function runChild(
  script: string,
  args: string[],
  env: Record<string, string>,
  permissions: string[] = ["-A"],
): Promise<ChildResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...permissions, "--config", join(REPO_ROOT, "deno.json"), script, ...args],
    cwd: REPO_ROOT,
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  const stdout = dec.decode(out.stdout);
  const last = stdout.trim().split("\n").at(-1) ?? "";
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(last);
  } catch {
    json = undefined;
  }
  return { code: out.code, json, stdout, stderr: dec.decode(out.stderr) };
}
