/**
 * Reading what the pipeline wrote next to an upstream stage's outputs: its
 * `manifest.json` (src/pipeline/manifest.ts), and the facts the report shows.
 *
 * @module
 */
import { join } from "node:path";
import type { Manifest } from "../pipeline/manifest.ts";

/** Reads `<dir>/manifest.json`, or null when there is none (a stage run outside the pipeline). */
export async function readManifest(dir: string): Promise<Manifest | null> {
  try {
    return JSON.parse(await Deno.readTextFile(join(dir, "manifest.json"))) as Manifest;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** The manifest facts shown in the report, as label → text pairs. */
export function manifestFacts(m: Manifest): [string, string][] {
  const facts: [string, string][] = [
    ["stage", m.stage],
    ["cache key", m.key],
    ["profile", String(m.profile)],
    ["backend", `${m.backend?.name ?? "?"} (requested ${m.backend?.requested ?? "?"})`],
    ["started", m.startedAt],
    ["wall time", `${Number(m.wallSeconds).toFixed(1)} s${m.resumed ? " (resumed)" : ""}`],
    [
      "inputs",
      Object.entries(m.inputs ?? {}).map(([s, k]) => `${s} ${k.slice(0, 12)}`).join(", ") || "none",
    ],
    ["source hash", m.sources?.hash ?? "?"],
    [
      "versions",
      Object.entries({ ...(m.versions ?? {}), ...(m.backend?.versions ?? {}) }).map(([k, v]) =>
        `${k} ${v}`
      )
        .join(", "),
    ],
  ];
  const p = m.params as Record<string, unknown> | null;
  if (p && typeof p === "object") {
    for (const key of ["seeds", "seed", "numSeeds", "num_seeds"]) {
      if (key in p) facts.push([key, JSON.stringify(p[key])]);
    }
    facts.push(["parameters", JSON.stringify(p)]);
  }
  if (m.summary && Object.keys(m.summary).length > 0) {
    facts.push(["summary", JSON.stringify(m.summary)]);
  }
  return facts;
}
