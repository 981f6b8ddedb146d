// Reads only the tasks, triggers and apps QRS changed since the plan was read (a modifiedDate filter on the same
// six lists) and merges them into the plan's rows by id, so a plan refresh costs what changed, not the whole site.
// A deletion (a count that fell) is not visible this way: the caller reads everything then.
import type { QrsClient } from "../qlik/qrs-client";
import { QrsRowsSchema } from "../qlik/qrs-schemas";
import { compare } from "../qlik/qrs-filter";
import { buildPlan, fetchPlanRows, type Plan, type PlanRows, planChanged, readPlan } from "./qrs-plan";

/** The rows with those QRS changed since `sinceMs` (a second of overlap for clocks) put in place of the old ones. */
export async function updatePlanRows(qrs: QrsClient, rows: PlanRows, sinceMs: number): Promise<{ rows: PlanRows; changed: number }> {
  const filter = compare("modifiedDate", "gt", new Date(sinceMs - 1_000).toISOString()).expression;
  const fresh = await fetchPlanRows(qrs, filter);
  const changed = fresh.taskLists.reduce((n, l) => n + l.length, 0) + fresh.schemaEvents.length + fresh.compositeEvents.length + fresh.appRows.length;
  return {
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
/** Triggers judged by QRS's time whose next execution is read again at each refresh (their operational part changes without a modifiedDate). */
const MAX_QRS_JUDGED = 50;

/**
 * The plan after this look: a full read at start, when a count moved (a deletion) and every FULL_READ_EVERY
 * refreshes; else, when something changed or `refreshMs` passed, the old rows with only what changed read again.
 * Undefined: keep the plan as it is.
 */
export async function nextPlan(qrs: QrsClient, plan: KeptPlan | undefined, now: number, refreshMs: number): Promise<KeptPlan | undefined> {
  const full = async (): Promise<KeptPlan> => {
    const probe = await planChanged(qrs, { readAtMs: now });
    const read = await readPlan(qrs, now);
    return { ...read, counts: probe.counts, fullReadAtMs: now, ...(triggersMatchCounts(read.rows, probe.counts) ? {} : { short: true }) };
  };
  if (!plan || plan.short || now - plan.fullReadAtMs >= FULL_READ_EVERY * refreshMs) return full();
  const probe = await planChanged(qrs, plan);
  if (plan.counts && Object.keys(probe.counts).some((k) => plan.counts![k] !== probe.counts[k])) return full();
  plan.counts = probe.counts;
  if (!probe.changed && now - plan.readAtMs < refreshMs) return undefined;
  let { rows } = await updatePlanRows(qrs, plan.rows, plan.readAtMs);
  const judged = [...plan.tasks.values()].flatMap((t) => t.schedules.filter((s) => s.judgedByQrs).map((s) => s.id)).slice(0, MAX_QRS_JUDGED);
  if (judged.length > 0) {
    const filter = judged.map((id) => compare("id", "eq", id).expression).join(" or ");
    const again = (await qrs.getJson("schemaevent/full", QrsRowsSchema, { filter })) as unknown[];
    rows = { ...rows, schemaEvents: mergeById(rows.schemaEvents, again) };
  }
  return { ...buildPlan(rows, now), rows, counts: probe.counts, fullReadAtMs: plan.fullReadAtMs };
}
