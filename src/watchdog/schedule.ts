// When a QRS schema trigger (schemaevent) should fire next: read from the fields Qlik stores, validated here
// at the edge; a trigger Steward cannot read is a problem naming the task, not a guess. The calendar itself (the
// whole schemaFilterDescription, time zone, daylight-saving option, a step budget) is src/core/qmc-schedule.ts.
import { z } from "zod";
import { nextQmcFire, type QmcSchedule } from "../core/qmc-schedule";
import { readQmcSchedule } from "../core/qmc-trigger-read";

const QrsSchemaEvent = z.lazy(() =>
  z.looseObject({
    id: z.string(),
    name: z.string().default(""),
    enabled: z.boolean(),
    incrementOption: z.number().int(),
    incrementDescription: z.string(),
    schemaFilterDescription: z.union([z.array(z.string()), z.string()]).nullish(),
    startDate: z.string(),
    expirationDate: z.string().default("9999-12-31T00:00:00.000"),
    timeZone: z.string().default("UTC"),
    daylightSavingTime: z.number().int().nullish(),
    operational: z.looseObject({ nextExecution: z.string().nullish() }).nullish(),
  }),
);

export interface ScheduleTrigger {
  id: string;
  name: string;
  enabled: boolean;
  /** 0 once, 1 hourly, 2 daily, 3 weekly, 4 monthly, 5 custom. */
  option: 0 | 1 | 2 | 3 | 4 | 5;
  schedule: QmcSchedule;
  /** QRS's own operational.nextExecution when the plan was read (undefined: none stated). */
  qrsNextMs?: number;
  /**
   * Set when Steward's computation disagreed with QRS's next execution: the trigger is then judged by QRS's time
   * alone (this one due time) until the plan is read again.
   */
  judgedByQrs?: boolean;
}

export type TriggerRead = { ok: true; trigger: ScheduleTrigger } | { ok: false; error: string };

const NEVER_PREFIX = "1753-01-01";

/** Parses one QRS schemaevent; the error says which field is missing or what Steward does not know. */
export function readSchemaEvent(raw: unknown): TriggerRead {
  const r = QrsSchemaEvent.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    return { ok: false, error: `schema trigger: field ${i.path.join(".") || "(root)"}: ${i.message}` };
  }
  const e = r.data;
  const read = readQmcSchedule(e);
  if (!read.ok) return { ok: false, error: `schema trigger '${e.name}': ${read.error}` };
  const next = e.operational?.nextExecution;
  const qrsNextMs = next && !next.startsWith(NEVER_PREFIX) ? Date.parse(/Z|[+-]\d\d:\d\d$/.test(next) ? next : `${next}Z`) : Number.NaN;
  return {
    ok: true,
    trigger: {
      id: e.id,
      name: e.name,
      enabled: e.enabled,
      option: read.schedule.option,
      schedule: read.schedule,
      ...(Number.isFinite(qrsNextMs) ? { qrsNextMs } : {}),
    },
  };
}

/**
 * The first fire strictly after `afterMs`, or undefined (disabled, expired, a past "once", none within the step
 * budget). A trigger judged by QRS's time has one known due time: QRS's next execution.
 */
export function nextExpectedStart(t: ScheduleTrigger, afterMs: number): number | undefined {
  if (!t.enabled) return undefined;
  if (t.judgedByQrs) return t.qrsNextMs !== undefined && t.qrsNextMs > afterMs ? t.qrsNextMs : undefined;
  return nextQmcFire(t.schedule, afterMs);
}

/** How far Steward's next start may lie from QRS's before it is a disagreement (QRS rounds to the second). */
export const QRS_AGREEMENT_MS = 60_000;

/**
 * Compares Steward's next start with QRS's operational.nextExecution at the plan read. A disagreement marks the
 * trigger as judged by QRS's time and returns the sentence for the watchdog's problems; never an alert.
 */
export function compareWithQrs(t: ScheduleTrigger, readAtMs: number): string | undefined {
  if (!t.enabled || t.qrsNextMs === undefined || t.qrsNextMs <= readAtMs) return undefined;
  const ours = nextQmcFire(t.schedule, readAtMs);
  if (ours !== undefined && Math.abs(ours - t.qrsNextMs) <= QRS_AGREEMENT_MS) return undefined;
  t.judgedByQrs = true;
  const when = (ms: number | undefined) => (ms === undefined ? "none" : new Date(ms).toISOString());
  return `trigger "${t.name}": Steward computes the next start ${when(ours)}, QRS states ${when(t.qrsNextMs)}; this task is judged by QRS's time`;
}
