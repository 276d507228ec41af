/**
 * Reproduces every result: `deno run -A tasks/reproduce.ts [--profile
 * smoke|quick|paper] [--backend ...] [--force] [--only a,b]`
 * (`deno task reproduce ...`). Default profile: paper.
 *
 * @module
 */
import { runMain } from "../src/cli/args.ts";
import { reproduceMain } from "../src/pipeline/cli.ts";
import { STAGES } from "../src/stages/registry.ts";

if (import.meta.main) {
  await runMain(async () => {
    const code = await reproduceMain(Deno.args, STAGES);
    if (code !== 0) Deno.exit(code);
  });
}
