import { assertEquals } from "./_assert.ts";
import { approachStyles, categoricalStyles, OKABE_ITO } from "../../src/report/palette.ts";

Deno.test("approachStyles(): colour by k, dash by method, bp black", () => {
  const s = approachStyles(["bp", "fg k=1", "fg-mean k=4", "frog k=4", "frog k=16 (fwad, weight)"]);
  assertEquals(s[0], { color: "#000000", dash: [1, 0] });
  assertEquals(s[2].color, s[3].color); // same k
  assertEquals(s[2].dash, [6, 3]); // fg-mean dashed
  assertEquals(s[3].dash, [1, 0]); // frog solid
  assertEquals(s[1].dash, [6, 3]); // fg k=1 is fg-mean with one tangent
  assertEquals(s[4].dash, [2, 2]); // a variant: dotted
  assertEquals(new Set(s.map((x) => x.color)).size, 4); // bp, k=1, k=4, k=16
});

Deno.test("categoricalStyles() repeats the palette dashed beyond its seven colours", () => {
  const s = categoricalStyles(9);
  assertEquals(s.slice(0, 7).map((x) => x.color), [...OKABE_ITO]);
  assertEquals(s[7], { color: OKABE_ITO[0], dash: [6, 3] });
  assertEquals(new Set(s.map((x) => `${x.color}${x.dash}`)).size, 9);
});
