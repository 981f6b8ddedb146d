// Finds the processes a test run started that are still running: each process the run starts inherits a mark in
// its environment (set at preload), and keeps it when its parent dies and it is re-parented, so none can hide.
import { readdirSync, readFileSync } from "node:fs";

export const RUN_MARK = "STEWARD_TEST_RUN";

export interface Leftover {
  pid: number;
  command: string;
}

/** Marks every process this run starts from now on (their environment is inherited from process.env). */
export function markThisRun(): string {
  const mark = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  process.env[RUN_MARK] = mark;
  return mark;
}

/** The running processes started with `variable=mark` in their environment (Linux /proc; none elsewhere). */
export function processesMarked(mark: string, variable = RUN_MARK): Leftover[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const needle = `\0${variable}=${mark}\0`;
  const found: Leftover[] = [];
  for (const e of entries) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (!`\0${readFileSync(`/proc/${e}/environ`, "latin1")}\0`.includes(needle)) continue;
      // A zombie has exited and only waits for its parent to read its status: nothing is left running.
      if (/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${e}/stat`, "latin1"))) continue;
      const command = readFileSync(`/proc/${e}/cmdline`, "latin1").split("\0").join(" ").trim();
      found.push({ pid, command });
    } catch {
      // gone meanwhile, or another user's
    }
  }
  return found;
}

/**
 * Waits up to `graceMs` for the marked processes to end (one that is stopping gets the time to), then kills what
 * is left by PID and returns it, so the caller can fail the run.
 */
export async function endLeftovers(mark: string, graceMs: number, variable = RUN_MARK): Promise<Leftover[]> {
  const deadline = Date.now() + graceMs;
  let left = processesMarked(mark, variable);
  while (left.length > 0 && Date.now() < deadline) {
    await Bun.sleep(200);
    left = processesMarked(mark, variable);
  }
  for (const p of left) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // ended meanwhile
    }
  }
  return left;
}
