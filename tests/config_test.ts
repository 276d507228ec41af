// Tests for the project's Deno configuration (deno.json, deno.lock).
import assert from "node:assert/strict";

const read = (file: string) =>
  JSON.parse(Deno.readTextFileSync(new URL(`../${file}`, import.meta.url)));

Deno.test("every npm package with a lifecycle script in deno.lock is allowed or denied in deno.json (no 'deno approve-scripts' notice on a fresh clone)", () => {
  const lock = read("deno.lock") as { npm?: Record<string, { scripts?: boolean }> };
  const config = read("deno.json") as { allowScripts?: { allow?: string[]; deny?: string[] } };
  const listed = [...(config.allowScripts?.allow ?? []), ...(config.allowScripts?.deny ?? [])];
  // "npm:name" covers every version, "npm:name@version" one.
  const covered = (pkg: string) => {
    const name = pkg.slice(0, pkg.indexOf("@", 1));
    return listed.includes(`npm:${name}`) || listed.includes(`npm:${pkg}`);
  };
  const withScripts = Object.entries(lock.npm ?? {}).filter(([, v]) => v.scripts === true)
    .map(([k]) => k.split("_")[0]);
  assert.ok(withScripts.length > 0, "deno.lock marks core-js@3.29.1 (a tfjs dependency)");
  assert.deepEqual(withScripts.filter((p) => !covered(p)), []);
});
