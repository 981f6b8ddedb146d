// Qlik Cloud's Scheduling Tasks as the watchdog reads them: each task's time schedule (RRULE lines, zone, start and
// end), app, space and last run, validated here at the edge. A task Steward cannot read is a problem naming it (logged
// once, listed on /v4/watchdog), never a reason to drop the others.
import { z } from "zod";
import { readSchedule, type Schedule } from "../../platform/core/rrule";
import { type CloudEventTrigger, readCloudEventTrigger } from "./cloud-trigger-read";

export interface CloudLastRun {
  startedMs: number;
  endedMs?: number;
  status: string;
}

export interface CloudPlanTask {
  id: string;
  name: string;
  enabled: boolean;
  appId?: string;
  spaceId?: string;
  /** Qlik's updatedAt: a changed value means the definition changed (read again, judged by the new one). */
  updatedAt: string;
  /** Who changed it last (Qlik's updatedBy, a user id). */
  updatedBy?: string;
  /** Started by another task's end (a chain) or a dataset update, instead of a time schedule. */
  trigger?: CloudEventTrigger;
  createdMs?: number;
  /** The readable time schedule; absent for event- or dataset-triggered tasks and for unreadable ones. */
  schedule?: Schedule;
  /** The schedule as text, for alerts ("RRULE:FREQ=DAILY;BYHOUR=6 (Europe/Stockholm)"). */
  scheduleText?: string;
  last?: CloudLastRun;
}

const Row = z.lazy(() =>
  z.looseObject({
    id: z.string().min(1).max(200),
    name: z.string().max(1_000).nullish(),
    enabled: z.boolean().nullish(),
    resourceId: z.string().nullish(),
    spaceId: z.string().nullish(),
    triggerType: z.string().nullish(),
    createdAt: z.string().nullish(),
    updatedAt: z.string().nullish(),
    updatedBy: z.string().max(200).nullish(),
    lastStatus: z.string().nullish(),
    lastStartedAt: z.string().nullish(),
    lastEndedAt: z.string().nullish(),
  }),
);

const ScheduleFields = z.lazy(() =>
  z.looseObject({
    recurrence: z.array(z.string().max(1_000)).max(50),
    timezone: z.string().nullish(),
    timeZone: z.string().nullish(),
    startDateTime: z.string().nullish(),
    endDateTime: z.string().nullish(),
  }),
);

const time = (s: string | null | undefined) => {
  const t = s ? Date.parse(s) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
};

/**
 * The object holding `recurrence` wherever the definition nests it (`start.schedule` in the simulator; Qlik's
 * reference names the time trigger's fields, not their nesting), searched a few levels deep.
 */
export function findScheduleObject(raw: unknown, depth = 0): unknown {
  if (!raw || typeof raw !== "object" || depth > 4) return undefined;
  if (Array.isArray(raw)) {
    for (const x of raw.slice(0, 20)) {
      const hit = findScheduleObject(x, depth + 1);
      if (hit) return hit;
    }
    return undefined;
  }
  if ("recurrence" in raw) return raw;
  for (const v of Object.values(raw).slice(0, 50)) {
    const hit = findScheduleObject(v, depth + 1);
    if (hit) return hit;
  }
  return undefined;
}

export type CloudTaskRead =
  | { ok: true; task: CloudPlanTask; hasDefinition: boolean }
  | { ok: false; error: string; id?: string; name?: string; updatedAt?: string };

/** One task of the list or of GET /tasks/{id}. `hasDefinition` false: the row carries no trigger (ask for the task). */
export function readCloudTask(raw: unknown): CloudTaskRead {
  const r = Row.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    return { ok: false, error: `a task Steward cannot read (${i.path.join(".") || "(root)"}: ${i.message})` };
  }
  const row = r.data;
  const name = row.name ?? row.id;
  const started = time(row.lastStartedAt);
  const created = time(row.createdAt);
  const task: CloudPlanTask = {
    id: row.id,
    name,
    enabled: row.enabled !== false,
    ...(row.resourceId ? { appId: row.resourceId.toLowerCase() } : {}),
    ...(row.spaceId ? { spaceId: row.spaceId } : {}),
    updatedAt: row.updatedAt ?? "",
    ...(row.updatedBy ? { updatedBy: row.updatedBy } : {}),
    ...(created !== undefined ? { createdMs: created } : {}),
    ...(started !== undefined
      ? {
          last: {
            startedMs: started,
            status: (row.lastStatus ?? "").toUpperCase(),
            ...(time(row.lastEndedAt) !== undefined ? { endedMs: time(row.lastEndedAt)! } : {}),
          },
        }
      : {}),
  };
  // Event- and dataset-triggered tasks have no due times to miss.
  const trigger = readCloudEventTrigger(raw);
  if (trigger) task.trigger = trigger;
  if (row.triggerType && row.triggerType.toLowerCase() !== "time") return { ok: true, task, hasDefinition: true };
  const found = findScheduleObject(raw);
  if (!found) return { ok: true, task, hasDefinition: false };
  const f = ScheduleFields.safeParse(found);
  if (!f.success) return { ok: false, error: `task "${name}": its schedule is not recurrence lines and a zone`, id: row.id, name, updatedAt: task.updatedAt };
  const zone = f.data.timezone ?? f.data.timeZone ?? "UTC";
  const s = readSchedule({
    recurrence: f.data.recurrence,
    timeZone: zone,
    ...(f.data.startDateTime ? { startDateTime: f.data.startDateTime } : {}),
    ...(f.data.endDateTime ? { endDateTime: f.data.endDateTime } : {}),
    fallbackStartMs: created ?? 0,
  });
  if (!s.ok) return { ok: false, error: `task "${name}": ${s.error}`, id: row.id, name, updatedAt: task.updatedAt };
  task.schedule = s.schedule;
  task.scheduleText = `${f.data.recurrence.join(" ")} (${zone})`;
  return { ok: true, task, hasDefinition: true };
}

/** Qlik Cloud run statuses as the QRS codes the watchdog learns from: 7 succeeded, 8 failed, 6 aborted, 11 other. */
export function runStatusCode(status: string): number {
  const s = status.toUpperCase();
  if (s === "SUCCEEDED" || s === "SUCCESS" || s === "COMPLETED") return 7;
  if (s === "FAILED" || s === "EXCEEDED_LIMIT" || s === "ERROR") return 8;
  if (s === "CANCELED" || s === "CANCELLED" || s === "ABORTED") return 6;
  return 11;
}

const RunRow = z.lazy(() =>
  z.looseObject({
    id: z.string().min(1),
    status: z.string().nullish(),
    startedAt: z.string().nullish(),
    endedAt: z.string().nullish(),
    triggeredBy: z.string().max(200).nullish(),
  }),
);

/** Runs of GET /tasks/{id}/runs that Steward can read (others are skipped). */
export function readRuns(rows: readonly unknown[]): Array<{ id: string; startedMs: number; endedMs?: number; status: string; triggeredBy?: string }> {
  return rows.flatMap((raw) => {
    const r = RunRow.safeParse(raw);
    const started = r.success ? time(r.data.startedAt) : undefined;
    if (!r.success || started === undefined) return [];
    const ended = time(r.data.endedAt);
    return [
      {
        id: r.data.id,
        startedMs: started,
        ...(ended !== undefined ? { endedMs: ended } : {}),
        status: (r.data.status ?? "").toUpperCase(),
        ...(r.data.triggeredBy ? { triggeredBy: r.data.triggeredBy } : {}),
      },
    ];
  });
}
