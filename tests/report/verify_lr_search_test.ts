import assert, { deepEqual as assertEquals } from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { lrSearchChecks, pythonInitialDraws } from "../../src/report/verify_lr_search.ts";
import { PythonRandom } from "../../src/lr_search/python_random.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface Row {
  label: string;
  task: string;
  rank: number;
  index: number;
  lrLog10: number;
}

/** A search folder with the given labels (chosen LR, loss) and trace rows. */
async function searchDir(
  labels: { label: string; task: string; lr: number; loss: number }[],
  trace: Row[],
  maxSteps: number | null,
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "lrs-verify-" });
  await Deno.writeTextFile(
    join(dir, "search.json"),
    JSON.stringify({ format: 1, tables: {}, labels }),
  );
  await Deno.writeTextFile(
    join(dir, "manifest.json"),
    JSON.stringify({ params: { math: { maxSteps }, evaluations: { math: 8 } } }),
  );
  const lines = ["label,task,evaluation,rank,index,origin,lr_log10,lr,loss,pruned,steps"];
  for (const r of trace) {
    lines.push(
      [
        r.label,
        r.task,
        r.index * 4 + r.rank,
        r.rank,
        r.index,
        "init",
        r.lrLog10,
        10 ** r.lrLog10,
        1,
        "False",
        1,
      ]
        .join(","),
    );
  }
  await Deno.writeTextFile(join(dir, "trace.csv"), lines.join("\n") + "\n");
  return dir;
}

/** Our port's first two InitUniform draws of Random(rank). */
function ours(rank: number): number[] {
  const r = new PythonRandom(rank);
  return [0, 1].map(() => (r.random(), r.uniform(-6, 0)));
}

Deno.test("Python's draws from the fixture are our port's InitUniform draws", async () => {
  const py = await pythonInitialDraws(ROOT);
  for (let rank = 0; rank < 4; rank++) assertEquals(py[rank], ours(rank));
});

Deno.test("lr-search checks: initial draws, |Δlog10| median, bp at the authors' budget, fg-mean < frog", async () => {
  const label = "math/sphere_n=0001/bp";
  const trace: Row[] = [];
  for (let index = 0; index < 2; index++) {
    for (let rank = 0; rank < 4; rank++) {
      trace.push({ label, task: "math", rank, index, lrLog10: ours(rank)[index] });
    }
  }
  const labels = [
    { label, task: "math", lr: 0.2, loss: 0 },
    { label: "nns/fc_w=256__mnist/fg-mean_k=4", task: "fc-nn", lr: 0.001, loss: 0.2 },
    { label: "nns/fc_w=256__mnist/frog_k=4", task: "fc-nn", lr: 0.1, loss: 0.2 },
  ];
  const shipped = new Map([[label, 0.18]]);
  const dirs: string[] = [];
  try {
    const good = await searchDir(labels, trace, null);
    dirs.push(good);
    const checks = await lrSearchChecks(good, ROOT, shipped);
    assertEquals(checks.length, 4);
    for (const c of checks) assert.ok(c.test(c.slack), c.check);

    // one wrong bit in a draw, a bp loss off, fg-mean above frog, LRs a decade off
    const bad = structuredClone(trace);
    bad[5].lrLog10 = bad[5].lrLog10 + 2 ** -40;
    const worse = [
      { label, task: "math", lr: 2e-3, loss: 1e-3 },
      { ...labels[1], lr: 0.5 },
      labels[2],
    ];
    const broken = await searchDir(worse, bad, null);
    dirs.push(broken);
    const failed = await lrSearchChecks(broken, ROOT, shipped);
    assertEquals(failed.map((c) => c.test(c.slack)), [false, false, false, false]);

    // a capped budget is not the authors': no bp check
    const capped = await searchDir(labels, trace, 100);
    dirs.push(capped);
    assertEquals((await lrSearchChecks(capped, ROOT, shipped)).length, 3);
  } finally {
    for (const d of dirs) await Deno.remove(d, { recursive: true });
  }
});
