/**
 * Process liveness on this host. The locks themselves (per unit and per
 * result, with host, start time and lease) are in ./unit_lock.ts.
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
