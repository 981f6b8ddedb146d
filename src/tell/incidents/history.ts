// A task's history as of one run, read from its earlier runs (newest first): the failures in a row before it,
// the last success, the usual duration (median of recent successes, robust to one slow night), what started it.
import type { RunHistory, StartedBy } from "../../platform/events/run-context";
import type { TaskEvent } from "../../platform/events/types";
import type { PastRun } from "./incident-store";

/** Successful runs the usual duration is the median of. */
export const USUAL_OF = 10;
/** Fewer successful runs than this say nothing about "usual". */
export const USUAL_MIN_RUNS = 3;

export interface PriorRuns {
  /** Failed or aborted runs in a row right before this one. */
  failures: number;
  /** End of the oldest of those failures. */
  failingSince?: number;
  lastSuccessAt?: number;
  usualDurationMs?: number;
  /** The quickest of those successful runs. */
  quickestMs?: number;
  /** Successful runs with a duration among the recent runs. */
  successes: number;
  runsKnown: number;
  /** End times of the failed or aborted runs among the recent ones, newest first. */
  failureTimes: number[];
}

const failed = (outcome: string) => outcome === "failed" || outcome === "aborted";

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

export function priorRuns(recent: readonly PastRun[]): PriorRuns {
  // One pass (three filters and a flatMap over each run's 50 before were 1.6 % of a burst's main thread, issue 89).
  let failures = 0;
  let failingSince: number | undefined;
  let streak = true;
  let lastSuccessAt: number | undefined;
  const durations: number[] = [];
  const failureTimes: number[] = [];
  for (const r of recent) {
    if (failed(r.outcome)) {
      failureTimes.push(r.finishedAt);
      if (streak) {
        failures++;
        failingSince = r.finishedAt;
      }
      continue;
    }
    streak = false;
    if (r.outcome !== "succeeded") continue;
    lastSuccessAt ??= r.finishedAt;
    if (durations.length < USUAL_OF && r.durationMs !== null && r.durationMs >= 0) durations.push(r.durationMs);
  }
  return {
    failures,
    failingSince,
    lastSuccessAt,
    usualDurationMs: durations.length >= USUAL_MIN_RUNS ? median(durations) : undefined,
    quickestMs: durations.length >= USUAL_MIN_RUNS ? Math.min(...durations) : undefined,
    successes: durations.length,
    runsKnown: recent.length,
    failureTimes,
  };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function historyFor(
  prior: PriorRuns,
  run: { failed: boolean; consecutiveFailures: number; failingSince?: number; durationMs?: number; failuresSince?: number },
  startedBy: StartedBy,
): RunHistory {
  const recentFailures = run.failuresSince === undefined ? [] : prior.failureTimes.filter((t) => t >= run.failuresSince!).reverse();
  return {
    consecutiveFailures: run.failed ? run.consecutiveFailures : 0,
    ...(prior.lastSuccessAt !== undefined ? { lastSuccessAt: iso(prior.lastSuccessAt) } : {}),
    ...(run.failed && run.failingSince !== undefined ? { failingSince: iso(run.failingSince) } : {}),
    ...(prior.usualDurationMs !== undefined ? { usualDurationMs: prior.usualDurationMs } : {}),
    ...(run.durationMs !== undefined ? { durationMs: run.durationMs } : {}),
    runsKnown: prior.runsKnown,
    ...(recentFailures.length > 0 ? { recentFailures: recentFailures.map((t) => new Date(t).toISOString()) } : {}),
    startedBy,
  };
}

/** Who started the run, from the run's user: the Scheduler's own account means a trigger or a task chain. */
export function startedByOf(e: Pick<TaskEvent, "user">, schedulerUsers: readonly string[]): StartedBy {
  const user = e.user.trim();
  if (!user) return { kind: "unknown", text: "unknown" };
  const norm = (u: string) => u.toLowerCase().replace("/", "\\");
  if (schedulerUsers.some((s) => norm(s) === norm(user))) return { kind: "scheduler", user, text: "a trigger or task chain" };
  return { kind: "user", user, text: `${user} (manual start)` };
}
