/**
 * Resource hints per stage and profile for cluster executors (CPUs, memory,
 * GPUs, time limit of one task), next to the stages' profile parameters;
 * `reproduce --cpus/--mem/--gres/--time` override them for every stage.
 *
 * @module
 */
import type { Profile } from "../stage.ts";
import type { Resources } from "./executor.ts";

const TABLE: Record<string, Partial<Record<Profile, Resources>>> = {
  data: { smoke: { cpus: 1, mem: "1G", time: "00:10:00" }, paper: { cpus: 1, mem: "2G" } },
  approx: {
    smoke: { cpus: 1, mem: "1G", time: "00:10:00" },
    quick: { cpus: 1, mem: "2G", time: "00:30:00" },
    paper: { cpus: 1, mem: "8G", time: "04:00:00" },
  },
  functions: {
    smoke: { cpus: 1, mem: "1G", time: "00:10:00" },
    quick: { cpus: 1, mem: "2G", time: "00:30:00" },
    paper: { cpus: 1, mem: "4G", time: "02:00:00" },
  },
  train: {
    smoke: { cpus: 1, mem: "2G", time: "00:15:00" },
    quick: { cpus: 1, mem: "4G", time: "01:00:00" },
    paper: { cpus: 2, mem: "8G", time: "12:00:00" },
  },
};

/** The resource hints of one task of `stage` under `profile` (empty when none are known). */
export function resourcesFor(stage: string, profile: Profile, _params: unknown): Resources {
  return { ...(TABLE[stage]?.[profile] ?? {}) };
}
