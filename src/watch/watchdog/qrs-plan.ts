// Reads the plan from QRS: every task with its schema (scheduled) and composite (task-event) triggers, its tags,
// custom properties and app, and the apps' owners and last reloads. Each entity is validated on its own: one Steward
// cannot read is a problem naming it (logged once), never a reason to drop the rest.
import { z } from "zod";
import type { NameValue } from "../../platform/events/types";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { QrsCountSchema, QrsRowsSchema } from "../../platform/qlik/qrs-schemas";
import { compare } from "../../platform/qlik/qrs-filter";
import { type ChainEdge, createDoubleTriggerMemo, type DoubleTriggerMemo, findCycles, readCompositeEvent } from "./chains";
import { readOverrides, type WatchOverrides } from "./overrides";
import { compareWithQrs, readSchemaEvent, type ScheduleTrigger } from "./schedule";
import { readTurnOffFacts, type TurnOffFacts } from "./turned-off-facts";
import { cpsOf, readApps, type WatchedApp } from "./plan-apps";
import { parseRow, type RowParses } from "./row-parses";

export type { WatchedApp } from "./plan-apps";

export interface WatchedChain extends ChainEdge {
  /** All rules must be met within this long of one another (QRS timeConstraint; 0 = no limit). */
  constraintMs: number;
}

export interface WatchedTask {
  id: string;
  name: string;
  taskType: number;
  enabled: boolean;
  tags: string[];
  customProperties: NameValue[];
  appId?: string;
  schedules: ScheduleTrigger[];
  chains: WatchedChain[];
  overrides: WatchOverrides;
  /** Enabled schema triggers of the task that are not watched, each with the reason (rows Steward cannot read at all). */
  unreadableTriggers?: string[];
  /** How many of its triggers (time or task-event) are disabled: the watchdog's page says why no start is expected. */
  disabledTriggers?: number;
}

export interface Plan {
  tasks: Map<string, WatchedTask>;
  apps: Map<string, WatchedApp>;
  /** Things Steward could not read, each naming the task or trigger. */
  problems: string[];
  readAtMs: number;
  /** Every task and trigger, enabled or not, with who changed it last (task.disabled, turned-off-watch.ts). */
  turnOff?: TurnOffFacts;
}

// The row schemas keep only the fields read (z.object drops the others; a loose object copied each one, and parsing
// the rows that changed since the last read was about 10 times slower: plan-apps.ts).
const Named = z.lazy(() => z.object({ name: z.string() }));
const QrsTaskRow = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    enabled: z.boolean().nullish(),
    app: z.object({ id: z.string(), name: z.string().nullish() }).nullish(),
    tags: z.array(Named).nullish(),
    // Left out of a row (a trimmed export, a proxy): no custom properties, as an empty list is.
    customProperties: z.unknown().optional(),
  }),
);
const OwnerRef = z.lazy(() => z.object({ id: z.string() }).nullish());
const TriggerOwner = z.lazy(() => z.object({ reloadTask: OwnerRef, externalProgramTask: OwnerRef, userSyncTask: OwnerRef }));
const Constraint = z.lazy(() =>
  z.object({
    timeConstraint: z.object({ days: z.number(), hours: z.number(), minutes: z.number(), seconds: z.number() }).partial().nullish(),
  }),
);

const TASK_ENDPOINTS = [
  ["reloadtask/full", 0],
  ["externalprogramtask/full", 1],
  ["usersynctask/full", 2],
] as const;

/** The raw QRS rows a plan is built from, kept so a later read of only what changed can be merged into them. */
export interface PlanRows {
  taskLists: unknown[][];
  schemaEvents: unknown[];
  compositeEvents: unknown[];
  appRows: unknown[];
}

export const PLAN_ENDPOINTS = [...TASK_ENDPOINTS.map(([p]) => p), "schemaevent/full", "compositeevent/full", "app/full"] as const;

/**
 * A task row without its last run (`operational.lastExecutionResult`, with the run's messages): the plan keeps its rows
 * between reads and never looks at it (runs come from execution results), and on a site of a thousand tasks those
 * last runs were the largest part of what the plan kept.
 */
function withoutLastRun(rows: unknown[]): unknown[] {
  for (const row of rows) {
    const op = (row as { operational?: unknown } | null)?.operational;
    if (op && typeof op === "object") delete (op as { lastExecutionResult?: unknown }).lastExecutionResult;
  }
  return rows;
}

/** Every task, trigger and app; `filter` (e.g. on modifiedDate) reads only those that match. */
export async function fetchPlanRows(qrs: QrsClient, filter?: string): Promise<PlanRows> {
  const raw = (path: string) => qrs.getJson(path, QrsRowsSchema, filter ? { filter } : undefined) as Promise<unknown[]>;
  const [taskLists, schemaEvents, compositeEvents, appRows] = await Promise.all([
    Promise.all(TASK_ENDPOINTS.map(([path]) => raw(path).then(withoutLastRun))),
    raw("schemaevent/full"),
    raw("compositeevent/full"),
    raw("app/full"),
  ]);
  return { taskLists, schemaEvents, compositeEvents, appRows };
}

export async function readPlan(qrs: QrsClient, nowMs: number, memo?: DoubleTriggerMemo, parses?: RowParses): Promise<Plan & { rows: PlanRows }> {
  const rows = await fetchPlanRows(qrs);
  return { ...buildPlan(rows, nowMs, memo, parses), rows };
}

/**
 * The plan from its rows: each entity validated on its own. `memo` (kept by the caller between rebuilds) spares an
 * unchanged task the check for triggers that fall due together, the part of a rebuild that grows fastest; `parses`
 * (kept likewise) spares a row read before the validation of its fields.
 */
