/**
 * Runs one task of a job spec (src/pipeline/executors/spec.ts), as a cluster
 * array task or a local worker does:
 * `deno run -A tasks/unit.ts <spec.json> --index I | --index-env VAR | --all | --finalize`.
 *
 * @module
 */
import { runMain, UsageError } from "../src/cli/args.ts";
import { readSpec, runTask, type TaskMode } from "../src/pipeline/executors/spec.ts";
import { STAGES } from "../src/stages/registry.ts";

const USAGE = "usage: tasks/unit.ts <spec.json> --index I | --index-env VAR | --all | --finalize";

function parseMode(args: string[]): TaskMode {
  const [flag, value] = args;
  if (flag === "--all" && value === undefined) return { all: true };
  if (flag === "--finalize" && value === undefined) return { finalize: true };
  const raw = flag === "--index"
    ? value
    : flag === "--index-env" && value
    ? Deno.env.get(value)
    : undefined;
  if (raw === undefined || !/^\d+$/.test(raw)) {
    throw new UsageError(
      flag === "--index-env" ? `--index-env: ${value ?? "VAR"} is not set to an index` : USAGE,
    );
  }
  return { index: Number(raw) };
}

if (import.meta.main) {
  await runMain(async () => {
    const [specPath, ...rest] = Deno.args;
    if (!specPath || specPath.startsWith("-")) throw new UsageError(USAGE);
    const code = await runTask(await readSpec(specPath), parseMode(rest), STAGES);
    if (code !== 0) Deno.exit(code);
  });
}
