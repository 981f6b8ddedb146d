// When a QRS schema trigger (schemaevent) should fire next: read from the fields Qlik stores, validated here
// at the edge; a trigger Steward cannot read is a problem naming the task, not a guess.
import { z } from "zod";
import { isKnownZone, zonedLocalToUtc, zoneOffsetMs } from "../core/time-zone";

const QrsSchemaEvent = z.looseObject({
  id: z.string(),
  name: z.string().default(""),
  enabled: z.boolean(),
  incrementOption: z.number().int(),
  incrementDescription: z.string(),
  startDate: z.string(),
  expirationDate: z.string().default("9999-12-31T00:00:00.000"),
  timeZone: z.string().default("UTC"),
});

export interface ScheduleTrigger {
  id: string;
  name: string;
  enabled: boolean;
  /** 0 once, 1 hourly, 2 daily, 3 weekly, 4 monthly, 5 custom. */
  option: 0 | 1 | 2 | 3 | 4 | 5;
  /** Step for options 1, 2, 3 and 5. */
  periodMs: number;
  /** Local wall time of the first fire in `timeZone`, as QRS writes it (no offset). */
  startLocal: string;
  expiresMs: number;
  timeZone: string;
}

export type TriggerRead = { ok: true; trigger: ScheduleTrigger } | { ok: false; error: string };

const MIN = 60_000;
const DAY = 86_400_000;

/** Parses one QRS schemaevent; the error says which field is missing or what Steward does not know. */
export function readSchemaEvent(raw: unknown): TriggerRead {
  const r = QrsSchemaEvent.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    return { ok: false, error: `schema trigger: field ${i.path.join(".") || "(root)"}: ${i.message}` };
  }
  const e = r.data;
  if (![0, 1, 2, 3, 4, 5].includes(e.incrementOption))
    return { ok: false, error: `schema trigger '${e.name}': unknown incrementOption ${e.incrementOption} (known: 0 once … 5 custom)` };
  const parts = e.incrementDescription.trim().split(/\s+/).map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0))
    return { ok: false, error: `schema trigger '${e.name}': incrementDescription '${e.incrementDescription}' is not "minutes hours days weeks"` };
  const [m, h, d, w] = parts as [number, number, number, number];
  const step = m * MIN + h * 60 * MIN + d * DAY + w * 7 * DAY;
  const option = e.incrementOption as ScheduleTrigger["option"];
  const periodMs = step > 0 ? step : ([0, 60 * MIN, DAY, 7 * DAY, 0, DAY][option] ?? DAY);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?/.test(e.startDate))
    return { ok: false, error: `schema trigger '${e.name}': startDate '${e.startDate}' is not a date` };
  if (!isKnownZone(e.timeZone)) return { ok: false, error: `schema trigger '${e.name}': unknown timeZone '${e.timeZone}'` };
  const expires = Date.parse(`${stripZone(e.expirationDate)}Z`);
  return {
    ok: true,
    trigger: {
      id: e.id,
      name: e.name,
      enabled: e.enabled,
      option,
      periodMs,
      startLocal: stripZone(e.startDate),
      expiresMs: Number.isNaN(expires) ? Infinity : expires,
      timeZone: e.timeZone,
    },
  };
}

function stripZone(s: string): string {
  return s.replace(/(Z|[+-]\d\d:\d\d)$/, "");
}

/**
 * The first fire strictly after `afterMs`, or undefined (disabled, expired, a past "once").
 * Daily, weekly and monthly steps keep the local wall time across daylight-saving changes, as the Scheduler does;
 * hourly and custom minute steps are fixed intervals.
 */
export function nextExpectedStart(t: ScheduleTrigger, afterMs: number): number | undefined {
  if (!t.enabled) return undefined;
  const startLocalMs = Date.parse(`${t.startLocal}Z`);
  const at = (local: number) => zonedLocalToUtc(t.timeZone, local);
  let next: number | undefined;
  if (t.option === 0) next = at(startLocalMs) > afterMs ? at(startLocalMs) : undefined;
  else if (t.option === 4) {
    const d = new Date(startLocalMs);
    for (let i = 0; i < 12_000 && at(d.getTime()) <= afterMs; i++) d.setUTCMonth(d.getUTCMonth() + 1);
    next = at(d.getTime());
  } else {
    const wallStep = t.periodMs % DAY === 0;
    const first = at(startLocalMs);
    if (first > afterMs) next = first;
    else if (wallStep) {
      const afterLocal = afterMs + zoneOffsetMs(t.timeZone, afterMs);
      let k = Math.floor((afterLocal - startLocalMs) / t.periodMs);
      while (at(startLocalMs + k * t.periodMs) <= afterMs) k++;
      next = at(startLocalMs + k * t.periodMs);
    } else next = first + (Math.floor((afterMs - first) / t.periodMs) + 1) * t.periodMs;
  }
  return next !== undefined && next < t.expiresMs ? next : undefined;
}
