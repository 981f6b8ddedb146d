// app.stale for Qlik Cloud apps reloaded by time-scheduled tasks, from the plan as on Qlik Sense: stale only when
// the first run a schedule expected after the app's last success has not succeeded within that task's usual
// duration plus grace. Gaps in the schedule (office hours, weekdays, monthly) are quiet.
import { MAX_STEPS_PER_SEARCH, nextOccurrence, RecurrenceBudgetError } from "../../platform/core/rrule";
import { type CloudPlanTask, runStatusCode } from "./cloud-plan";
import type { KeptRun } from "./run-list";

export interface CloudStaleApp {
  appId: string;
  /** The task whose expected run did not succeed in time. */
  task: CloudPlanTask;
  lastSuccessMs: number;
  expectedAtMs: number;
  /** From the last success to the deadline (expected start + usual duration + grace). */
  withinMs: number;
}

export interface CloudStaleInput {
  tasks: readonly CloudPlanTask[];
  /** Finished runs per task id (this tenant's), oldest first. */
  ends: ReadonlyMap<string, readonly KeptRun[]>;
  nowMs: number;
  /** Whether the watchdog judges the task at all (enabled, watched, scheduled). */
  watched(task: CloudPlanTask): boolean;
  graceOf(task: CloudPlanTask): number;
  /** How long a run may take before its data counts as late; undefined while no successful run was seen. */
  limitOf(task: CloudPlanTask): number | undefined;
  /** A task whose schedule costs more than one search's budget from the app's last success: not judged, named. */
  tooCostly?(task: CloudPlanTask, err: RecurrenceBudgetError): void;
}

const SUCCESS = 7;

/** Per app: its last success (for closing), and the apps stale now. */
export function cloudStaleApps(i: CloudStaleInput): { lastSuccessByApp: Map<string, number>; stale: CloudStaleApp[] } {
  const byApp = new Map<string, CloudPlanTask[]>();
  for (const t of i.tasks) if (t.appId && i.watched(t)) (byApp.get(t.appId) ?? byApp.set(t.appId, []).get(t.appId)!).push(t);
  const lastSuccessByApp = new Map<string, number>();
  const stale: CloudStaleApp[] = [];
  for (const [appId, tasks] of byApp) {
    let last = Number.NEGATIVE_INFINITY;
    for (const t of tasks) {
      for (const r of i.ends.get(t.id) ?? []) if (r.status === SUCCESS) last = Math.max(last, r.stopMs);
      if (t.last?.endedMs !== undefined && runStatusCode(t.last.status) === SUCCESS) last = Math.max(last, t.last.endedMs);
    }
    if (!Number.isFinite(last)) continue; // never seen a success: not judged (no data to be stale against)
    lastSuccessByApp.set(appId, last);
    let worst: CloudStaleApp | undefined;
    for (const t of tasks) {
      const limit = i.limitOf(t);
      if (limit === undefined || !t.schedule) continue;
      let due: number | undefined;
      try {
        // From the last success, not from now: a search the task's own look did not make, so it has its own budget.
        due = nextOccurrence(t.schedule, last, { left: MAX_STEPS_PER_SEARCH });
      } catch (err) {
        if (!(err instanceof RecurrenceBudgetError)) throw err;
        i.tooCostly?.(t, err);
        continue;
      }
      if (due === undefined) continue;
      const deadline = due + limit + i.graceOf(t);
      if (worst === undefined || deadline < worst.lastSuccessMs + worst.withinMs)
        worst = { appId, task: t, lastSuccessMs: last, expectedAtMs: due, withinMs: deadline - last };
    }
    if (worst && i.nowMs > worst.lastSuccessMs + worst.withinMs) stale.push(worst);
  }
  return { lastSuccessByApp, stale };
}