export function buildPlan(rows: PlanRows, nowMs: number, memo: DoubleTriggerMemo = createDoubleTriggerMemo(), parses?: RowParses): Plan {
  const problems: string[] = [];
  const tasks = new Map<string, WatchedTask>();
  const { taskLists, schemaEvents, compositeEvents, appRows } = rows;
  TASK_ENDPOINTS.forEach(([path, taskType], i) => {
    for (const row of taskLists[i]!) {
      const r = parseRow(parses, QrsTaskRow, row);
      if (!r.success) {
        problems.push(`${path}: a task Steward cannot read (${r.error.issues[0]?.path.join(".")}: ${r.error.issues[0]?.message})`);
        continue;
      }
      const t = r.data;
      const { overrides, problems: bad } = readOverrides({ id: t.id, name: t.name, customProperties: t.customProperties });
      for (const p of bad) problems.push(`task "${p.taskName}": custom property ${p.property} = ${p.value}: ${p.message}; ignored`);
      tasks.set(t.id.toLowerCase(), {
        id: t.id.toLowerCase(),
        name: t.name,
        taskType,
        enabled: t.enabled !== false,
        tags: (t.tags ?? []).map((x) => x.name),
        customProperties: cpsOf(t.customProperties),
        ...(t.app?.id ? { appId: t.app.id.toLowerCase() } : {}),
        schedules: [],
        chains: [],
        overrides,
      });
    }
  });
  for (const row of schemaEvents) {
    const owner = parseRow(parses, TriggerOwner, row);
    const ref = owner.success ? (owner.data.reloadTask ?? owner.data.externalProgramTask ?? owner.data.userSyncTask) : undefined;
    const task = ref ? tasks.get(ref.id.toLowerCase()) : undefined;
    const r = readSchemaEvent(row, parses);
    if (!r.ok) {
      problems.push(`${task ? `task "${task.name}": ` : ""}${r.error}; this trigger is not watched`);
      if (task && (row as { enabled?: unknown } | null)?.enabled !== false) (task.unreadableTriggers ??= []).push(r.error);
      continue;
    }
    if (task && !r.trigger.enabled) task.disabledTriggers = (task.disabledTriggers ?? 0) + 1;
    if (!task || !r.trigger.enabled) continue;
    const disagreement = compareWithQrs(r.trigger, nowMs);
    if (disagreement) problems.push(`task "${task.name}": ${disagreement}`);
    task.schedules.push(r.trigger);
  }
  for (const row of compositeEvents) {
    const r = readCompositeEvent(row, parses);
    if (!r.ok) {
      problems.push(`${r.error}; this trigger is not watched`);
      continue;
    }
    const task = tasks.get(r.edge.taskId);
    const c = parseRow(parses, Constraint, row);
    const tc = c.success ? c.data.timeConstraint : undefined;
    const constraintMs = tc ? ((((tc.days ?? 0) * 24 + (tc.hours ?? 0)) * 60 + (tc.minutes ?? 0)) * 60 + (tc.seconds ?? 0)) * 1000 : 0;
    if (task && r.enabled) task.chains.push({ ...r.edge, constraintMs });
    else if (task) task.disabledTriggers = (task.disabledTriggers ?? 0) + 1;
  }
  const apps = readApps(appRows, parses);
  problems.push(...chainsThatCannotWork(tasks, nowMs, memo));
  return { tasks, apps, problems, readAtMs: nowMs, turnOff: readTurnOffFacts(taskLists, schemaEvents, compositeEvents, parses) };
}

/** Found from the triggers alone, so the administrator hears of them before the night they bite. */
function chainsThatCannotWork(tasks: Map<string, WatchedTask>, nowMs: number, memo: DoubleTriggerMemo): string[] {
  const out: string[] = [];
  const name = (id: string) => tasks.get(id)?.name ?? id;
  const edges = [...tasks.values()].filter((t) => t.enabled).flatMap((t) => t.chains);
  for (const cycle of findCycles(edges))
    out.push(
      `tasks ${cycle.map((id) => `"${name(id)}"`).join(", ")} wait for one another in a loop of task-event triggers: none of them starts from those triggers unless another trigger starts one`,
    );
  for (const t of tasks.values()) {
    if (!t.enabled || t.schedules.length < 2) continue;
    for (const [a, b] of memo.pairs(t.id, t.schedules, nowMs))
      out.push(`task "${t.name}": triggers "${a}" and "${b}" fall due at the same time; the Scheduler skips the second while the first runs`);
  }
  memo.sweep();
  return out;
}

/**
 * Whether tasks or triggers changed since the plan was read: per entity, how many there are (a deletion) and how
 * many were modified since (QRS modifiedDate). Six small calls, instead of reading every task each interval; one after
 * the other, on one connection: at the same time they opened six after a quiet spell, each a TLS handshake (a look
 * a minute apart cost 12.5 ms of CPU instead of 8; issue 89).
 */
export async function planChanged(
  qrs: QrsClient,
  plan: { readAtMs: number; counts?: Record<string, number> },
): Promise<{ changed: boolean; counts: Record<string, number> }> {
  const since = compare("modifiedDate", "gt", new Date(plan.readAtMs - 1_000).toISOString()).expression;
  const counts: Record<string, number> = {};
  let changed = false;
  for (const entity of ["task", "schemaevent", "compositeevent"]) {
    const all = await qrs.getJson(`${entity}/count`, QrsCountSchema);
    const modified = await qrs.getJson(`${entity}/count`, QrsCountSchema, { filter: since });
    counts[entity] = all.value;
    if (modified.value > 0 || (plan.counts && plan.counts[entity] !== all.value)) changed = true;
  }
  return { changed, counts };
}
