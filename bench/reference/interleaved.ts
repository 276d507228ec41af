/**
 * Ours and the original side by side, interleaved in one run: every round runs each group of
 * measurements on every side (ours on wasm, ours on the native backend where it is set up, the
 * original-style PyTorch scripts where PyTorch is installed), each in a fresh process, the order
 * of the sides rotated from round to round so that none always runs first; then it writes the
 * table (median over rounds of each round's median, the rounds' range, original / ours, the load)
 * and every script's raw JSON.
 *
 * Run:
 * `deno run -A bench/reference/interleaved.ts [--rounds 3] [--groups fc,approx,functions,matmul,models] [--small] [--out bench/reference/results]`
 *
 * Needs for the original's columns: PyTorch with OpenBLAS for the system Python
 * (`apt-get install python3-torch libopenblas0-pthread`; `--python` names another interpreter).
 * Ours on native needs `deno task setup-native`. A side that cannot run is left out with its
 * reason, once. `--small` shrinks every measurement (for a check that the pipeline works; its
 * figures are not comparable).
 *
 * Writes `<out>/interleaved_<UTC stamp>/`: `table.md` (the table, the load, the versions, the
 * commands) and one JSON per script run (`r<round>_<group>_<side>[_<part>].json`); until the
 * table is written the folder is named `….part`.
 *
 * @module
 */
import { join } from "node:path";
import { listOf, oneOf, parseFlags, positiveInt, runMain } from "../../src/cli/args.ts";
import type { BenchMeta, BenchRow } from "./_bench_json.ts";
import {
  functionRows,
  loadRange,
  type RunRecord,
  type Side,
  sideBySideTable,
  SIDES,
  type TableLine,
} from "./_side_by_side.ts";

const GROUPS = ["fc", "approx", "functions", "matmul", "models"] as const;
type Group = typeof GROUPS[number];

/** The lines of the table, in order (those no side measured are dropped). */
const LINES: TableLine[] = [
  { label: "FC 784-1024-1024-10, B=64, bp step", id: "fc/bp" },
  { label: "same, simulated node frog k=16 (the paper's mode)", id: "fc/sim-frog-k16" },
  { label: "same, true forward weight frog k=16", id: "fc/fwad-weight-frog-k16" },
  { label: "peak memory, FC process (weight mode included)", id: "peak-rss:fc", unit: "MB" },
  {
    label: "approx reduced grid (n ≤ 4096, k ≤ 256, 200 samples), repeats",
    id: "approx/reduced-grid",
  },
  { label: "same, first run in the process", id: "approx/reduced-grid-first" },
  { label: "peak memory, approx process", id: "peak-rss:approx", unit: "MB" },
  ...["sphere", "styblinski-tang", "rosenbrock"].flatMap((fn) =>
    [16, 1024].flatMap((n) =>
      ["bp", "fg-k=1", "frog-k=16"].map((a) => ({
        label: `function step, ${fn} n=${n}, ${a.replaceAll("-", " ")}`,
        id: `functions/${fn}/n${n}/${a}`,
      }))
    )
  ),
  {
    label: "1024² matMul",
    id: "matmul/1024",
    field: "gflops",
    unit: "GFLOPS",
    higherIsBetter: true,
  },
  { label: "ResNet18 MNIST, B=64, bp step", id: "resnet18/mnist/bp" },
  { label: "same, simulated node frog k=16", id: "resnet18/mnist/sim-frog-k16" },
  {
    label: "same, true forward node frog k=16 (original: its loop over k)",
    id: "resnet18/mnist/fwad-node-frog-k16",
  },
];

const FUNCTIONS = ["sphere", "styblinski-tang", "rosenbrock"];

/** One script run: the command and how to read its JSON back into rows. */
interface Job {
  group: Group;
  side: Side;
  part: string;
  cmd: string[];
  /** The legacy function-step JSON: convert with {@link functionRows}. */
  functionName?: string;
}

