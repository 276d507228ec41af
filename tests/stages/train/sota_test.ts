// The §4.5 runs through the train, tables and verify code: ResNet18 and the ViT at full size on a
// tiny CIFAR-10 written by the test (32×32×3 images; nothing from ../shared), one step each.
import { join, resolve } from "node:path";
import { parse } from "npm:csv-parse@7.0.3/sync";
import { assert, assertEquals } from "../../nn/_assert.ts";
import { initBackend } from "../../../src/backend.ts";
import { parseFlags } from "../../../src/cli/args.ts";
import { writePreparedDataset } from "../../../src/data/prepared.ts";
import type { StageContext } from "../../../src/pipeline/stage.ts";
import { type TrainParams, trainStage } from "../../../src/stages/train.ts";
import { readTraining, sotaSection } from "../../../src/report/networks.ts";
import { sotaChecks } from "../../../src/report/verify_sota.ts";
import { cifarRecords } from "../../data/_fixtures.ts";

await initBackend("wasm");

const rootDir = resolve(new URL("../../..", import.meta.url).pathname);
type FlagValues = Parameters<typeof trainStage.flags.apply>[0];

/** A prepared CIFAR-10 of `n` images a split from CIFAR-10 binary records (CHW planes → NHWC). */
async function tinyCifar(dir: string, n: number): Promise<void> {
  const split = (offset: number) => {
    const labels = Array.from({ length: n }, (_, i) => (i + offset) % 10);
    const rec = cifarRecords(labels);
    const images = new Uint8Array(n * 3072);
    for (let r = 0; r < n; r++) {
      for (let p = 0; p < 1024; p++) {
        for (let c = 0; c < 3; c++) {
          images[r * 3072 + p * 3 + c] = rec[r * 3073 + 1 + c * 1024 + p];
        }
      }
    }
    return { images, labels: Uint8Array.from(labels), count: n };
  };
  await writePreparedDataset(dir, {
    name: "cifar10",
    title: "tiny CIFAR-10-like test data",
    shape: [32, 32, 3],
    classes: Array.from({ length: 10 }, (_, i) => String(i)),
    mean: [125.3 / 255, 123.0 / 255, 113.9 / 255],
    std: [63.0 / 255, 62.1 / 255, 66.7 / 255],
    split: { seed: 0, stream: ["split"], of: 2 * n, train: n, val: n, method: "test" },
    source: { kind: "package", location: "test", format: "cifar-binary", files: [] },
    sourceAttempts: [],
  } as never, { train: split(0), val: split(3), test: split(5) });
}

function context(params: TrainParams, outDir: string, dataDir: string): StageContext<TrainParams> {
  return {
    params,
    outDir,
    inputs: { data: { stage: "data", dir: dataDir, key: "k", params: {} } },
    backend: { requested: "wasm", name: "wasm", versions: {} },
    rootDir,
    log: () => {},
    progress: () => ({ tick() {}, stop() {} }),
  };
}

Deno.test("train: resnet18 and vit on CIFAR-10 write the §4.7 columns, the sota LRs, batch 128", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const dataDir = join(tmp, "data");
    await tinyCifar(dataDir, 6);
    const { values } = parseFlags([
      "--model",
      "resnet18,vit",
      "--dataset",
      "cifar10",
      "--approach",
      "bp,frog",
      "--k",
      "2",
      "--epochs",
      "1",
      "--eval-limit",
      "4",
    ], trainStage.flags.options);
    const params = trainStage.flags.apply(values as FlagValues, trainStage.params("smoke"));
    const out = join(tmp, "out");
    await trainStage.run(context(params, out, dataDir));
    const index = parse(Deno.readTextFileSync(join(out, "runs.csv")), { columns: true }) as Record<
      string,
      string
    >[];
    assertEquals(index.map((r) => [r.model, r.dataset, r.gradient_approach, r.k, r.lr]), [
      ["resnet18", "cifar10", "bp", "", "0.1"],
      ["resnet18", "cifar10", "frog", "2", "0.4863679205279614"],
      ["vit", "cifar10", "bp", "", "0.1"],
      ["vit", "cifar10", "frog", "2", "1"],
    ]);
    for (const r of index) {
      const text = Deno.readTextFileSync(join(out, r.file));
      const header = text.split("\n")[0].split(",");
      const rows = parse(text, { columns: true }) as Record<string, string>[];
      assertEquals(rows.map((x) => x.epoch), ["0", "1"]);
      const cfg = JSON.parse(
        Deno.readTextFileSync(join(out, r.file.replace("_train_progress.csv", ".json"))),
      );
      assertEquals(cfg.batch_size, 128);
      assertEquals(cfg.steps, 1, "6 training images: one batch");
      assertEquals(cfg.batch_losses.length, 1);
      if (r.model === "resnet18") {
        assertEquals(cfg.parameters, 11181642);
        assertEquals(
          header.slice(header.indexOf("model__name"), header.indexOf("model__name") + 2),
          [
            "model__name",
            "model__grouping_mode",
          ],
        );
        assertEquals(rows[0].model__grouping_mode, "wide");
        assertEquals(cfg.bn_double_update, r.gradient_approach === "bp" ? null : true);
      } else {
        assertEquals(cfg.parameters, 3195146);
        for (
          const c of [
            "model__patch_size",
            "model__num_layers",
            "model__num_heads",
            "model__hidden_dim",
            "model__mlp_dim",
            "replicate_torchvision",
          ]
        ) assert(header.includes(c), c);
        assertEquals(rows[0].model__grouping_mode, "wide_1");
        assert(Math.abs(cfg.batch_losses[0] - Math.LN10) < 1e-5, "zero head: loss ln 10");
        assertEquals(cfg.bn_double_update, null);
      }
      if (r.gradient_approach === "frog") {
        assertEquals(rows[0].fg_model__cls, "ActivityPerturbedSimFGModel");
      }
    }
    // tables and verify read the runs: one row per model × dataset × approach.
    const runs = (await readTraining(out))!;
    const section = sotaSection(runs);
    assertEquals(section.tables[0].rows.map((row) => row.slice(0, 3)), [
      ["resnet18", "cifar10", "bp"],
      ["resnet18", "cifar10", "frog k=2"],
      ["vit", "cifar10", "bp"],
      ["vit", "cifar10", "frog k=2"],
    ]);
    assertEquals(section.figures.map((f) => f.name), [
      "sota_loss",
      "sota_accuracy",
      "sota_batch_loss",
    ]);
    const checks = sotaChecks(runs, "smoke", () => 4);
    assertEquals(checks.length, 2, "smoke: the ViT's ln 10 first-step check per ViT run");
    assert(checks.every((c) => c.test(c.slack)));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("train: a dataset the data stage did not prepare is named, with the command that prepares it", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const { values } = parseFlags(
      ["--model", "resnet18", "--dataset", "cifar10"],
      trainStage.flags.options,
    );
    const params = trainStage.flags.apply(values as FlagValues, trainStage.params("smoke"));
    await Deno.mkdir(join(tmp, "data"));
    let message = "";
    try {
      await trainStage.run(context(params, join(tmp, "out"), join(tmp, "data")));
    } catch (e) {
      message = (e as Error).message;
    }
    assert(
      message.startsWith("Cannot train on cifar10: the data stage did not prepare it") &&
        message.includes("deno task data --datasets cifar10"),
      message,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
