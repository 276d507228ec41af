import { runUnits } from "../../src/pipeline/units.ts";
import { join, resolve } from "node:path";
import { parse } from "npm:csv-parse@7.0.3/sync";
import { assert, assertEquals, assertThrows } from "../nn/_assert.ts";
import { initBackend } from "../../src/backend.ts";
import { parseFlags, UsageError } from "../../src/cli/args.ts";
import { writePreparedDataset } from "../../src/data/prepared.ts";
import { Rng } from "../../src/core/rng.ts";
import type { StageContext } from "../../src/pipeline/stage.ts";
import {
  planRuns,
  planTrain,
  trainDatasets,
  type TrainParams,
  trainStage,
} from "../../src/stages/train.ts";

await initBackend("cpu");

type FlagValues = Parameters<typeof trainStage.flags.apply>[0];
const rootDir = resolve(new URL("../..", import.meta.url).pathname);

function applyFlags(args: string[], profile: "smoke" | "quick" | "paper" = "smoke"): TrainParams {
  const { values } = parseFlags(args, trainStage.flags.options);
  return trainStage.flags.apply(values as FlagValues, trainStage.params(profile));
}

Deno.test("trainStage profiles plan the paper grid, a quick slice and a smoke slice", () => {
  assertEquals(trainStage.deps, ["data"]);
  const paperParams = trainStage.params("paper");
  const paper = planRuns(paperParams);
  // FC: 3 widths × 8 approaches × 3 seeds; §4.5: 2 models × 2 datasets × 8 approaches × 3 seeds.
  assertEquals(paper.length, 3 * 8 * 3 + 2 * 2 * 8 * 3);
  assert(paper.every((r) => r.budget.epochs === 200 && r.budget.evalLimit === null));
  assertEquals(paperParams.patience, 10);
  assertEquals(paperParams.evalBatchSize, 1024);
  assertEquals(paperParams.bnDoubleUpdate, true);
  assertEquals(trainDatasets(paperParams), ["mnist", "cifar10"]);
  const quick = planTrain(trainStage.params("quick"));
  assertEquals(quick.filter((p) => p.model === undefined).length, 8);
  assertEquals(
    quick.filter((p) => p.model !== undefined).map((p) =>
      `${p.model}/${p.dataset}/${p.gradient.approach}:${p.gradient.k}`
    ),
    ["resnet18", "vit"].flatMap((m) => ["bp:1", "fg:16", "frog:16"].map((a) => `${m}/mnist/${a}`)),
  );
  assertEquals(trainDatasets(trainStage.params("quick")), ["mnist"], "quick runs offline too");
  const steps = (runs: ReturnType<typeof planRuns>, model: string) =>
    runs.filter((r) => r.plan.model === model).map((r) =>
      `${r.budget.epochs}x${r.budget.maxBatchesPerEpoch}/${r.budget.evalLimit}`
    );
  const quickRuns = planRuns(trainStage.params("quick"));
  assertEquals(steps(quickRuns, "resnet18"), ["4x25/500", "4x25/500", "4x25/500"]);
  assertEquals(
    steps(quickRuns, "vit"),
    ["3x50/500", "3x50/500", "3x50/500"],
    "the ViT's own budget",
  );
  const flagged = planRuns(applyFlags(["--epochs", "4", "--eval-limit", "100"], "quick"));
  assertEquals(
    steps(flagged, "vit"),
    ["4x50/100", "4x50/100", "4x50/100"],
    "a flag sets every model's",
  );
  assertEquals(steps(flagged, "resnet18"), ["4x25/100", "4x25/100", "4x25/100"]);
  assertEquals(
    steps(planRuns(applyFlags(["--max-batches-per-epoch", "7"], "quick")), "vit"),
    ["3x7/500", "3x7/500", "3x7/500"],
  );
  const base = trainStage.params("quick");
  const { values } = parseFlags(["--model", "vit", "--epochs", "4"], trainStage.flags.options);
  trainStage.flags.apply(values as FlagValues, base);
  assertEquals(
    steps(planRuns(base), "vit"),
    ["3x50/500", "3x50/500", "3x50/500"],
    "base untouched",
  );
  const smokeParams = trainStage.params("smoke");
  assertEquals(trainDatasets(smokeParams), ["mnist"], "smoke runs offline: no CIFAR-10");
  const smoke = planTrain(smokeParams);
  assertEquals(smoke.map((p) => `${p.model ?? "fc"}:${p.gradient.approach}:${p.gradient.k}`), [
    "fc:bp:1",
    "fc:fg:4",
    "fc:frog:4",
    "resnet18:bp:1",
    "resnet18:fg:4",
    "resnet18:frog:4",
    "vit:bp:1",
    "vit:fg:4",
    "vit:frog:4",
  ]);
  // Table LRs (lrs/fc_nns.csv, lrs/sota_nns.csv).
  assertEquals(smoke[0].lr, 0.026050732201274525);
  assertEquals(smoke[2].lr, 0.12075085632843374);
  assertEquals(smoke[3].lr, 0.1);
  assertEquals(smoke[5].lr, 0.5082631224821867);
  assertEquals(smoke[7].lr, 3.5768481382380376e-05);
  assert(
    paper.every((r) => r.plan.gradient.mode === "sim" && r.plan.gradient.perturbation === "node"),
  );
});

