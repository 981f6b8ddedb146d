// When a freshness breach becomes certain, before the promise's warning time (issue 67): the app's projected fresh
// time already passes the deadline (its chain runs late), its chain stopped at a failed run or at a task that did not
// start (its node down) with nothing planned to run it again, or a job before Qlik failed or has not checked in and its
// usual lag alone passes the deadline. Said once, as the promise's warning, as soon as a look sees it: at 03:10 when
// the extract fails, not at 06:30. Not while something pending can still make it (issue 102): a retry or re-run due
// before the deadline, a run waiting for an engine (chain-eta.ts).
import type { ChainEta } from "./chain-eta";
import { causeReason } from "./stop-cause";

/** What of a finding (judge.ts) the question needs. */
export interface AtRiskInput {
  deadlineMs: number;
  upstream: ReadonlyArray<{ check: string; dueMs: number; state: "not_checked_in" | "failed" | "running" | "done" }>;
  usualLagMs?: number;
  expectedMs?: number;
}

/** A stopped chain is announced only this close to the deadline: the night the promise is about, not the day before. */
const STOPPED_WITHIN_MS = 12 * 3_600_000;

/** Why the deadline cannot be kept any more, or undefined while it still can. */
export function breachCertain(f: AtRiskInput, eta: ChainEta | undefined, nowMs: number): string | undefined {
  const deadline = f.deadlineMs;
  if (nowMs >= deadline) return undefined;
  const failedJob = f.upstream.find((u) => u.state === "failed");
  if (failedJob) return `the job "${failedJob.check}" failed`;
  const waiting = f.upstream.filter((u) => u.state === "not_checked_in" && u.dueMs <= nowMs);
  if (waiting.length > 0 && f.usualLagMs !== undefined && nowMs + f.usualLagMs > deadline)
    return `"${waiting[0]!.check}" has not checked in, and the app is usually fresh ${Math.round(f.usualLagMs / 60_000)} min after it does`;
  if (!f.upstream.every((u) => u.state === "done")) return undefined;
  // A cause that holds the chain up (a node down) is named: the deadline waits for it, not for the clock.
  if (eta?.expectedMs !== undefined && eta.expectedMs > deadline)
    return `its chain runs late: ${eta.cause ? causeReason(eta.cause) : "the projected fresh time passes the deadline"}`;
  const stop = eta?.problems.find((p) => p.state === "failed" || p.state === "stopped");
  const pendingInTime = eta?.earliestMs !== undefined && eta.earliestMs <= deadline;
  if (eta && eta.expectedMs === undefined && !pendingInTime && stop && deadline - nowMs <= STOPPED_WITHIN_MS)
    return eta.cause
      ? causeReason(eta.cause)
      : stop.state === "failed"
        ? `the run of "${stop.task}" in its chain failed and nothing planned runs it again before the deadline`
        : `"${stop.task}" in its chain did not start when "${stop.after}" ended (its node down, or its trigger missed) and nothing planned starts it before the deadline`;
  // Even the earliest it can be fresh (a run waiting for an engine, the next scheduled run) passes the deadline.
  if (eta?.earliestMs !== undefined && eta.earliestMs > deadline)
    return `its chain runs late: ${eta.cause ? causeReason(eta.cause) : "the earliest it can be fresh passes the deadline"}`;
  if (eta === undefined && f.expectedMs !== undefined && f.expectedMs > deadline) return "the projected fresh time passes the deadline";
  return undefined;
}
