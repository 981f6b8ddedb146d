// What task.disabled needs from QRS, read from the same task and trigger lists as the plan: each task's enabled flag
// and who changed it last, each trigger (enabled or not) with its expiry, upstream tasks and who changed it last.
import { z } from "zod";
import { isKnownZone, zonedLocalToUtc } from "../../platform/core/time-zone";
import { parseRow, type RowParses } from "./row-parses";

export interface TriggerFacts {
  id: string;
  name: string;
  kind: "schedule" | "chain";
  enabled: boolean;
  /** A schedule's end (Infinity when none); chains do not expire. */
  expiresMs: number;
  /** A "once" schedule: not a plan the task keeps running on, so losing it is not "turned off". */
  once: boolean;
  /** A chain's upstream tasks (lower-case ids). */
  upstreamIds: string[];
  modifiedMs?: number;
  modifiedBy?: string;
}

export interface TaskFacts {
  id: string;
  name: string;
  enabled: boolean;
  appId?: string;
  modifiedMs?: number;
  modifiedBy?: string;
  triggers: TriggerFacts[];
}

/**
 * Tasks by lower-case id; `complete` false when a row could not be read: a missing task is then not "deleted", nor a
 * missing trigger "gone" (only a task QRS shows disabled is news).
 */
export interface TurnOffFacts {
  tasks: Map<string, TaskFacts>;
  complete: boolean;
}

const Changed = { modifiedDate: z.string().nullish(), modifiedByUserName: z.string().max(500).nullish() };
const Ref = z.lazy(() => z.object({ id: z.string() }).nullish());
const Owner = { reloadTask: Ref, externalProgramTask: Ref, userSyncTask: Ref };
const TaskRow = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    enabled: z.boolean().nullish(),
    app: z.object({ id: z.string() }).nullish(),
    ...Changed,
  }),
);
const SchemaRow = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string().nullish(),
    enabled: z.boolean(),
    incrementOption: z.union([z.number(), z.string()]).nullish(),
    incrementDescription: z.string().nullish(),
    expirationDate: z.string().nullish(),
    timeZone: z.string().nullish(),
    ...Owner,
    ...Changed,
  }),
);
const CompositeRow = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.string().nullish(),
    enabled: z.boolean(),
    compositeRules: z.array(z.object(Owner)).max(1_000),
    ...Owner,
    ...Changed,
  }),
);

/** Option 0, or no increment at all whatever the option (as docs/watchdog.md reads a trigger). */
function isOnce(option: number | string | null | undefined, increment: string | null | undefined): boolean {
  if (option !== null && option !== undefined && Number(option) === 0) return true;
  return typeof increment === "string" && /^\s*0+\s+0+\s+0+\s+0+\s*$/.test(increment);
}

const NEVER = "1753-01-01";
const time = (s: string | null | undefined) => {
  if (!s || s.startsWith(NEVER)) return undefined;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms : undefined;
};
const ownerOf = (r: { reloadTask?: { id: string } | null; externalProgramTask?: { id: string } | null; userSyncTask?: { id: string } | null }) =>
  (r.reloadTask ?? r.externalProgramTask ?? r.userSyncTask)?.id.toLowerCase();
const changed = (r: { modifiedDate?: string | null; modifiedByUserName?: string | null }) => {
  const ms = time(r.modifiedDate);
  return { ...(ms !== undefined ? { modifiedMs: ms } : {}), ...(r.modifiedByUserName ? { modifiedBy: r.modifiedByUserName } : {}) };
};

/** QRS writes a trigger's end as a local time in the trigger's zone (9999-12-30… for "never"). */
function expiryOf(expirationDate: string | null | undefined, zone: string | null | undefined): number {
  if (!expirationDate || expirationDate.startsWith("9999")) return Number.POSITIVE_INFINITY;
  const local = Date.parse(`${expirationDate.replace(/(Z|[+-]\d\d:\d\d)$/, "")}Z`);
  if (!Number.isFinite(local)) return Number.POSITIVE_INFINITY;
  return zone && isKnownZone(zone) ? zonedLocalToUtc(zone, local) : local;
}

/**
 * When the task or one of its triggers was last changed in QRS. A due time before it is not judged missed: the task
 * may have been disabled then (re-enabling it is a change), and the Scheduler rightly started nothing.
 */
export function lastChangedMs(facts: TurnOffFacts | undefined, taskId: string): number | undefined {
  const t = facts?.tasks.get(taskId);
  if (!t) return undefined;
  const times = [t.modifiedMs, ...t.triggers.map((x) => x.modifiedMs)].filter((x): x is number => x !== undefined);
  return times.length ? Math.max(...times) : undefined;
}

export function readTurnOffFacts(
  taskLists: readonly (readonly unknown[])[],
  schemaEvents: readonly unknown[],
  compositeEvents: readonly unknown[],
  parses?: RowParses,
): TurnOffFacts {
  const tasks = new Map<string, TaskFacts>();
  let complete = true;
  for (const list of taskLists)
    for (const raw of list) {
      const r = parseRow(parses, TaskRow, raw);
      if (!r.success) {
        complete = false; // a task Steward cannot read may be one it knew: not "deleted"
        continue;
      }
      const t = r.data;
      tasks.set(t.id.toLowerCase(), {
        id: t.id.toLowerCase(),
        name: t.name,
        enabled: t.enabled !== false,
        ...(t.app?.id ? { appId: t.app.id.toLowerCase() } : {}),
        ...changed(t),
        triggers: [],
      });
    }
  for (const raw of schemaEvents) {
    const r = parseRow(parses, SchemaRow, raw);
    if (!r.success) complete = false; // a trigger Steward cannot read may be the one a task runs on: not "gone"
    const task = r.success ? tasks.get(ownerOf(r.data) ?? "") : undefined;
    if (!r.success || !task) continue;
    task.triggers.push({
      id: r.data.id.toLowerCase(),
      name: r.data.name ?? "",
      kind: "schedule",
      enabled: r.data.enabled,
      expiresMs: expiryOf(r.data.expirationDate, r.data.timeZone),
      once: isOnce(r.data.incrementOption, r.data.incrementDescription),
      upstreamIds: [],
      ...changed(r.data),
    });
  }
  for (const raw of compositeEvents) {
    const r = parseRow(parses, CompositeRow, raw);
    if (!r.success) complete = false;
    const task = r.success ? tasks.get(ownerOf(r.data) ?? "") : undefined;
    if (!r.success || !task) continue;
    task.triggers.push({
      id: r.data.id.toLowerCase(),
      name: r.data.name ?? "",
      kind: "chain",
      enabled: r.data.enabled,
      expiresMs: Number.POSITIVE_INFINITY,
      once: false,
      // A rule whose upstream QRS no longer names (the task was deleted) is an upstream that cannot end.
      upstreamIds: r.data.compositeRules.map((rule) => ownerOf(rule) ?? "(deleted)"),
      ...changed(r.data),
    });
  }
  return { tasks, complete };
}