function jobsFor(group: Group, side: Side, small: boolean, python: string): Job[] {
  const deno = [Deno.execPath(), "run", "-A"];
  const backend = side === "native" ? "tensorflow" : "wasm";
  const py = ["env", "-u", "OPENBLAS_CORETYPE", "-u", "OPENBLAS_L2_SIZE", python];
  const ours = (script: string, ...args: string[]) => [...deno, script, ...args];
  const theirs = (script: string, ...args: string[]) => [...py, script, ...args];
  const job = (part: string, cmd: string[], functionName?: string): Job => ({
    group,
    side,
    part,
    cmd,
    functionName,
  });
  const torch = side === "torch";
  switch (group) {
    case "fc":
      return [job(
        "",
        torch
          ? theirs(
            "bench/reference/torch_fc.py",
            "--modes",
            "bp,sim,fwad-weight",
            "--repeats",
            small ? "1" : "5",
            "--steps",
            small ? "2" : "4",
          )
          : ours(
            "bench/fc_step.ts",
            "--backend",
            backend,
            "--only",
            "bp,sim,fwad-weight",
            "--steps",
            small ? "3" : "20",
          ),
      )];
    case "approx": {
      const args = ["--repeats", small ? "1" : "2", "--samples", small ? "10" : "200"];
      return [job(
        "",
        torch
          ? theirs("bench/reference/torch_approx.py", ...args)
          : ours("bench/reference/ours_approx.ts", "--backend", backend, ...args),
      )];
    }
    case "functions":
      // The typed-array path is backend-independent: measured once, as ours on wasm.
      if (side === "native") return [];
      return FUNCTIONS.map((fn) => {
        const steps = small ? "20" : "300", repeats = small ? "1" : "3";
        return job(
          fn,
          torch
            ? theirs(
              "bench/reference/torch_functions.py",
              "--function",
              fn,
              "--ns",
              "16",
              "1024",
              "--steps",
              steps,
              "--repeats",
              repeats,
            )
            : ours(
              "bench/reference/ours_functions.ts",
              "--function",
              fn,
              "--ns",
              "16,1024",
              "--steps",
              steps,
              "--repeats",
              repeats,
            ),
          fn,
        );
      });
    case "matmul":
      return [job(
        "",
        torch
          ? theirs("bench/reference/torch_matmul.py")
          : ours("bench/reference/ours_matmul.ts", "--backend", backend),
      )];
    case "models": {
      const args = ["--only", "resnet18/mnist", "--repeats", small ? "1" : "3"];
      return [job(
        "",
        torch
          ? theirs("bench/reference/torch_models.py", ...args)
          : ours("bench/reference/ours_models.ts", "--backend", backend, ...args),
      )];
    }
  }
}

/** The script a job runs (its first `.ts` or `.py` argument). */
function scriptOf(job: Job): string {
  return job.cmd.find((a) => /\.(ts|py)$/.test(a)) ?? job.cmd[0];
}

/** A job's command as a user would type it (`deno` for this executable). */
function shown(job: Job): string {
  return job.cmd.map((a) => (a === Deno.execPath() ? "deno" : a)).join(" ");
}

