// `npm test` marks the environment (a name outside STEWARD_*, which Steward reads as config overrides) of the `bun test` it starts, so every process the suite starts carries the mark
// (inherited, and kept when its parent dies). A worker ended with SIGKILL runs no exit hook and leaves the process
// groups its tests started; after `bun test` has exited, whatever still carries the mark is ended here.
import { endLeftovers, type Leftover } from "../test/helpers/leftover-processes";

export const SUITE_MARK = "NPM_TEST_SUITE_MARK";

export function newSuiteMark(): string {
  return `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Kills the processes still carrying `mark` once `graceMs` has passed (a stopping one gets the time) and returns them. */
export function endSuiteLeftovers(mark: string, graceMs: number): Promise<Leftover[]> {
  return endLeftovers(mark, graceMs, SUITE_MARK);
}

/**
 * Ends a stuck test worker and its children: SIGTERM first, so the test process's own handler ends the process
 * groups its tests started (test/helpers/child-process.ts), then SIGKILL for whatever did not go within `graceMs`.
 */
export async function endStuckWorker(pid: number, children: () => number[], graceMs: number, exited: Promise<unknown>): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    for (const p of [...children(), pid]) {
      try {
        process.kill(p, sig);
      } catch {
        // ended meanwhile
      }
    }
  };
  signal("SIGTERM");
  const gone = await Promise.race([exited.then(() => true), Bun.sleep(graceMs).then(() => false)]);
  if (!gone) signal("SIGKILL");
}
