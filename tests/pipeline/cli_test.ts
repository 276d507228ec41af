import assert, { deepEqual as assertEquals } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { exists } from "../../src/io/files.ts";
import { formatStageHelp } from "../../src/pipeline/cli.ts";
import { makeRoot, makeStages } from "../fixtures/pipeline/stages.ts";

const fixtureCli = fileURLToPath(new URL("../fixtures/pipeline/cli.ts", import.meta.url));
const repo = fileURLToPath(new URL("../..", import.meta.url));

async function cli(script: string, args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    env,
    cwd: repo,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const badInputs: [string[], RegExp][] = [
  [
    ["stage", "c", "--profile", "huge"],
    /^error: --profile must be one of smoke, quick, paper, got "huge"$/,
  ],
  [
    ["stage", "c", "--backend", "nope"],
    /^error: --backend must be one of auto, wasm, cpu, tensorflow, webgpu, got "nope"$/,
  ],
  [
    ["stage", "c", "--bogus"],
    /^error: unknown flag --bogus; allowed flags: --profile, --backend, --force, --help$/,
  ],
  [["stage", "b", "--scale", "500"], /^error: --scale must be a number in \[0, 100\], got "500"$/],
  [
    ["stage", "a", "--n", "0", "--profile", "smoke"],
    /^error: --n must be a positive integer, got "0"$/,
  ],
  [
    ["stage", "a", "--profile"],
    /^error: --profile needs a value \(grid sizes: smoke \| quick \| paper \(default paper\)\)$/,
  ],
  [["stage", "a", "--n", "-3"], /^error: --n must be a positive integer, got "-3"$/],
  [["stage", "zzz"], /^error: unknown stage "zzz"; stages: a, b, c, d, verdict$/],
  [
    ["reproduce", "--profile", "huge"],
    /^error: --profile must be one of smoke, quick, paper, got "huge"$/,
  ],
  [
    ["reproduce", "--only", "c,zzz"],
    /^error: --only must list stages from a, b, c, d, verdict, got "zzz"$/,
  ],
];

Deno.test("stage and reproduce CLIs reject bad input with one line, exit 2 and write nothing", async () => {
  const root = await makeRoot();
  const results = join(root, "results");
  try {
    for (const [args, expected] of badInputs) {
      const r = await cli(fixtureCli, args, { FG_RESULTS_DIR: results, FG_FIXTURE_ROOT: root });
      assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      const lines = r.stderr.trimEnd().split("\n");
      assertEquals(lines.length, 1, r.stderr);
      assert.match(lines[0], expected);
      assertEquals(r.stdout, "");
      assertEquals(await exists(results), false, args.join(" "));
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("tasks/stage.ts and tasks/reproduce.ts reject bad input with exit 2", async () => {
  const tmp = await Deno.makeTempDir();
  const results = join(tmp, "results");
  try {
    const env = { FG_RESULTS_DIR: results };
    const stage = await cli(join(repo, "tasks", "stage.ts"), ["zzz-no-such-stage"], env);
    assertEquals(stage.code, 2);
    assert.match(stage.stderr.trim(), /^error: unknown stage "zzz-no-such-stage"[;:]/);
    const repro = await cli(join(repo, "tasks", "reproduce.ts"), ["--backend", "nope"], env);
    assertEquals(repro.code, 2);
    assert.match(
      repro.stderr.trim(),
      /^error: --backend must be one of auto, wasm, cpu, tensorflow, webgpu/,
    );
    assertEquals(await exists(results), false);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("formatStageHelp() lists the description, every flag with its help and the profile defaults", () => {
  const [a, b] = makeStages({});
  const help = formatStageHelp(a);
  assert.ok(help.includes("Writes the numbers 1..n."));
  for (
    const flag of ["--profile <value>", "--backend <value>", "--force", "--help, -h", "--n <value>"]
  ) {
    assert.ok(help.includes(flag), flag);
  }
  assert.ok(help.includes("smoke | quick | paper (default paper)"));
  assert.ok(help.includes("how many numbers (positive integer)"));
  assert.match(help, /^ {2}n {2}smoke: 2 \| quick: 3 \| paper: 5$/m);
  assert.match(formatStageHelp(b), /^Upstream stages: a$/m);
  assert.match(formatStageHelp(b), /^ {2}scale {2}2$/m);
});

Deno.test("stage CLI prints help, runs, then reports the cached result; reproduce exits 1 on a failed verdict", async () => {
  const root = await makeRoot();
  const results = join(root, "results");
  const env = { FG_RESULTS_DIR: results, FG_FIXTURE_ROOT: root };
  try {
    const help = await cli(fixtureCli, ["stage", "b", "--help", "--bogus"], env);
    assertEquals(help.code, 0);
    assert.ok(help.stdout.includes("multiplier, a number in [0, 100]"));
    assertEquals(await exists(results), false);

    const first = await cli(
      fixtureCli,
      ["stage", "c", "--profile", "smoke", "--backend", "cpu"],
      env,
    );
    assertEquals(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /^c: ran in [\d.]+s, key [0-9a-f]{64}, output .*results\/cache\/c\/[0-9a-f]{64}$/m,
    );
    assert.match(first.stdout, /^a +ran +/m);
    assert.match(first.stderr, /^backend: cpu$/m);
    const second = await cli(
      fixtureCli,
      ["stage", "c", "--profile", "smoke", "--backend", "cpu"],
      env,
    );
    assertEquals(second.code, 0, second.stderr);
    assert.match(second.stdout, /^c: cached in /m);
    assert.match(second.stdout, /^b +cached +/m);

    const repro = await cli(fixtureCli, ["reproduce", "--profile", "smoke", "--backend", "cpu"], {
      ...env,
      FG_FIXTURE_VERDICT: "fail",
    });
    assertEquals(repro.code, 1, repro.stderr);
    assert.match(repro.stdout, /^stage +status +wall +computed in +key +folder$/m);
    assert.match(repro.stdout, /^c +cached +/m);
    assert.match(repro.stdout, /^d +ran +/m);
    assert.match(repro.stdout, /^verdict +ran, FAILED \(ok: false\) +/m);
    assert.match(repro.stderr, /reproduce: failed stages: verdict/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("stage CLI: --list-units, --unit and --shard compute units only; a normal run finalizes", async () => {
  const root = await makeRoot();
  const results = join(root, "results");
  const env = { FG_RESULTS_DIR: results, FG_FIXTURE_ROOT: root, FG_FIXTURE_UNITS: "1" };
  const stage = (...args: string[]) =>
    cli(fixtureCli, ["stage", "units", "--backend", "cpu", ...args], env);
  try {
    const list = await stage("--list-units");
    assertEquals(list.code, 0, list.stderr);
    assertEquals(list.stdout, "w0/u0\t0\t2\nw0/u1\t0\t2\nw0/u2\t0\t2\nw1/sum0\t1\t1\n");
    assertEquals(await exists(results), false);

    const bad = await stage("--unit", "w9/nope");
    assertEquals(bad.code, 2);
    assert.match(
      bad.stderr,
      /--unit must name a unit of units \(see --list-units\), got "w9\/nope"/,
    );
    assertEquals((await stage("--shard", "2/2")).code, 2);

    const one = await stage("--unit", "w0/u1");
    assertEquals(one.code, 0, one.stderr);
    assert.match(
      one.stdout,
      /computed 1 unit\(s\), 0 already complete, in .*\.units; run the stage/,
    );
    const s0 = await stage("--shard", "0/2"); // w0/u0, w0/u2
    assert.match(s0.stdout, /computed 2 unit\(s\), 0 already complete/, s0.stderr);
    const s1 = await stage("--shard", "1/2"); // w0/u1 (done), w1/sum0
    assert.match(s1.stdout, /computed 1 unit\(s\), 1 already complete/, s1.stderr);
    const stageDir = join(results, "cache", "units");
    assertEquals(
      [...Deno.readDirSync(stageDir)].map((e) => e.name.replace(/^[0-9a-f]{64}/, "K")),
      ["K.units"],
    );

    const fin = await stage();
    assertEquals(fin.code, 0, fin.stderr);
    assert.match(fin.stdout, /^units: ran in /m);
    const [key] = [...Deno.readDirSync(stageDir)].map((e) => e.name);
    const m = JSON.parse(await Deno.readTextFile(join(stageDir, key, "manifest.json")));
    assertEquals(m.summary.reused, ["w0/u0", "w0/u1", "w0/u2", "w1/sum0"]);
    assertEquals(
      await Deno.readTextFile(join(stageDir, key, "all.txt")),
      "w0/u0 10\nw0/u1 20\nw0/u2 30\nw1/sum0 60\n",
    );
    const again = await stage("--unit", "w0/u0");
    assert.match(again.stdout, /is cached; nothing to compute/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
