// When a late app is now expected to be fresh, one answer for the alerts, the administrator's page and /status:
// from its Qlik task chain once the jobs before Qlik are done, else from the usual lag after their check-in; none
// when its chain stopped at a failed run that nothing planned starts again, or waits on a start nobody can time.
import type { FreshnessFinding } from "./judge";

/** The task where the app's chain stopped this cycle (it failed or did not start, and nothing planned runs it again), if so. */
export function stoppedAt(f: FreshnessFinding): string | undefined {
  const c = f.chain;
  if (!c || c.expectedMs !== undefined || !f.upstream.every((u) => u.state === "done")) return undefined;
  return c.problems.find((p) => p.state === "failed" || p.state === "stopped")?.task;
}

/** When the app is now expected: from its chain when the jobs before Qlik are done, else from the usual lag. */
export function expectedAt(f: FreshnessFinding): number | undefined {
  const checksDone = f.upstream.every((u) => u.state === "done");
  if (f.chain?.expectedMs !== undefined && checksDone) return f.chain.expectedMs;
  // Its chain waits on a start nobody can time (a run waiting for an engine, the next day's run): not known yet.
  if (f.chain?.earliestMs !== undefined && checksDone) return undefined;
  return stoppedAt(f) ? undefined : f.expectedMs;
}
