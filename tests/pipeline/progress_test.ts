import assert, { deepEqual as assertEquals } from "node:assert/strict";
import { createProgress, formatDuration } from "../../src/pipeline/progress.ts";

Deno.test("createProgress() in lines mode prints at most one line per interval, plus start and end", () => {
  let t = 0;
  const lines: string[] = [];
  const p = createProgress("[s] units", 1000, {
    mode: "lines",
    intervalMs: 5000,
    now: () => t,
    write: (l) => lines.push(l),
  });
  for (let i = 0; i < 1000; i++) {
    t += 100; // 100 s of work in 100 ms steps
    p.tick();
  }
  p.stop();
  p.stop();
  // start line + one per 5 s over 100 s (20) + nothing extra at stop (the last tick printed)
  assertEquals(lines.length, 21);
  assertEquals(lines[0], "[s] units 0/1000 (0%) elapsed 0s ETA ?");
  assertEquals(lines[1], "[s] units 50/1000 (5%) elapsed 5s ETA 1m35s");
  assertEquals(lines.at(-1), "[s] units 1000/1000 (100%) elapsed 1m40s ETA 0s");
});

Deno.test("createProgress() prints a final line on stop when the last state was not shown", () => {
  let t = 0;
  const lines: string[] = [];
  const p = createProgress("[s] x", 3, {
    mode: "lines",
    now: () => t,
    write: (l) => lines.push(l),
  });
  p.tick(2);
  t = 1000;
  p.tick(5); // clamped to total
  p.stop();
  p.tick();
  assertEquals(lines, ["[s] x 0/3 (0%) elapsed 0s ETA ?", "[s] x 3/3 (100%) elapsed 1s ETA 0s"]);
});

Deno.test("createProgress() in off mode writes nothing", () => {
  const p = createProgress("[s] x", 3, { mode: "off", write: () => assert.fail("wrote") });
  p.tick();
  p.stop();
});

Deno.test("formatDuration() uses s, m and h units", () => {
  assertEquals(formatDuration(12.4), "12s");
  assertEquals(formatDuration(185), "3m05s");
  assertEquals(formatDuration(3720), "1h02m");
  assertEquals(formatDuration(Infinity), "?");
});
