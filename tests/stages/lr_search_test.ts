import assert, { deepEqual as assertEquals, throws } from "node:assert/strict";
import { listUnits } from "../../src/pipeline/units.ts";
import {
  applyLrSearchFlags,
  listSearchUnits,
  lrSearchParams,
  lrSearchUnits,
  searchLabels,
} from "../../src/stages/lr_search.ts";
import { replay, type SearchUnit, type StoredResult } from "../../src/stages/lr_search/units.ts";
import { outcomes, tableCsv } from "../../src/stages/lr_search/finalize.ts";
import { searchLabel } from "../../src/lr_search/search.ts";
import { pruningConfig } from "../../src/lr_search/pruning.ts";
import { evaluateUnit } from "../../src/lr_search/search.ts";
import { parseMathLrTable } from "../../src/lrs/math.ts";
import { parseNnLrTable } from "../../src/lrs/nn.ts";
import { functionsParams, functionsStage, planFunctions } from "../../src/stages/functions.ts";
import { planTrain, trainParams, trainStage } from "../../src/stages/train.ts";
import { loadMathLrTable, MATH_LR_PATH } from "../../src/lrs/math.ts";
import type { CompletedUnit } from "../../src/pipeline/units.ts";
import { UsageError } from "../../src/cli/args.ts";
import { PROFILES } from "../../src/pipeline/stage.ts";

Deno.test("lr-search units: one per (label, rank, index), wave = index, ranks × evaluations/ranks per label", () => {
  const p = applyLrSearchFlags(
    { task: "math", function: "sphere", n: "2", k: "2" },
    lrSearchParams("smoke"),
  );
  const units = listSearchUnits(p);
  assertEquals(searchLabels(p).map((l) => l.label), [
    "math/sphere_n=0002/bp",
    "math/sphere_n=0002/fg-mean_k=1",
    "math/sphere_n=0002/fg-mean_k=2",
    "math/sphere_n=0002/frog_k=2",
  ]);
  assertEquals(units.length, 4 * 8);
  assertEquals(new Set(units.map((u) => u.id)).size, units.length);
  assertEquals(units[5].id, "math/sphere_n=0002/bp/r=1/i=001");
  for (const u of units) assertEquals(u.wave, u.index);
  assertEquals(Math.max(...units.map((u) => u.index)), 1);
});

/** Table rows with LR 0.01 for every label of the search's parameters. */
function tablesOf(p: ReturnType<typeof lrSearchParams>) {
  const units = listSearchUnits(p).filter((u) => u.rank === 0 && u.index === 0);
  const done = units.map((u): CompletedUnit<SearchUnit> => ({
    unit: u,
    dir: "",
    reused: false,
    facts: { lr: 0.01, lr_log10: -2, loss: 1, pruned: false, origin: "init", length: 1 },
  }));
  const chosen = outcomes(done, 0.05);
  return {
    main: parseMathLrTable(tableCsv("math", chosen), "math.csv"),
    custom: parseMathLrTable(tableCsv("math_custom_tangents", chosen), "custom.csv"),
    nn: [parseNnLrTable(tableCsv("fc-nn", chosen), "fc_nns.csv")],
    chosen,
  };
}

Deno.test("each profile's search covers every LR the functions and train stages of that profile look up", () => {
  for (const profile of PROFILES) {
    // valid, unique unit ids (the pipeline's own listing checks)
    listUnits("lr-search", lrSearchUnits, lrSearchParams(profile));
    const t = tablesOf(lrSearchParams(profile));
    const reference = loadMathLrTable(MATH_LR_PATH);
    const plan = planFunctions(functionsParams(profile), { ...t, reference });
    for (const u of [...plan.main, ...plan.custom]) {
      for (const r of u.runs) assertEquals(r.lr, 0.01, `${profile} ${u.functionName} ${u.n}`);
    }
    // FC runs take the searched LRs; ResNet18 and the ViT keep lrs/sota_nns.csv (not searched)
    const authors = planTrain(trainParams(profile));
    planTrain({ ...trainParams(profile), lrs: "searched" }, t.nn).forEach((r, i) => {
      assertEquals(r.lr, r.model === undefined || r.model === "fc" ? 0.01 : authors[i].lr);
    });
  }
});

Deno.test("the searched tables have the first-release columns and cell formats", () => {
  const p = applyLrSearchFlags(
    { task: ["math", "math_custom_tangents", "fc-nn"], function: "rosenbrock", n: "4", k: "16" },
    lrSearchParams("smoke"),
  );
  const { chosen } = tablesOf(p);
  const math = tableCsv("math", chosen).split("\n");
  assertEquals(math[0], "function,n,gradient_approach,k,optimizer,lr,loss");
  assertEquals(math[1], "rosenbrock,4,bp,,Backpropagation,0.01,1.0");
  assertEquals(
    math[2],
    'rosenbrock,4,fg-mean,1.0,"FG(k=1,agg=mean,normalize=False,sampler=normal)",0.01,1.0',
  );
  const custom = tableCsv("math_custom_tangents", chosen).split("\n");
  assertEquals(
    custom[1],
    'styblinski-tang,64,fg-mean,16,"FG(k=16,agg=mean,normalize=False,sampler=specific_angle_45)",0.01,1.0',
  );
  assertEquals(
    custom[3],
    'styblinski-tang,64,frog,16,"FG(k=16,agg=orthogonal_projection,normalize=False,sampler=normal)",0.01,1.0',
  );
  const fc = tableCsv("fc-nn", chosen).split("\n");
  assertEquals(fc.slice(0, 3), [
    "model,dataset,gradient_approach,k,lr,loss",
    "fc_w=256,mnist,bp,,0.01,1.0",
    "fc_w=256,mnist,fg-mean,4.0,0.01,1.0",
  ]);
});

