/**
 * Bad input through the real entry points: each case runs a task script as a
 * subprocess, which must exit with code 2, say `error: …` in one line naming
 * the flag or variable, and leave the results folder empty.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface Case {
  /** Task script and its arguments. */
  args: string[];
  /** What the error line must mention. */
  names: RegExp;
  /** Extra environment. */
  env?: Record<string, string>;
  /** The error line must be all the output (no backend line before it, empty stdout). */
  alone?: boolean;
}

const CASES: Case[] = [
  {
    // A runtime without WebGPU (the preload removes navigator.gpu).
    args: [
      "--preload",
      "tests/fixtures/no_webgpu_preload.ts",
      "tasks/stage.ts",
      "train",
      "--profile",
      "smoke",
      "--backend",
      "webgpu",
    ],
    names: /--backend/,
  },
  { args: ["tasks/stage.ts", "data", "--profile", "smoke", "--mnist-dir="], names: /--mnist-dir/ },
  {
    args: ["tasks/stage.ts", "data", "--profile", "smoke"],
    names: /FG_MNIST_DIR/,
    env: { FG_MNIST_DIR: "/nonexistent/mnist" },
    alone: true,
  },
  {
    args: ["tasks/stage.ts", "data", "--profile", "smoke", "--datasets", "mnist,cifar10"],
    names: /FG_CIFAR10_PATH/,
    env: { FG_CIFAR10_PATH: "/nonexistent/cifar10" },
    alone: true,
  },
  { args: ["tasks/stage.ts", "approx", "--profile", "smoke", "--k", "-1"], names: /--k/ },
  {
    args: ["tasks/stage.ts", "approx", "--profile", "smoke", "--backend", "wasm"],
    names: /FG_WASM_THREADS must be an integer from 1 to 8, got many/,
    env: { FG_WASM_THREADS: "many" },
  },
  { args: ["tasks/reproduce.ts", "--profile", "smoke", "--model", "mlp"], names: /--model/ },
  {
    args: ["tasks/reproduce.ts", "--profile", "smoke", "--model", "fc", "--only", "approx"],
    names: /--model applies to train/,
    alone: true,
  },
  { args: ["tasks/stage.ts", "approx", "--profile", "smoke", "--n", "4,4"], names: /--n/ },
  { args: ["tasks/stage.ts", "train", "--profile", "smoke", "--lr", "0x10"], names: /--lr/ },
  {
    args: ["tasks/stage.ts", "approx", "--profile", "smoke", "--tangents", "specific_angle_200"],
    names: /--tangents/,
  },
  { args: ["tasks/screenshot.ts", "--bogus"], names: /--bogus/ },
  { args: ["tasks/stage.ts", "approx", "--profile", "smoke", "--k", "1000000000"], names: /--k/ },
  {
    args: ["tasks/stage.ts", "approx", "--profile", "smoke", "--num-samples", "1000000000"],
    names: /--num-samples/,
  },
  {
    args: ["tasks/stage.ts", "train", "--profile", "smoke", "--width", "1000000000", "--lr", "0.1"],
    names: /--width/,
  },
];

Deno.test("bad input through the task scripts: exit 2, one error line naming the flag, nothing written", async () => {
  for (const c of CASES) {
    const results = await Deno.makeTempDir();
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", ...c.args],
        cwd: ROOT,
        env: { FG_RESULTS_DIR: results, NO_COLOR: "1", ...(c.env ?? {}) },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      const what = c.args.join(" ");
      assert.equal(out.code, 2, `${what}: exit code ${out.code}\n${stderr}`);
      const errors = stderr.split("\n").filter((l) => l.startsWith("error:"));
      assert.equal(errors.length, 1, `${what}: expected one error line\n${stderr}`);
      assert.match(errors[0], c.names, `${what}: the error must name the flag`);
      assert.ok(!/\n\s+at /.test(stderr), `${what}: no stack trace\n${stderr}`);
      if (c.alone) {
        const stdout = new TextDecoder().decode(out.stdout);
        assert.equal(stdout, "", `${what}: stdout must be empty`);
        assert.deepEqual(stderr.trimEnd().split("\n"), errors, `${what}: only the error line`);
      }
      const left = [...Deno.readDirSync(results)].map((e) => e.name);
      assert.deepEqual(left, [], `${what}: wrote ${left.join(", ")}`);
    } finally {
      await Deno.remove(results, { recursive: true });
    }
  }
});
