/**
 * Removes stale state and unreferenced cache entries from the results
 * folder: `deno run -A tasks/gc.ts [--dry-run]` (`deno task gc …`).
 *
 * @module
 */
import { runMain } from "../src/cli/args.ts";
import { gcMain } from "../src/pipeline/cli.ts";

if (import.meta.main) {
  await runMain(async () => {
    const code = await gcMain(Deno.args);
    if (code !== 0) Deno.exit(code);
  });
}
