import { assert, assertClose, assertEquals } from "../nn/_assert.ts";
import { BenchRecorder, rowOf } from "../../bench/reference/_bench_json.ts";
import {
  cellOf,
  formatValue,
  functionRows,
  loadRange,
  ratio,
  type RunRecord,
  type Side,
  sideBySideTable,
  type TableLine,
} from "../../bench/reference/_side_by_side.ts";

const meta = (load: number, rss = 100) => ({
  tool: "test",
  load_start: [load, 0, 0],
  load_end: [load + 1, 0, 0],
  started: "2026-12-03T00:00:00Z",
  peak_rss_mb: rss,
});

function record(round: number, side: Side, id: string, s: number, extra = {}): RunRecord {
  return {
    round,
    group: "fc",
    side,
    meta: meta(round, 100 * (round + 1)),
    rows: [rowOf(id, [s], extra)],
  };
}

const BP: TableLine = { label: "bp", id: "fc/bp" };

Deno.test("a cell is the median over rounds of each round's median, with the rounds' range", () => {
  const recs = [0.03, 0.01, 0.02].map((s, r) => record(r, "wasm", "fc/bp", s));
  const c = cellOf(recs, BP, "wasm")!;
  assertEquals(c, { median: 0.02, min: 0.01, max: 0.03, rounds: 3 });
  assertEquals(cellOf(recs, BP, "torch"), undefined);
});

Deno.test("original / ours is above 1 when ours is faster, for times and for rates", () => {
  const ours = { median: 0.01, min: 0.01, max: 0.01, rounds: 1 };
  const theirs = { median: 0.04, min: 0.04, max: 0.04, rounds: 1 };
  assertClose(ratio(BP, ours, theirs)!, 4, 1e-12);
  const rate: TableLine = { label: "mm", id: "matmul/1024", higherIsBetter: true };
  assertClose(ratio(rate, ours, theirs)!, 0.25, 1e-12);
  assertEquals(ratio(BP, undefined, theirs), undefined);
});

Deno.test("peak memory lines read the group's process record", () => {
  const line: TableLine = { label: "mem", id: "peak-rss:fc", unit: "MB" };
  const recs = [record(0, "torch", "fc/bp", 1), record(1, "torch", "fc/bp", 1)];
  assertEquals(cellOf(recs, line, "torch")!.median, 150);
  const other: TableLine = { label: "mem", id: "peak-rss:approx", unit: "MB" };
  assertEquals(cellOf(recs, other, "torch"), undefined);
});

Deno.test("the table bolds a ratio below 1, drops unmeasured lines and shows — for a missing side", () => {
  const recs = [
    record(0, "wasm", "fc/bp", 0.02),
    record(0, "native", "fc/bp", 0.005),
    record(0, "torch", "fc/bp", 0.01),
  ];
  const md = sideBySideTable([BP, { label: "never", id: "fc/none" }], recs);
  const lines = md.split("\n");
  assertEquals(lines.length, 3);
  assertEquals(lines[2], "| bp | 20.0 ms | 5.00 ms | 10.0 ms | **0.50** | 2.00 |");
  const partial = sideBySideTable([BP], [record(0, "torch", "fc/bp", 0.01)]);
  assert(partial.endsWith("| bp | — | — | 10.0 ms | — | — |"), partial);
});

Deno.test("an extra field (GFLOPS) is read instead of the median time", () => {
  const line: TableLine = { label: "mm", id: "matmul/1024", field: "gflops", unit: "GFLOPS" };
  const recs = [record(0, "wasm", "matmul/1024", 0.1, { gflops: 21.5 })];
  assertEquals(cellOf(recs, line, "wasm")!.median, 21.5);
  assertEquals(formatValue(21.5, "GFLOPS"), "21.5 GFLOPS");
});

Deno.test("seconds are shown in µs, ms or s", () => {
  assertEquals(formatValue(2.5e-5), "25.0 µs");
  assertEquals(formatValue(2.5e-4), "250 µs");
  assertEquals(formatValue(0.0123), "12.3 ms");
  assertEquals(formatValue(0.00123), "1.23 ms");
  assertEquals(formatValue(3.456), "3.46 s");
});

Deno.test("function rows convert steps/s into seconds per step with the approach in the id", () => {
  const rows = functionRows("sphere", [{
    n: 16,
    approach: "fg k=1",
    steps_per_s: [100, 400, 200],
  }]);
  assertEquals(rows[0].id, "functions/sphere/n16/fg-k=1");
  assertClose(rows[0].median_s, 1 / 200, 1e-15);
  assertClose(rows[0].min_s, 1 / 400, 1e-15);
  assertClose(rows[0].max_s, 1 / 100, 1e-15);
});

Deno.test("the load range spans every record's start and end", () => {
  const recs = [record(0, "wasm", "fc/bp", 1), record(2, "torch", "fc/bp", 1)];
  assertEquals(loadRange(recs), "0.0–3.0");
});

Deno.test("a recorder writes its rows with the load and peak memory, atomically", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rec = new BenchRecorder("test", { backend: "cpu" });
    rec.add("x/y", [0.3, 0.1, 0.2]);
    const path = `${dir}/r.json`;
    await rec.write(path);
    const json = JSON.parse(await Deno.readTextFile(path));
    assertEquals(json.rows[0].median_s, 0.2);
    assertEquals(json.meta.backend, "cpu");
    assertEquals(json.meta.load_start.length, 3);
    assert(json.meta.peak_rss_mb > 1, `peak RSS ${json.meta.peak_rss_mb}`);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["r.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
