// Qlik Cloud's Scheduling Tasks as the watchdog reads them, each field where Qlik's Task type puts it: the time
// schedule under `start.schedule` (cloud-schedule-read.ts), space, times, owner and disabledCode under `metadata`, the
// last run under `metadata.orchestration`; validated here at the edge. A task Steward cannot read is a problem naming it (logged
// once, listed on /v4/watchdog), never a reason to drop the others.
import { z } from "zod";
import type { Schedule } from "../../platform/core/rrule";
import { readStartSchedule } from "./cloud-schedule-read";
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
  /** Who changed it last (updatedBy, a user id; not in Qlik's Task type). */
  updatedBy?: string;
  /** Qlik's metadata.ownerId. */
  ownerId?: string;
  /** Why Qlik says it is disabled (metadata.disabledCode: MANUALLY, CONSECUTIVE-FAILURES, OWNER-DELETED…), upper case. */
  disabledCode?: string;
  /** Started by another task's end (a chain) or a dataset update, instead of a time schedule. */
  trigger?: CloudEventTrigger;
  createdMs?: number;
  /** The readable time schedule; absent for event- or dataset-triggered tasks and for unreadable ones. */
  schedule?: Schedule;
  /** The schedule as text, for alerts ("RRULE:FREQ=DAILY;BYHOUR=6 (Europe/Stockholm)"). */
  scheduleText?: string;
  last?: CloudLastRun;
}

const Text = z.string().max(1_000);
/** The last run as `metadata.orchestration.lastRun` (Qlik's OrchRunBase) gives it. */
const LastRun = z.lazy(() => z.looseObject({ status: Text.nullish(), startedAt: Text.nullish(), endedAt: Text.nullish() }));
const Metadata = z.lazy(() =>
  z.looseObject({
    spaceId: Text.nullish(),
    createdAt: Text.nullish(),
    updatedAt: Text.nullish(),
    ownerId: Text.nullish(),
    /** Not in Qlik's TaskMetadata type; the task list's filter names it beside updatedAt (inferred). */
    updatedBy: Text.nullish(),
    disabledCode: Text.nullish(),
    orchestration: z
      .looseObject({
        // Qlik's example: last_run_status, last_run_startedAt, last_run_endedAt, last_run_worker_type.
        attrs: z.record(z.string(), z.unknown()).nullish(),
        lastRun: LastRun.nullish(),
      })
      .nullish(),
  }),
);
/** A task of the list or of GET /tasks/{id} (exported for the check against Qlik's published type). */
export const CloudTaskRow = z.lazy(() =>
  z.looseObject({
    id: z.string().min(1).max(200),
    name: Text.nullish(),
    enabled: z.boolean().nullish(),
    resourceId: Text.nullish(),
    metadata: Metadata.nullish(),
    start: z.looseObject({ schedule: z.unknown() }).nullish(),
    // Not in Qlik's Task type: older answers and the list filter's names (lastStatus, triggerType…), read when
    // metadata does not give them.
    spaceId: Text.nullish(),
    triggerType: Text.nullish(),
    createdAt: Text.nullish(),
    updatedAt: Text.nullish(),
    updatedBy: Text.nullish(),
    lastStatus: Text.nullish(),
    lastStartedAt: Text.nullish(),
    lastEndedAt: Text.nullish(),
  }),
);

const time = (s: string | null | undefined) => {
  const t = s ? Date.parse(s) : Number.NaN;
  return Number.isFinite(t) ? t : undefined;
};

export type CloudTaskRead =
  | { ok: true; task: CloudPlanTask; hasDefinition: boolean }
  | { ok: false; error: string; id?: string; name?: string; updatedAt?: string };

type RowData = z.infer<typeof CloudTaskRow>;

