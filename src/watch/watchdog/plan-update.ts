// Reads only the tasks, triggers and apps QRS changed since the plan was read (a modifiedDate filter on the same
// six lists) and merges them into the plan's rows by id, so a plan refresh costs what changed, not the whole site.
// A deletion (a count that fell) is not visible this way: the caller reads everything then.
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { compare } from "../../platform/qlik/qrs-filter";
import type { DoubleTriggerMemo } from "./chains";
import { readApps } from "./plan-apps";
import { buildPlan, fetchPlanRows, type Plan, type PlanRows, planChanged, readPlan, type WatchedTask } from "./qrs-plan";
import type { RowParses } from "./row-parses";
import { MAX_EARLIER_QRS_TIMES, type ScheduleTrigger } from "./schedule";

/** The rows with those QRS changed since `sinceMs` (a second of overlap for clocks) put in place of the old ones. */
export async function updatePlanRows(qrs: QrsClient, rows: PlanRows, sinceMs: number): Promise<{ rows: PlanRows; changed: number; appsOnly: boolean }> {
  const filter = compare("modifiedDate", "gt", new Date(sinceMs - 1_000).toISOString()).expression;
  const fresh = await fetchPlanRows(qrs, filter);
  const tasksAndTriggers = fresh.taskLists.reduce((n, l) => n + l.length, 0) + fresh.schemaEvents.length + fresh.compositeEvents.length;
  const changed = tasksAndTriggers + fresh.appRows.length;
  return {
    appsOnly: tasksAndTriggers === 0,
    rows: {
      taskLists: rows.taskLists.map((old, i) => mergeById(old, fresh.taskLists[i] ?? [])),
      schemaEvents: mergeById(rows.schemaEvents, fresh.schemaEvents),
      compositeEvents: mergeById(rows.compositeEvents, fresh.compositeEvents),
      appRows: mergeById(rows.appRows, fresh.appRows),
    },
    changed,
  };
}

