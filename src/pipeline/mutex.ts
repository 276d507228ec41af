/**
 * A per-result lock file (`cache/<stage>/<key>.lock`) so that two processes
 * never compute the same result into the same `.partial` folder at once. A
 * lock left by a killed process (its pid no longer runs) is taken over.
 *
 * @module
 */
/** Whether a process with this pid is running (POSIX signal probe; true when unsure). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (Deno.build.os === "windows") return true;
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    return !(e instanceof TypeError && /ESRCH|No such process/i.test(e.message));
  }
}

/**
 * Takes the lock at `path`, or throws naming the process that holds it.
 *
 * @param path Lock file path.
 * @param what Description for the error message, e.g. `stage "train"`.
 * @returns A function that releases the lock.
 */
export async function acquireLock(path: string, what: string): Promise<() => Promise<void>> {
  const content = new TextEncoder().encode(
    JSON.stringify({ pid: Deno.pid, startedAt: new Date().toISOString() }) + "\n",
  );
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await Deno.writeFile(path, content, { createNew: true });
      return async () => {
        await Deno.remove(path).catch(() => {});
      };
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
    let holder: { pid?: number } = {};
    try {
      holder = JSON.parse(await Deno.readTextFile(path));
    } catch {
      // unreadable: a writer died mid-write; treat as stale
    }
    if (holder.pid !== undefined && processAlive(holder.pid)) {
      throw new Error(
        `Cannot run ${what}: process ${holder.pid} is computing the same result ` +
          `(lock ${path}); wait for it, or delete the lock if that process is gone`,
      );
    }
    // stale (its process is gone): remove it and retry the exclusive create once
    await Deno.remove(path).catch(() => {});
  }
  throw new Error(`Cannot run ${what}: could not take the lock ${path}`);
}
