import { deepEqual as assertEquals, throws } from "node:assert/strict";
import { UsageError } from "../../src/cli/args.ts";
import { dependencyOrder, findStage, stageIndex } from "../../src/pipeline/graph.ts";
import type { Stage } from "../../src/pipeline/stage.ts";
import { makeStages } from "../fixtures/pipeline/stages.ts";

const s = (name: string, deps: string[]) => ({ name, deps }) as unknown as Stage;

Deno.test("dependencyOrder() puts upstream stages first, once each", () => {
  const stages = makeStages({});
  assertEquals(dependencyOrder(["verdict"], stages).map((x) => x.name), ["a", "b", "c", "verdict"]);
  assertEquals(dependencyOrder(["d", "c"], stages).map((x) => x.name), ["a", "d", "b", "c"]);
  const diamond = [s("top", ["l", "r"]), s("l", ["base"]), s("r", ["base"]), s("base", [])];
  assertEquals(dependencyOrder(["top"], diamond).map((x) => x.name), ["base", "l", "r", "top"]);
});

Deno.test("dependencyOrder() names the cycle", () => {
  const stages = [s("a", ["c"]), s("b", ["a"]), s("c", ["b"])];
  throws(() => dependencyOrder(["b"], stages), /dependency cycle b -> a -> c -> b/);
  throws(() => dependencyOrder(["x"], [s("x", ["x"])]), /dependency cycle x -> x/);
});

Deno.test("stageIndex() rejects duplicate names and unknown dependencies", () => {
  throws(() => stageIndex([s("a", []), s("a", [])]), /two stages are named "a"/);
  throws(() => stageIndex([s("a", ["ghost"])]), /stage "a" depends on unknown stage "ghost"/);
});

Deno.test("findStage() throws a UsageError listing the stages", () => {
  throws(() => findStage("q", [s("a", []), s("b", [])]), (e: unknown) => {
    return e instanceof UsageError && e.message === 'unknown stage "q"; stages: a, b';
  });
  throws(() => findStage("q", []), /no stages are registered/);
});