Deno.test("trainStage --model and --dataset pick the grids, with the sota LRs and batch sizes", () => {
  const p = applyFlags([
    "--model",
    "resnet18",
    "--dataset",
    "cifar10",
    "--approach",
    "frog",
    "--k",
    "16",
  ]);
  assertEquals(p.fc, false);
  assertEquals(planTrain(p).map((r) => [r.model, r.dataset, r.gradient.k, r.lr]), [
    ["resnet18", "cifar10", 16, 0.4863679205279614],
  ]);
  assertEquals(trainStage.units!.list(p).map((u) => u.settings.batchSize), [128]);
  assertEquals(trainStage.units!.list(p).map((u) => u.id), [
    "resnet18__cifar10__frog_k=16__sim-node__seed=0",
  ]);
  const v = applyFlags(["--model", "vit,fc", "--dataset", "mnist", "--approach", "fg", "--k", "2"]);
  assertEquals(planTrain(v).map((r) => [r.model ?? "fc", r.lr]), [
    ["fc", 0.000847756254065886],
    ["vit", 3.391674408012374e-05],
  ]);
  assertEquals(trainStage.units!.list(v).map((u) => u.settings.batchSize), [64, 64]);
  // The BN double update reaches ResNet18 runs only; default on (the original's), flag off.
  const on = trainStage.units!.list(applyFlags(["--model", "resnet18"]));
  assert(on.every((u) => u.settings.gradientOptions?.doubleBufferUpdate === true));
  const off = trainStage.units!.list(
    applyFlags(["--model", "resnet18", "--bn-double-update", "false"]),
  );
  assert(off.every((u) => u.settings.gradientOptions?.doubleBufferUpdate === false));
  assert(trainStage.units!.list(v).every((u) => u.settings.gradientOptions === undefined));
});

Deno.test("trainStage flags build the approach grid and override the LR", () => {
  const p = applyFlags([
    "--model",
    "fc",
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
    "--model",
    "fc",
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
    [["--model", "lenet5"], "--model must be one of fc, resnet18, vit"],
    [["--dataset", "svhn"], "--dataset must be one of mnist, cifar10"],
    [["--bn-double-update", "yes"], "--bn-double-update must be one of true, false"],
    [["--model", "fc", "--dataset", "cifar10"], "No learning rate for fc_w=256/cifar10/bp"],
    [["--model", "vit", "--width", "512"], "--width sets the fc widths only"],
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
      "--model",
      "fc",
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
