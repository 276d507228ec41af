import { assertEquals } from "./_assert.ts";
import { join } from "node:path";
import { parseCsv, streamCsv, toCsvText } from "../../src/report/csv.ts";

const TEXT =
  ',n,optimizer,y\n0,4,"FG(k=4,agg=mean,normalize=False)",1.5\n1,8,"say ""hi""\nthere",-2\n';

Deno.test("parseCsv() drops the unnamed pandas index column and keeps quoted commas", () => {
  assertEquals(parseCsv(TEXT), [
    { n: "4", optimizer: "FG(k=4,agg=mean,normalize=False)", y: "1.5" },
    { n: "8", optimizer: 'say "hi"\nthere', y: "-2" },
  ]);
});

Deno.test("streamCsv() reads the same records as parseCsv(), across small chunks", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "a.csv");
  // A file larger than one read chunk, with quotes straddling chunk borders.
  const rows = Array.from({ length: 3000 }, (_, i) => [i, `FG(k=${i},agg="x")`, i / 7]);
  const text = toCsvText(["step", "label", "y"], rows);
  await Deno.writeTextFile(path, text);
  const got: Record<string, string>[] = [];
  const header = await streamCsv(path, (r) => got.push(r));
  assertEquals(header, ["step", "label", "y"]);
  assertEquals(got, parseCsv(text));
  await Deno.writeTextFile(path, TEXT);
  const small: Record<string, string>[] = [];
  await streamCsv(path, (r) => small.push(r));
  assertEquals(small, parseCsv(TEXT));
  await Deno.remove(dir, { recursive: true });
});