const idOf = (row: unknown): string | undefined => {
  const id = (row as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id.toLowerCase() : undefined;
};

/** Old rows in their order, each replaced by its changed version; new rows at the end. Rows without an id stay. */
export function mergeById(old: readonly unknown[], changed: readonly unknown[]): unknown[] {
  if (changed.length === 0) return [...old];
  const fresh = new Map<string, unknown>();
  for (const r of changed) {
    const id = idOf(r);
    if (id) fresh.set(id, r);
  }
  const out = old.map((r) => {
    const id = idOf(r);
    if (id === undefined || !fresh.has(id)) return r;
    const f = fresh.get(id);
    fresh.delete(id);
    return f;
  });
  return [...out, ...fresh.values()];
}

/**
 * A plan as the watchdog keeps it: with its rows, the entity counts and when everything was last read. `short`: a
 * full read gave fewer or more triggers than QRS counts (a truncated or garbled answer), so the next look reads
 * everything again; a modifiedDate filter would never bring back a trigger that did not change.
 */
export type KeptPlan = Plan & { rows: PlanRows; counts?: Record<string, number>; fullReadAtMs: number; short?: boolean };

/** Whether the triggers read are as many as QRS counts (tasks are not compared: task/count also counts other task types). */
function triggersMatchCounts(rows: PlanRows, counts: Record<string, number>): boolean {
  return rows.schemaEvents.length === counts.schemaevent && rows.compositeEvents.length === counts.compositeevent;
}

/** Everything is read again this many refreshes apart (a deleted app, or anything a filter could miss). */
export const FULL_READ_EVERY = 24;

/**
 * The plan after this look: a full read at start, when a count moved (a deletion) and every FULL_READ_EVERY
 * refreshes; else, when something changed or `refreshMs` passed, the old rows with only what changed read again.
 * Undefined: keep the plan as it is.
 */
export async function nextPlan(
  qrs: QrsClient,
  plan: KeptPlan | undefined,
  now: number,
  refreshMs: number,
  memo?: DoubleTriggerMemo,
  parses?: RowParses,
): Promise<KeptPlan | undefined> {
  const full = async (): Promise<KeptPlan> => {
    const probe = await planChanged(qrs, { readAtMs: now });
    const read = await readPlan(qrs, now, memo, parses);
    return { ...read, counts: probe.counts, fullReadAtMs: now, ...(triggersMatchCounts(read.rows, probe.counts) ? {} : { short: true }) };
  };
  const fullCarrying = async (): Promise<KeptPlan> => {
    const next = await full();
    if (plan) carryQrsTimes(plan, next);
    return next;
  };
  if (!plan || plan.short || now - plan.fullReadAtMs >= FULL_READ_EVERY * refreshMs) return fullCarrying();
  const probe = await planChanged(qrs, plan);
  if (plan.counts && Object.keys(probe.counts).some((k) => plan.counts![k] !== probe.counts[k])) return fullCarrying();
  plan.counts = probe.counts;
  if (!probe.changed && now - plan.readAtMs < refreshMs) return undefined;
  const { rows, appsOnly } = await updatePlanRows(qrs, plan.rows, plan.readAtMs);
  if (appsOnly) return { ...withAppsRead(plan, rows, now, parses), rows, counts: probe.counts, fullReadAtMs: plan.fullReadAtMs };
  const next: KeptPlan = { ...buildPlan(rows, now, memo, parses), rows, counts: probe.counts, fullReadAtMs: plan.fullReadAtMs };
  carryQrsTimes(plan, next);
  return next;
}

/**
 * The plan with its apps read again and its tasks and triggers as they were: what changes between two reads of a busy
 * site is its apps (their last reload; on the ×50 site 600-1,800 of 5,800 apps an hour, and no task or trigger), and
 * building every task and trigger again for them was most of the look that read them (issue 78). A task whose app
 * changed is a new object with the same triggers: what a look remembers per task object (its settings, which an
 * app's custom properties can change) is worked out again for it. The facts for task.disabled are the same facts in a
 * new object, so they are judged at this read's time as after any read of the plan.
 */
export function withAppsRead(plan: Plan, rows: PlanRows, nowMs: number, parses?: RowParses): Plan {
  const apps = readApps(rows.appRows, parses);
  const tasks = new Map<string, WatchedTask>();
  for (const [id, t] of plan.tasks) tasks.set(id, t.appId !== undefined && plan.apps.get(t.appId) !== apps.get(t.appId) ? { ...t } : t);
  return { tasks, apps, problems: plan.problems, readAtMs: nowMs, ...(plan.turnOff ? { turnOff: { ...plan.turnOff } } : {}) };
}

/**
 * A rebuilt plan keeps what the old one learned of QRS's times for triggers judged by QRS: the earlier stated times
 * not yet judged, and when each was last read again (qrs-times.ts); and, for a trigger read the same, the next fires
 * Steward's arithmetic already found (schedule.ts nextFires).
 */
export function carryQrsTimes(old: Plan, next: Plan): void {
  const before = new Map<string, ScheduleTrigger>();
  for (const t of old.tasks.values()) for (const s of t.schedules) if (s.judgedByQrs || s.nextFires) before.set(s.id.toLowerCase(), s);
  if (before.size === 0) return;
  for (const t of next.tasks.values())
    for (const s of t.schedules) {
      const o = before.get(s.id.toLowerCase());
      // The answers of Steward's arithmetic hold for as long as the calendar they were worked out from: a trigger
      // whose row did not change has the very same reading (row-parses.ts), so its next look does not walk its
      // calendar again (on the ×50 site, 5,800 triggers at each hourly rebuild).
      if (o?.nextFires && o.schedule !== undefined && o.schedule === s.schedule) s.nextFires = [...o.nextFires];
      if (!o || !s.judgedByQrs) continue;
      const earlier = [...(o.qrsEarlierMs ?? []), ...(o.qrsNextMs !== undefined ? [o.qrsNextMs] : [])].filter(
        (x) => s.qrsNextMs === undefined || x < s.qrsNextMs,
      );
      if (earlier.length) s.qrsEarlierMs = earlier.slice(-MAX_EARLIER_QRS_TIMES);
      if (o.qrsCheckedMs !== undefined) s.qrsCheckedMs = o.qrsCheckedMs;
    }
}