/** The last run: `metadata.orchestration.lastRun`, else its `attrs` (Qlik's example), else the list's own fields. */
function lastRunOf(row: RowData): CloudLastRun | undefined {
  const o = row.metadata?.orchestration;
  const attr = (k: string) => (typeof o?.attrs?.[k] === "string" ? (o.attrs[k] as string) : undefined);
  const candidates = [
    o?.lastRun ? { status: o.lastRun.status, startedAt: o.lastRun.startedAt, endedAt: o.lastRun.endedAt } : undefined,
    { status: attr("last_run_status"), startedAt: attr("last_run_startedAt"), endedAt: attr("last_run_endedAt") },
    { status: row.lastStatus, startedAt: row.lastStartedAt, endedAt: row.lastEndedAt },
  ];
  for (const c of candidates) {
    const started = time(c?.startedAt);
    if (!c || started === undefined) continue;
    const ended = time(c.endedAt);
    return { startedMs: started, status: (c.status ?? "").toUpperCase(), ...(ended !== undefined ? { endedMs: ended } : {}) };
  }
  return undefined;
}

/** One task of the list or of GET /tasks/{id}. `hasDefinition` false: the row carries no trigger (ask for the task). */
export function readCloudTask(raw: unknown): CloudTaskRead {
  const r = CloudTaskRow.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const id = raw && typeof raw === "object" && typeof (raw as { id?: unknown }).id === "string" ? ` ${(raw as { id: string }).id}` : "";
    return { ok: false, error: `a task${id} Steward cannot read (${i.path.join(".") || "(root)"}: ${i.message})` };
  }
  const row = r.data;
  const m = row.metadata;
  const name = row.name ?? row.id;
  const created = time(m?.createdAt ?? row.createdAt);
  const spaceId = m?.spaceId ?? row.spaceId;
  const updatedBy = m?.updatedBy ?? row.updatedBy;
  const last = lastRunOf(row);
  const task: CloudPlanTask = {
    id: row.id,
    name,
    enabled: row.enabled !== false,
    ...(row.resourceId ? { appId: row.resourceId.toLowerCase() } : {}),
    ...(spaceId ? { spaceId } : {}),
    updatedAt: m?.updatedAt ?? row.updatedAt ?? "",
    ...(updatedBy ? { updatedBy } : {}),
    ...(m?.ownerId ? { ownerId: m.ownerId } : {}),
    ...(m?.disabledCode ? { disabledCode: m.disabledCode.toUpperCase() } : {}),
    ...(created !== undefined ? { createdMs: created } : {}),
    ...(last ? { last } : {}),
  };
  // Event- and dataset-triggered tasks have no due times to miss.
  const trigger = readCloudEventTrigger(raw);
  if (trigger) task.trigger = trigger;
  const s = readStartSchedule(row.start?.schedule, created);
  if (s.kind === "error") return { ok: false, error: `task "${name}": ${s.error}`, id: row.id, name, updatedAt: task.updatedAt };
  if (s.kind === "ok") {
    task.schedule = s.schedule;
    task.scheduleText = s.text;
    return { ok: true, task, hasDefinition: true };
  }
  // A row with events, a `start`, or a trigger type other than time is the whole definition; a bare list row is not.
  const whole =
    trigger !== undefined ||
    row.start != null ||
    Array.isArray((raw as { events?: unknown }).events) ||
    (row.triggerType != null && row.triggerType.toLowerCase() !== "time");
  return { ok: true, task, hasDefinition: whole };
}

/** Qlik Cloud run statuses as the QRS codes the watchdog learns from: 7 succeeded, 8 failed, 6 aborted, 11 other. */
export function runStatusCode(status: string): number {
  const s = status.toUpperCase();
  if (s === "SUCCEEDED" || s === "SUCCESS" || s === "COMPLETED") return 7;
  if (s === "FAILED" || s === "EXCEEDED_LIMIT" || s === "ERROR") return 8;
  if (s === "CANCELED" || s === "CANCELLED" || s === "ABORTED") return 6;
  return 11;
}

/** A run of GET /tasks/{id}/runs (exported for the check against Qlik's published type). */
export const CloudTaskRunRow = z.lazy(() =>
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
    const r = CloudTaskRunRow.safeParse(raw);
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