Deno.test("frog k=16 at n = 64 is one search whose row goes to both math tables", () => {
  const p = applyLrSearchFlags(
    { task: ["math", "math_custom_tangents"], function: "styblinski-tang", n: "64", k: "16" },
    lrSearchParams("quick"),
  );
  const labels = searchLabels(p).map((l) => l.label);
  assertEquals(labels.filter((l) => l === "math/styblinski-tang_n=0064/frog_k=16").length, 1);
  const { chosen } = tablesOf(p);
  const frog = '"FG(k=16,agg=orthogonal_projection,normalize=False,sampler=normal)",0.01,1.0';
  assert.ok(tableCsv("math", chosen).includes(`styblinski-tang,64,frog,16.0,${frog}`));
  assert.ok(
    tableCsv("math_custom_tangents", chosen).includes(`styblinski-tang,64,frog,16,${frog}`),
  );
});

Deno.test("unit-by-unit replay (the stage's compute) equals the in-memory driver searchLabel()", async () => {
  const objective = (lr: number) => {
    const target = Math.abs(Math.log10(lr) + 2.5);
    return Array.from(
      { length: 40 },
      (_, t) => target + 10 / (t + 1) + (t > 30 && lr > 0.5 ? NaN : 0),
    );
  };
  const pruning = pruningConfig(40);
  const want = await searchLabel("toy", objective, { ranks: 4, perRank: 6, pruning });
  const store = new Map<string, { s: StoredResult; curve: number[] }>();
  const target = { task: "math", label: "toy" } as unknown as SearchUnit["target"];
  for (let index = 0; index < 6; index++) {
    // any order within an index: they are independent
    for (const rank of [3, 1, 0, 2]) {
      const unit = { id: "", target, rank, index, perRank: 6 } as SearchUnit;
      const planned = await replay(
        unit,
        { ranks: 4, fc: {} as never },
        (r, i) => Promise.resolve(store.get(`${r}/${i}`)!.s),
        (r, i) => Promise.resolve(store.get(`${r}/${i}`)!.curve),
      );
      const res = await evaluateUnit(planned, objective, pruning);
      const last = res.curve[res.curve.length - 1];
      store.set(`${rank}/${index}`, {
        s: {
          label: "toy",
          rank,
          index,
          lr_log10: res.lrLog10,
          lr: res.lr,
          loss: Number.isFinite(res.loss) ? res.loss : String(res.loss),
          final: res.curve.length ? (Number.isFinite(last) ? last : String(last)) : null,
          pruned: res.pruned,
          length: res.curve.length,
          origin: planned.proposal.origin,
        },
        curve: [...res.curve],
      });
    }
  }
  for (const w of want) {
    const got = store.get(`${w.rank}/${w.index}`)!;
    assertEquals([got.s.lr, got.s.pruned, got.curve], [w.lr, w.pruned, w.curve]);
  }
  assert.ok(want.some((w) => w.pruned), "the toy search prunes some runs");
});

Deno.test("lr-search flags: one-line usage errors", () => {
  const base = lrSearchParams("smoke");
  throws(
    () => applyLrSearchFlags({ task: "sota-nn" }, base),
    (e) => e instanceof UsageError && /not available yet/.test(e.message),
  );
  throws(
    () => applyLrSearchFlags({ task: "nope" }, base),
    (e) => e instanceof UsageError && /--task/.test(e.message),
  );
  throws(() => applyLrSearchFlags({ evaluations: "10" }, base), /multiple of the 4 ranks/);
  throws(() => applyLrSearchFlags({ function: "nope" }, base), (e) => e instanceof UsageError);
  assertEquals(applyLrSearchFlags({ evaluations: "12" }, base).evaluations["fc-nn"], 12);
});

Deno.test("--lrs searched: functions and train preflights refuse searched tables that lack a label (usage error)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lrs-preflight-" });
  try {
    await Deno.mkdir(`${dir}/lrs`);
    // one sphere row only
    await Deno.writeTextFile(
      `${dir}/lrs/math.csv`,
      "function,n,gradient_approach,k,optimizer,lr,loss\nsphere,1,bp,,Backpropagation,0.1,0.0\n",
    );
    const inputs = { "lr-search": { stage: "lr-search", dir, key: "k", params: {} } };
    const backend = { requested: "cpu", name: "cpu", versions: {} } as never;
    const ctx = (params: unknown) =>
      ({ params, inputs, backend, rootDir: dir, log: () => {} }) as never;
    const fp = {
      ...functionsParams("smoke"),
      functions: ["sphere"],
      ns: [1],
      ks: [2],
      customTangents: "off" as const,
      lrs: "searched" as const,
    };
    await assert.rejects(
      async () => await functionsStage.preflight!(ctx(fp)),
      (e) =>
        e instanceof UsageError &&
        /No learning rate in .*math\.csv for \(sphere, 1, FG\(k=1/.test(e.message),
    );
    await assert.rejects(
      async () => await trainStage.preflight!(ctx({ ...trainParams("smoke"), lrs: "searched" })),
      (e) => e instanceof UsageError && /fc_nns\.csv/.test(e.message),
    );
    assertEquals(functionsStage.upstream!(fp), ["lr-search"]);
    assertEquals(functionsStage.upstream!(functionsParams("smoke")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