/** Runs one job; its JSON as a record, or the reason it could not run. */
async function runJob(job: Job, round: number, dir: string): Promise<RunRecord | string> {
  const name = `r${round}_${job.group}_${job.side}${job.part ? `_${job.part}` : ""}.json`;
  const path = join(dir, name);
  const [cmd, ...args] = job.cmd;
  const out = await new Deno.Command(cmd, {
    args: [...args, "--json", path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  if (!out.success) {
    // The error line (a script's uncaught error prints it before its stack), else the last line.
    // deno-lint-ignore no-control-regex
    const err = text.decode(out.stderr).replace(/\x1b\[[0-9;]*m/g, "").split("\n")
      .filter((l) => l.trim() !== "");
    const line = err.find((l) => /^error/i.test(l.trim())) ?? err.at(-1) ?? "";
    return `${scriptOf(job)}: exit ${out.code}: ${line.trim()}`;
  }
  const json = JSON.parse(await Deno.readTextFile(path)) as {
    meta: BenchMeta & { loadavg_start?: number[]; loadavg_end?: number[] };
    rows: unknown[];
  };
  const meta: BenchMeta = {
    ...json.meta,
    // The function scripts predate the common shape: their load fields have other names.
    load_start: json.meta.load_start ?? json.meta.loadavg_start ?? [NaN],
    load_end: json.meta.load_end ?? json.meta.loadavg_end ?? [NaN],
  };
  const rows = job.functionName
    ? functionRows(
      job.functionName,
      json.rows as { n: number; approach: string; steps_per_s: number[] }[],
    )
    : json.rows as BenchRow[];
  return { round, group: job.group, side: job.side, meta, rows };
}

async function pythonHasTorch(python: string): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(python, {
      args: ["-c", "import torch; print(torch.__version__)"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    return out.success ? undefined : `${python} has no PyTorch (apt-get install python3-torch)`;
  } catch {
    return `no ${python}`;
  }
}

async function main(): Promise<void> {
  const { values } = parseFlags(Deno.args, {
    rounds: { type: "string", default: "3" },
    groups: { type: "string", default: GROUPS.join(",") },
    sides: { type: "string", default: SIDES.join(",") },
    small: { type: "boolean", default: false },
    python: { type: "string", default: "/usr/bin/python3" },
    out: { type: "string", default: "bench/reference/results" },
  });
  const rounds = positiveInt("rounds", values.rounds!);
  const groups = listOf("groups", values.groups!, (g) => oneOf("groups", g, GROUPS));
  let sides = listOf("sides", values.sides!, (s) => oneOf("sides", s, SIDES));
  const small = values.small!;
  const python = values.python!;
  const stamp = new Date().toISOString().slice(0, 16).replace(":", "");
  const finalDir = join(values.out!, `interleaved_${stamp}${small ? "_small" : ""}`);
  // Written under a `.part` name and renamed when the table is written: a killed run leaves no
  // folder that looks complete.
  const dir = `${finalDir}.part`;
  await Deno.mkdir(dir, { recursive: true });

  const left: string[] = [];
  if (sides.includes("torch")) {
    const why = await pythonHasTorch(python);
    if (why) {
      left.push(`original: ${why}`);
      sides = sides.filter((s) => s !== "torch");
    }
  }
  const records: RunRecord[] = [];
  const commands = new Set<string>();
  for (let round = 0; round < rounds; round++) {
    const order = sides.map((_, i) => sides[(i + round) % sides.length]);
    for (const group of groups) {
      for (const side of order) {
        if (!sides.includes(side)) continue; // left out in an earlier round
        for (const job of jobsFor(group, side, small, python)) {
          const t0 = performance.now();
          const r = await runJob(job, round, dir);
          const s = ((performance.now() - t0) / 1000).toFixed(1);
          if (typeof r === "string") {
            // A side that cannot start (the native backend not set up) is left out for good.
            if (side === "native" && /not set up/.test(r)) {
              sides = sides.filter((x) => x !== "native");
              left.push(`ours native: not set up (deno task setup-native)`);
              break;
            }
            throw new Error(`round ${round}, ${group} on ${side}: ${r}`);
          }
          records.push(r);
          commands.add(shown(job));
          console.log(
            `round ${round + 1}/${rounds} ${group} ${side}${job.part ? ` ${job.part}` : ""}: ` +
              `${s} s (load ${r.meta.load_start[0].toFixed(1)}→${r.meta.load_end[0].toFixed(1)})`,
          );
        }
      }
    }
  }
  const versions = SIDES.flatMap((side) => {
    const m = records.find((r) => r.side === side && r.meta.versions)?.meta ??
      records.find((r) => r.side === side)?.meta;
    if (!m) return [];
    if (side === "torch") return [`original: PyTorch ${m.torch} (${m.threads ?? "?"} threads)`];
    const v = (m.versions ?? {}) as Record<string, string>;
    const lib = Object.entries(v).filter(([k]) => !["tfjs", "deno", "v8"].includes(k))
      .map(([k, x]) => `${k} ${x}`);
    return [
      `ours ${side}: tfjs ${v.tfjs}, Deno ${v.deno}${lib.length ? `, ${lib.join(", ")}` : ""}`,
    ];
  });
  const md = [
    `# Ours vs the original, interleaved`,
    "",
    `${new Date().toISOString().slice(0, 16)}Z, ${rounds} round(s)${small ? " (--small)" : ""}, ` +
    `1-minute load ${loadRange(records)} over the runs; ${versions.join("; ")}. Each cell: the ` +
    `median over rounds of each round's median (in brackets the rounds' range); original / ours ` +
    `above 1 means ours is faster (bold: ours slower).`,
    "",
    sideBySideTable(LINES, records),
    "",
    ...(left.length ? ["Left out: " + left.join("; ") + ".", ""] : []),
    "Commands (each with `--json PATH`):",
    "",
    ...[...commands].map((c) => `- \`${c}\``),
    "",
  ].join("\n");
  await Deno.writeTextFile(join(dir, "table.md"), md);
  await Deno.rename(dir, finalDir);
  console.log(md);
  console.log(`wrote ${finalDir}/`);
}

if (import.meta.main) await runMain(main);
