// Qlik Cloud's "turned off" and chains, judged from what the task list shows: a task disabled by a user or by Qlik
// itself (after repeated failures, since June 2026), deleted, its schedule ended, or the upstream task of its chain
// deleted (task.disabled, with the same snapshot logic as QRS); a chained task that did not start after its upstream
// ended as awaited (task.chain_broken); a dataset trigger that started a task twice (a problem on /v4/watchdog).
import { disabledBy } from "../../hear/cloud/disabled-code";
import type { CloudPlanTask } from "./cloud-plan";
import { judgeTurnedOff, type Seen, type TurnedOffChange } from "./turned-off";
import type { TaskFacts, TurnOffFacts } from "./turned-off-facts";
import type { KeptRun } from "./run-list";

/** Qlik disables a task as its last failed run ends; a person reacting within this long is rare (inferred, not documented). */
const QLIK_DISABLE_WINDOW_MS = 2 * 60_000;
/** Two non-manual starts of one dataset-triggered task this close together: one update started it twice. */
export const DOUBLE_START_MS = 5 * 60_000;
const FINAL = new Set([6, 7, 8]);

/** The Cloud tasks as the facts judgeTurnedOff reads: a schedule, a dataset or an upstream task is the task's trigger. */
export function cloudFacts(tasks: readonly CloudPlanTask[], complete: boolean): TurnOffFacts {
  const out = new Map<string, TaskFacts>();
  for (const t of tasks) {
    const modified = Date.parse(t.updatedAt);
    const trigger: TaskFacts["triggers"][number] | undefined = t.schedule
      ? {
          id: "schedule",
          name: t.scheduleText ?? "schedule",
          kind: "schedule",
          enabled: true,
          expiresMs: t.schedule.endMs ?? Number.POSITIVE_INFINITY,
          once: false,
          upstreamIds: [],
        }
      : t.trigger?.kind === "task"
        ? {
            id: "task-event",
            name: `when task ${t.trigger.upstreamId} ${t.trigger.on === "any" ? "finishes" : t.trigger.on}`,
            kind: "chain",
            enabled: true,
            expiresMs: Number.POSITIVE_INFINITY,
            once: false,
            upstreamIds: [t.trigger.upstreamId],
          }
        : t.trigger?.kind === "dataset"
          ? { id: "dataset", name: "dataset update", kind: "schedule", enabled: true, expiresMs: Number.POSITIVE_INFINITY, once: false, upstreamIds: [] }
          : undefined;
    out.set(t.id, {
      id: t.id,
      name: t.name,
      enabled: t.enabled,
      ...(t.appId ? { appId: t.appId } : {}),
      ...(Number.isFinite(modified) ? { modifiedMs: modified } : {}),
      ...(t.updatedBy ? { modifiedBy: t.updatedBy } : {}),
      triggers: trigger ? [trigger] : [],
    });
  }
  return { tasks: out, complete };
}

/**
 * The changes since the last look. Who disabled a task is what its metadata.disabledCode says; a tenant that gives no
 * code is judged by timing: a task disabled right as a run of failures ended is Qlik's doing, not a person's.
 */
export function judgeCloudTurnedOff(
  prev: Seen | undefined,
  tasks: readonly CloudPlanTask[],
  complete: boolean,
  runsOf: (taskId: string) => readonly KeptRun[],
  nowMs: number,
): { changes: TurnedOffChange[]; seen: Seen } {
  const facts = cloudFacts(tasks, complete);
  const { changes, seen } = judgeTurnedOff(prev, facts, nowMs, nowMs);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  for (const c of changes) {
    if (c.turnedOff !== "task-disabled") continue;
    const code = byId.get(c.taskId)?.disabledCode;
    if (code) c.disabledCode = code;
    const why = disabledBy(code);
    // Qlik says who did it (metadata.disabledCode): no guess from timing.
    if (why.by === "person") continue;
    if (why.by === "qlik") c.turnedOff = "disabled-by-qlik";
    if ((why.by === "qlik" && code !== "CONSECUTIVE-FAILURES") || c.changedAtMs === undefined) continue;
    const ended = runsOf(c.taskId)
      .filter((r) => FINAL.has(r.status) && r.stopMs <= c.changedAtMs! + 5_000)
      .sort((a, b) => a.stopMs - b.stopMs);
    let failures = 0;
    for (let i = ended.length - 1; i >= 0 && ended[i]!.status === 8; i--) failures++;
    const last = ended.at(-1);
    if (why.by === "qlik") {
      if (failures > 0) c.failures = failures;
    } else if (failures >= 2 && last && c.changedAtMs - last.stopMs <= QLIK_DISABLE_WINDOW_MS) {
      c.turnedOff = "disabled-by-qlik";
      c.failures = failures;
    }
  }
  return { changes, seen };
}

export interface ChainBreak {
  task: CloudPlanTask;
  upstream: CloudPlanTask;
  endMs: number;
  outcome: "success" | "failure";
}

/** Upstream runs that ended as a chained task waits for, judged once (their grace ended since the last look), with no start of the task. */
export function findCloudChainBreaks(i: {
  tasks: readonly CloudPlanTask[];
  runsOf: (taskId: string) => readonly KeptRun[];
  startsOf: (taskId: string) => readonly number[];
  watched: (t: CloudPlanTask) => boolean;
  graceOf: (t: CloudPlanTask) => number;
  nowMs: number;
  checkedUntilMs: number;
  watchingSinceMs: number;
}): ChainBreak[] {
  const byId = new Map(i.tasks.map((t) => [t.id, t]));
  const out: ChainBreak[] = [];
  for (const t of i.tasks) {
    if (t.trigger?.kind !== "task" || !i.watched(t)) continue;
    const up = byId.get(t.trigger.upstreamId);
    if (!up) continue; // a deleted upstream is task.disabled (upstream-deleted)
    const grace = i.graceOf(t);
    const on = t.trigger.on;
    for (const r of i.runsOf(up.id)) {
      const awaited = on === "any" ? FINAL.has(r.status) : r.status === (on === "succeeded" ? 7 : 8);
      const end = r.stopMs;
      if (!awaited || end + grace > i.nowMs || end + grace <= i.checkedUntilMs || end < i.watchingSinceMs) continue;
      if (i.startsOf(t.id).some((s) => s >= end - 5_000 && s <= end + grace)) continue;
      // Still running when the upstream ended (a finished run, or the one in progress): Qlik does not start it twice.
      if (i.runsOf(t.id).some((x) => x.createdMs < end && x.stopMs > end)) continue;
      if (t.last && t.last.endedMs === undefined && t.last.startedMs < end) continue;
      out.push({ task: t, upstream: up, endMs: end, outcome: r.status === 8 ? "failure" : "success" });
    }
  }
  return out;
}

/** Dataset-triggered tasks started twice (not by hand) within DOUBLE_START_MS, from their recent runs. */
export function findDoubleStarts(t: CloudPlanTask, runs: ReadonlyArray<{ startedMs: number; triggeredBy?: string }>): number[] {
  if (t.trigger?.kind !== "dataset") return [];
  const starts = runs
    .filter((r) => r.triggeredBy !== "manual")
    .map((r) => r.startedMs)
    .sort((a, b) => a - b);
  return starts.filter((s, k) => k > 0 && s - starts[k - 1]! <= DOUBLE_START_MS);
}
