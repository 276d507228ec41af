import { runUnits } from "../../src/pipeline/units.ts";
import { join, resolve } from "node:path";
import { parse } from "npm:csv-parse@7.0.3/sync";
import { assert, assertEquals, assertThrows } from "../nn/_assert.ts";
import { initBackend } from "../../src/backend.ts";
import { parseFlags, UsageError } from "../../src/cli/args.ts";
import { writePreparedDataset } from "../../src/data/prepared.ts";
import { Rng } from "../../src/core/rng.ts";
import type { StageContext } from "../../src/pipeline/stage.ts";
import { planTrain, type TrainParams, trainStage } from "../../src/stages/train.ts";

await initBackend("cpu");

type FlagValues = Parameters<typeof trainStage.flags.apply>[0];
const rootDir = resolve(new URL("../..", import.meta.url).pathname);

function applyFlags(args: string[], profile: "smoke" | "quick" | "paper" = "smoke"): TrainParams {
  const { values } = parseFlags(args, trainStage.flags.options);
  return trainStage.flags.apply(values as FlagValues, trainStage.params(profile));
}

Deno.test("trainStage profiles plan the paper grid, a quick slice and a smoke slice", () => {
  assertEquals(trainStage.deps, ["data"]);
  const paper = planTrain(trainStage.params("paper"));
  assertEquals(paper.length, 3 * 8 * 3);
  assertEquals(trainStage.params("paper").epochs, 200);
  assertEquals(trainStage.params("paper").patience, 10);
  assertEquals(trainStage.params("paper").batchSize, 64);
  assertEquals(trainStage.params("paper").evalBatchSize, 1024);
  assertEquals(planTrain(trainStage.params("quick")).length, 8);
  const smoke = planTrain(trainStage.params("smoke"));
  assertEquals(smoke.map((p) => `${p.gradient.approach}:${p.gradient.k}`), [
    "bp:1",
    "fg:4",
    "frog:4",
  ]);
  // Table LRs (lrs/fc_nns.csv).
  assertEquals(smoke[0].lr, 0.026050732201274525);
  assertEquals(smoke[2].lr, 0.12075085632843374);
  assert(paper.every((p) => p.gradient.mode === "sim" && p.gradient.perturbation === "node"));
});

Deno.test("trainStage flags build the approach grid and override the LR", () => {
  const p = applyFlags([
    "--approach",
    "bp,frog",
    "--k",
    "2,16",
    "--width",
    "1024",
    "--seeds",
    "0,2",
  ]);
  assertEquals(p.approaches, [
    { approach: "bp", k: null },
    { approach: "frog", k: 2 },
    { approach: "frog", k: 16 },
  ]);
  assertEquals(p.seeds, [0, 2]);
  assertEquals(planTrain(p).map((r) => r.lr), [
    0.033368928203617386,
    0.033368928203617386,
    0.23112137300779342,
    0.23112137300779342,
    0.12697730330596937,
    0.12697730330596937,
  ]);
  const q = applyFlags([
    "--width",
    "512",
    "--lr",
    "0.01",
    "--mode",
    "fwad",
    "--perturbation",
    "weight",
  ]);
  assert(planTrain(q).every((r) => r.lr === 0.01 && r.gradient.mode === "fwad"));
  const e = applyFlags(["--epochs", "5", "--max-batches-per-epoch", "7", "--patience", "0"]);
  assertEquals([e.epochs, e.maxBatchesPerEpoch, e.patience], [5, 7, 0]);
});

Deno.test("trainStage flags reject bad values with a one-line UsageError naming the flag", () => {
  const cases: [string[], string][] = [
    [["--mode", "exact"], "--mode must be one of sim, fwad"],
    [["--perturbation", "edge"], "--perturbation must be one of node, weight"],
    [["--approach", "sgd"], "--approach must be one of bp, fg, frog"],
    [["--optimizer", "adam"], "--optimizer must be one of plain_sgd, sota_sgd"],
    [["--width", "0"], "--width must be a positive integer"],
    [["--k", "two"], "--k must be a positive integer"],
    [["--lr=-1"], "--lr must be a number > 0"],
    [["--lr", "x"], "--lr must be a number"],
    [["--lr", "0"], "--lr must be a number > 0"],
    [["--epochs", "1.5"], "--epochs must be a positive integer"],
    [["--width", "512"], "No learning rate for fc_w=512/mnist/bp"],
    [["--approach", "frog", "--k", "3"], "No learning rate for fc_w=256/mnist/frog k=3"],
    [["--bogus"], "bogus"],
  ];
  for (const [args, text] of cases) {
    const e = assertThrows(() => applyFlags(args), UsageError, text);
    assert(!e.message.includes("\n"), "one line");
  }
});

