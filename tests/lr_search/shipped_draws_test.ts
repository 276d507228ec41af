import assert from "node:assert/strict";
import { parseCsvTable } from "../../src/lrs/table.ts";
import { PythonRandom } from "../../src/lr_search/python_random.ts";

const FILES = ["fc_nns.csv", "math.csv", "math__custom_tangents.csv", "sota_nns.csv"];
const WORDS = 1500;

/** lr = 10**uniform(-6, 0) for random() starting at every 32-bit word offset of Random(rank). */
function rawDraws(): Map<number, { rank: number; word: number }> {
  const out = new Map<number, { rank: number; word: number }>();
  for (let rank = 0; rank < 4; rank++) {
    const r = new PythonRandom(rank);
    const w = Array.from({ length: WORDS }, () => r.nextUint32());
    for (let i = 0; i + 1 < WORDS; i++) {
      const u = ((w[i] >>> 5) * 67108864 + (w[i + 1] >>> 6)) / 9007199254740992;
      out.set(10 ** (-6 + 6 * u), { rank, word: i });
    }
  }
  return out;
}

function gate(rank: number, word: number): number {
  const r = new PythonRandom(rank);
  for (let i = 0; i < word; i++) r.nextUint32();
  return r.random();
}

Deno.test("64 first-release LR rows are raw draws of Random(rank).uniform(-6, 0), bit for bit", () => {
  const draws = rawDraws();
  const hits: { file: string; rank: number; word: number }[] = [];
  let rows = 0;
  for (const file of FILES) {
    const text = Deno.readTextFileSync(new URL(`../../lrs/first-release/${file}`, import.meta.url));
    for (const { values } of parseCsvTable(text, file, ["lr"])) {
      rows++;
      const d = draws.get(Number(values.lr));
      if (d) hits.push({ file, ...d });
    }
  }
  assert.equal(rows, 334);
  // Initial individuals: InitUniform's gate random() (words 4j, 4j+1), then uniform (4j+2, 4j+3).
  const initial = hits.filter((h) => h.word < 32 && h.word % 4 === 2);
  assert.equal(initial.length, 58);
  // The rest are the chain's final re-init (p 0.1): the draw before it is below 0.1.
  const reinit = hits.filter((h) => !initial.includes(h));
  assert.deepEqual(reinit.map((h) => `${h.rank}@${h.word}`).sort(), [
    "2@164",
    "2@164",
    "2@164",
    "2@164",
    "3@228",
    "3@345",
  ]);
  for (const h of reinit) assert.ok(gate(h.rank, h.word - 2) < 0.1);
  assert.equal(hits.length, 64);
});
