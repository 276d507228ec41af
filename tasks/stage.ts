/**
 * Runs one pipeline stage: `deno run -A tasks/stage.ts <stage> [--profile
 * smoke|quick|paper] [--backend ...] [--force] [--help] [stage flags]`
 * (`deno task <stage> ...`).
 *
 * @module
 */
import { runMain } from "../src/cli/args.ts";
import { stageMain } from "../src/pipeline/cli.ts";
import { STAGES } from "../src/stages/registry.ts";

if (import.meta.main) {
  await runMain(async () => {
    const code = await stageMain(Deno.args, STAGES);
    if (code !== 0) Deno.exit(code);
  });
}
