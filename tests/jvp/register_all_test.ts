import assert from "node:assert/strict";
import { ALL_RULE_TABLES } from "../../src/jvp/register_all.ts";
import { findJvpRule, registeredJvpKernels } from "../../src/jvp/registry.ts";
import { ALL_SPECS } from "./_specs.ts";

const rulesDir = new URL("../../src/jvp/rules/", import.meta.url);

Deno.test("register_all.ts imports and registers every file of rules/", async () => {
  const files: string[] = [];
  for await (const e of Deno.readDir(rulesDir)) {
    if (e.isFile && e.name.endsWith(".ts")) files.push(e.name.replace(/\.ts$/, ""));
  }
  assert.deepEqual(Object.keys(ALL_RULE_TABLES).sort(), files.sort());
  const source = await Deno.readTextFile(new URL("../../src/jvp/register_all.ts", import.meta.url));
  for (const f of files) {
    assert.ok(source.includes(`"./rules/${f}.ts"`), `rules/${f}.ts is not imported`);
  }
  for (const table of Object.values(ALL_RULE_TABLES)) {
    for (const [name, rule] of Object.entries(table)) assert.equal(findJvpRule(name), rule, name);
  }
});

Deno.test("every registered kernel is exercised by a spec of its own rules file", () => {
  const covered = new Map<string, Set<string>>();
  for (const s of ALL_SPECS) {
    for (const k of s.kernels) {
      if (!covered.has(k)) covered.set(k, new Set());
      covered.get(k)!.add(s.family);
    }
  }
  for (const [family, table] of Object.entries(ALL_RULE_TABLES)) {
    for (const kernel of Object.keys(table)) {
      assert.ok(covered.get(kernel)?.has(family), `no spec of family ${family} covers ${kernel}`);
    }
  }
  assert.ok(registeredJvpKernels().length >= 60);
});