async function tinyDataset(dir: string): Promise<void> {
  const rng = new Rng(0, "tiny-mnist");
  const split = (count: number) => {
    const labels = new Uint8Array(count).map(() => rng.nextInt(10));
    // Class-dependent pixels so that training can make progress.
    const images = new Uint8Array(count * 16).map((_, i) =>
      (labels[Math.floor(i / 16)] === i % 16 % 10 ? 200 : 0) + rng.nextInt(50)
    );
    return { images, labels, count };
  };
  await writePreparedDataset(dir, {
    name: "mnist",
    title: "tiny MNIST-like test data",
    shape: [4, 4, 1],
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
    mean: [0.1307],
    std: [0.3081],
    split: { seed: 0, stream: ["split"], of: 96, train: 64, val: 32, method: "test" },
    source: { kind: "package", location: "test", format: "idx", files: [] },
    sourceAttempts: [],
  } as never, { train: split(64), val: split(32), test: split(32) });
}

function context(params: TrainParams, outDir: string, dataDir: string): StageContext<TrainParams> {
  return {
    params,
    outDir,
    inputs: { data: { stage: "data", dir: dataDir, key: "k", params: {} } },
    backend: { requested: "cpu", name: "cpu", versions: {} },
    rootDir,
    log: () => {},
    progress: () => ({ tick() {}, stop() {} }),
  };
}

const TIMER = /^time__/;

function numbersOf(path: string): Record<string, string>[] {
  const rows = parse(Deno.readTextFileSync(path), { columns: true }) as Record<string, string>[];
  return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([c]) => !TIMER.test(c))));
}

Deno.test("trainStage.run writes progress CSVs, configs and runs.csv, resumes and is deterministic", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const dataDir = join(tmp, "data");
    await tinyDataset(dataDir);
    const params = applyFlags([
      "--width",
      "8",
      "--lr",
      "0.05",
      "--epochs",
      "2",
      "--approach",
      "bp,frog",
      "--k",
      "2",
    ]);
    const out = join(tmp, "a");
    const facts = await trainStage.run(context(params, out, dataDir));
    assertEquals((facts as Record<string, number>).trained, 2);
    const index = parse(Deno.readTextFileSync(join(out, "runs.csv")), { columns: true }) as Record<
      string,
      string
    >[];
    assertEquals(Object.keys(index[0]), [
      "model",
      "dataset",
      "gradient_approach",
      "k",
      "seed",
      "mode",
      "perturbation",
      "lr",
      "file",
    ]);
    assertEquals(index.map((r) => [r.model, r.gradient_approach, r.k, r.mode, r.lr]), [
      ["fc_w=8", "bp", "", "", "0.05"],
      ["fc_w=8", "frog", "2", "sim", "0.05"],
    ]);
    for (const r of index) {
      const rows = numbersOf(join(out, r.file));
      assertEquals(rows.map((x) => x.epoch), ["0", "1", "2"]);
      const cfg = JSON.parse(
        Deno.readTextFileSync(join(out, r.file.replace("_train_progress.csv", ".json"))),
      );
      assertEquals([cfg.lr, cfg.epochs, cfg.batch_size, cfg.seed], [0.05, 2, 64, 0]);
    }
    // Resume: a killed attempt finished the bp run; the rerun adopts it (verified) and trains
    // the other. An edited progress CSV in a finished unit is discarded, never adopted.
    const store = join(tmp, "store");
    const bpId = "fc_w=8__mnist__bp__seed=0";
    const first = await runUnits(trainStage.units!, context(params, join(tmp, "c"), dataDir), {
      unitsDir: store,
      select: (u) => u.id === bpId,
    });
    assertEquals(first.computed, [bpId]);
    const resumed = await runUnits(trainStage.units!, context(params, join(tmp, "c"), dataDir), {
      unitsDir: store,
    });
    assertEquals(resumed.adopted, [bpId]);
    assertEquals((resumed.summary as Record<string, number>).reused, 1);
    const unitCsv = join(store, bpId, "runs", `${bpId}_train_progress.csv`);
    await Deno.writeTextFile(unitCsv, (await Deno.readTextFile(unitCsv)).replace(/0\./, "9."));
    const logs: string[] = [];
    const c2 = { ...context(params, join(tmp, "c"), dataDir), log: (m: string) => logs.push(m) };
    const again = await runUnits(trainStage.units!, c2, { unitsDir: store });
    assertEquals(again.computed, [bpId]);
    assert(logs.some((l) => l.includes(`discarding unit ${bpId}: file runs/`)), logs.join("\n"));
    for (const r of index) {
      assertEquals(numbersOf(join(tmp, "c", r.file)), numbersOf(join(out, r.file)));
    }
    // Determinism: another folder, same numbers (timers aside).
    const out2 = join(tmp, "b");
    await trainStage.run(context(params, out2, dataDir));
    for (const r of index) {
      assertEquals(numbersOf(join(out2, r.file)), numbersOf(join(out, r.file)));
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
