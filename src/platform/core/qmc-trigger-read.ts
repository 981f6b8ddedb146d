// Turns the fields QRS stores on a schema trigger (schemaevent) into a QmcSchedule, or an error naming the field, as
// docs/watchdog.md ("How Steward reads a trigger") states. The simulator reads triggers with code of its own
// (src/sim/scheduler-clock), so that each can catch the other's mistakes.
import { parseQmcFilter } from "./qmc-filter";
import { type QmcSchedule, qmcWallTimeOf } from "./qmc-schedule";
import { isKnownZone } from "./time-zone";

export interface QrsScheduleFields {
  /** A number, or a numeric string as some tools write it ("1"). */
  incrementOption: number | string;
  incrementDescription: string;
  /** QRS serves an array of one string; the site file a string. */
  schemaFilterDescription?: string | readonly string[] | null | undefined;
  startDate: string;
  expirationDate?: string | null | undefined;
  timeZone?: string | null | undefined;
  daylightSavingTime?: number | string | null | undefined;
}

export type ScheduleRead = { ok: true; schedule: QmcSchedule } | { ok: false; error: string };

const QRS_DATE = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(Z|[+-]\d\d:\d\d)?$/;

/** A QRS date: its fields read as UTC (ms), and the offset it names (ms east of UTC) when it ends in `Z` or one. */
export interface QrsDate {
  fieldsMs: number;
  offsetMs?: number;
}

/**
 * A QRS date ("2026-03-29T02:30:00.000", "2018-10-25T13:30:26Z", "…+02:00"). Without a suffix it is the zone's wall
 * time; with one it is an instant (QRS's own schemaevents: docs/watchdog.md, "How Steward reads a trigger").
 */
export function readQrsDate(s: string): QrsDate | undefined {
  const m = QRS_DATE.exec(s.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return undefined;
  const dt = new Date(0);
  dt.setUTCFullYear(y, mo - 1, d); // setUTCFullYear keeps years 0–99 as written (Date.UTC would read 1 as 1901)
  dt.setUTCHours(h, mi, sec, 0);
  if (dt.getUTCDate() !== d) return undefined;
  const suffix = m[7];
  if (suffix === undefined) return { fieldsMs: dt.getTime() };
  if (suffix === "Z") return { fieldsMs: dt.getTime(), offsetMs: 0 };
  const sign = suffix.startsWith("-") ? -1 : 1;
  const offH = Number(suffix.slice(1, 3));
  const offM = Number(suffix.slice(4, 6));
  if (offH > 14 || offM > 59) return undefined;
  return { fieldsMs: dt.getTime(), offsetMs: sign * (offH * 60 + offM) * 60_000 };
}

/** A QRS date's fields read as UTC (ms), whatever suffix it has: the wall time it was written as. */
export function readLocalDate(s: string): number | undefined {
  return readQrsDate(s)?.fieldsMs;
}

/** A JSON number or a numeric string ("1", " 2 "); undefined for anything else. */
function readInteger(v: number | string | null | undefined): number | undefined {
  if (typeof v === "number") return Number.isInteger(v) ? v : undefined;
  if (typeof v === "string" && /^\s*\d{1,6}\s*$/.test(v)) return Number(v);
  return undefined;
}

/** QRS's own "never": its expiry year is 9999 or later (QRS writes 9999-01-01 or 9999-12-31). */
const NEVER_EXPIRES_FROM = Date.UTC(9999, 0, 1);

/** Reads one trigger; the error says which field and why, so the caller can name the task. */
export function readQmcSchedule(raw: QrsScheduleFields): ScheduleRead {
  const option = readInteger(raw.incrementOption);
  if (option === undefined || option < 0 || option > 5)
    return { ok: false, error: `unknown incrementOption ${clip(String(raw.incrementOption))} (known: 0 once … 5 custom)` };
  const parts = raw.incrementDescription.trim().split(/\s+/);
  if (parts.length !== 4 || parts.some((n) => !/^\d{1,6}$/.test(n) || Number(n) > 100_000))
    return { ok: false, error: `incrementDescription '${clip(raw.incrementDescription)}' is not "minutes hours days weeks"` };
  const increment = parts.map(Number) as [number, number, number, number];
  const list = raw.schemaFilterDescription;
  if (Array.isArray(list) && list.length > 1) return { ok: false, error: `schemaFilterDescription has ${list.length} filters; Steward reads one` };
  const filterText = Array.isArray(list) ? list[0] : list;
  const filter = parseQmcFilter(typeof filterText === "string" && filterText.trim() !== "" ? filterText : "* * - * * * * *");
  if (!filter.ok) return { ok: false, error: filter.error };
  const start = readQrsDate(raw.startDate);
  if (start === undefined) return { ok: false, error: `startDate '${clip(raw.startDate)}' is not a date` };
  const zone = raw.timeZone || "UTC";
  if (!isKnownZone(zone)) return { ok: false, error: `unknown timeZone '${clip(zone)}'` };
  const dstRead = raw.daylightSavingTime === null || raw.daylightSavingTime === undefined ? 0 : readInteger(raw.daylightSavingTime);
  if (dstRead === undefined || dstRead < 0 || dstRead > 3)
    return {
      ok: false,
      error: `unknown daylightSavingTime ${clip(String(raw.daylightSavingTime))} (known: 0 observe, 1 permanent standard, 2 permanent daylight)`,
    };
  // 3 is not documented by Qlik (0–2 are): read as "observe", and QRS's own next time decides where they differ.
  const daylightSaving = dstRead === 3 ? 0 : (dstRead as 0 | 1 | 2);
  const startUtcMs = start.offsetMs === undefined ? undefined : start.fieldsMs - start.offsetMs;
  let expiresLocalMs = Number.POSITIVE_INFINITY;
  let expiresUtcMs: number | undefined;
  if (raw.expirationDate) {
    const expires = readQrsDate(raw.expirationDate);
    if (expires === undefined) return { ok: false, error: `expirationDate '${clip(raw.expirationDate)}' is not a date` };
    if (expires.fieldsMs < NEVER_EXPIRES_FROM) {
      if (expires.offsetMs === undefined) expiresLocalMs = expires.fieldsMs;
      else {
        expiresUtcMs = expires.fieldsMs - expires.offsetMs;
        expiresLocalMs = qmcWallTimeOf(zone, daylightSaving, expiresUtcMs);
      }
    }
  }
  return {
    ok: true,
    schedule: {
      option: option as QmcSchedule["option"],
      increment,
      filter: filter.filter,
      startLocalMs: startUtcMs === undefined ? start.fieldsMs : qmcWallTimeOf(zone, daylightSaving, startUtcMs),
      ...(startUtcMs !== undefined ? { startUtcMs } : {}),
      timeZone: zone,
      daylightSaving,
      expiresLocalMs,
      ...(expiresUtcMs !== undefined ? { expiresUtcMs } : {}),
    },
  };
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
