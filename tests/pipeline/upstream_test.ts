import assert, { deepEqual as assertEquals, notEqual } from "node:assert/strict";
import { join } from "node:path";
import { oneOf } from "../../src/cli/args.ts";
import { writeFileAtomic } from "../../src/io/files.ts";
import { planRun, runPipeline, runStage } from "../../src/pipeline/run.ts";
import type { Stage } from "../../src/pipeline/stage.ts";
import { FAKE_BACKEND } from "../fixtures/pipeline/stages.ts";

/** `search` (on demand) ← `user` only when user's `--use on`; `other` never needs it. */
function stages(runs: string[]): Stage[] {
  const search: Stage<{ size: number }> = {
    name: "search",
    description: "on-demand upstream",
    deps: [],
    onDemand: true,
    sources: ["src/x.ts"],
    params: () => ({ size: 3 }),
    flags: { options: {}, help: {}, apply: (_v, b) => b },
    async run(ctx) {
      runs.push("search");
      await writeFileAtomic(join(ctx.outDir, "table.txt"), "searched\n");
    },
  };
  const user: Stage<{ use: "on" | "off" }> = {
    name: "user",
    description: "needs search with --use on",
    deps: [],
    upstream: (p) => (p.use === "on" ? ["search"] : []),
    sources: ["src/x.ts"],
    params: () => ({ use: "off" }),
    flags: {
      options: { use: { type: "string" } },
      help: { use: "on or off" },
      apply: (
        v,
        b,
      ) => (v.use === undefined ? b : { use: oneOf("use", v.use as string, ["on", "off"]) }),
    },
    async run(ctx) {
      runs.push("user");
      const from = ctx.inputs.search
        ? await Deno.readTextFile(join(ctx.inputs.search.dir, "table.txt"))
        : "authors\n";
      await writeFileAtomic(join(ctx.outDir, "used.txt"), from);
    },
  };
  const other: Stage = {
    name: "other",
    description: "independent",
    deps: [],
    sources: ["src/x.ts"],
    params: () => ({}),
    flags: { options: {}, help: {}, apply: (_v, b) => b },
    async run(ctx) {
      runs.push("other");
      await writeFileAtomic(join(ctx.outDir, "o.txt"), "o\n");
    },
  };
  return [search, user, other];
}

async function root(): Promise<string> {
  const r = await Deno.makeTempDir({ prefix: "fg_upstream_" });
  await Deno.mkdir(join(r, "src"));
  await Deno.writeTextFile(join(r, "src", "x.ts"), "export const x = 1;\n");
  return r;
}

const opts = (r: string) => ({
  profile: "smoke",
  backend: FAKE_BACKEND,
  resultsDir: join(r, "results"),
  rootDir: r,
  log: () => {},
  progress: { mode: "off" as const },
});

Deno.test("Stage.upstream adds an upstream stage for some parameters: order, inputs and key", async () => {
  const r = await root();
  try {
    const runs: string[] = [];
    const plain = await runStage("user", opts(r), stages(runs));
    assertEquals(plain.outcomes.map((o) => o.stage), ["user"]);
    assertEquals(await Deno.readTextFile(join(plain.target.dir, "used.txt")), "authors\n");

    const searched = await runStage(
      "user",
      { ...opts(r), flagArgs: ["--use", "on"] },
      stages(runs),
    );
    assertEquals(searched.outcomes.map((o) => o.stage), ["search", "user"]);
    assertEquals(await Deno.readTextFile(join(searched.target.dir, "used.txt")), "searched\n");
    assertEquals(Object.keys(searched.target.manifest.inputs), ["search"]);
    notEqual(searched.target.key, plain.target.key);
    assertEquals(runs, ["user", "search", "user"]);
  } finally {
    await Deno.remove(r, { recursive: true });
  }
});

Deno.test("an on-demand stage runs in the whole pipeline only when a stage's parameters need it", async () => {
  const r = await root();
  try {
    const runs: string[] = [];
    const all = await runPipeline(opts(r), stages(runs));
    assert.ok(all.ok);
    assertEquals(all.entries.map((e) => e.stage), ["user", "other"]);
    const shared = await runPipeline({ ...opts(r), sharedFlags: { use: "on" } }, stages(runs));
    assert.ok(shared.ok);
    assertEquals(shared.entries.map((e) => e.stage), ["search", "user", "other"]);
    assertEquals(runs, ["user", "other", "search", "user"]);
    // --only names it: it runs alone
    const only = await runPipeline(opts(r), stages(runs), ["search"]);
    assertEquals(only.entries.map((e) => [e.stage, e.status]), [["search", "cached"]]);
  } finally {
    await Deno.remove(r, { recursive: true });
  }
});

Deno.test("planRun() applies shared flags only to the stages that declare them, and checks them", () => {
  const plan = planRun(
    ["user", "other"],
    { profile: "smoke", sharedFlags: { use: "on" } },
    stages([]),
  );
  assertEquals(plan.order.map((s) => s.name), ["search", "user", "other"]);
  assertEquals(plan.params.get("user"), { use: "on" });
  assertEquals(plan.params.get("other"), {});
  assert.throws(
    () => planRun(["user"], { profile: "smoke", sharedFlags: { use: "maybe" } }, stages([])),
    /--use must be one of/,
  );
  // a shared flag that no stage of the run takes is an error naming the stages that do
  assert.throws(
    () => planRun(["other"], { profile: "smoke", sharedFlags: { use: "on" } }, stages([])),
    /--use applies to user, and no stage of this run takes it: add user to --only/,
  );
});
