// Turns the fields QRS stores on a schema trigger (schemaevent) into a QmcSchedule, or an error naming the field:
// one reader for the simulator's site file and for what the watchdog reads from a real QRS.
import { parseQmcFilter } from "./qmc-filter";
import type { QmcSchedule } from "./qmc-schedule";
import { isKnownZone } from "./time-zone";

export interface QrsScheduleFields {
  incrementOption: number;
  incrementDescription: string;
  /** QRS serves an array of one string; the site file a string. */
  schemaFilterDescription?: string | readonly string[] | null | undefined;
  startDate: string;
  expirationDate?: string | null | undefined;
  timeZone?: string | null | undefined;
  daylightSavingTime?: number | null | undefined;
}

export type ScheduleRead = { ok: true; schedule: QmcSchedule } | { ok: false; error: string };

const LOCAL_DATE = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)?$/;

/** A QRS local date ("2026-03-29T02:30:00.000", an offset ignored as QRS means the zone's wall time) to ms. */
export function readLocalDate(s: string): number | undefined {
  const m = LOCAL_DATE.exec(s.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return undefined;
  const dt = new Date(0);
  dt.setUTCFullYear(y, mo - 1, d); // setUTCFullYear keeps years 0–99 as written (Date.UTC would read 1 as 1901)
  dt.setUTCHours(h, mi, sec, 0);
  return dt.getUTCDate() === d ? dt.getTime() : undefined;
}

/** Reads one trigger; the error says which field and why, so the caller can name the task. */
export function readQmcSchedule(raw: QrsScheduleFields): ScheduleRead {
  const option = raw.incrementOption;
  if (!Number.isInteger(option) || option < 0 || option > 5) return { ok: false, error: `unknown incrementOption ${option} (known: 0 once … 5 custom)` };
  const parts = raw.incrementDescription.trim().split(/\s+/).map(Number);
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0 || n > 100_000))
    return { ok: false, error: `incrementDescription '${raw.incrementDescription.slice(0, 60)}' is not "minutes hours days weeks"` };
  const filterText = Array.isArray(raw.schemaFilterDescription) ? raw.schemaFilterDescription[0] : raw.schemaFilterDescription;
  if (Array.isArray(raw.schemaFilterDescription) && raw.schemaFilterDescription.length > 1)
    return { ok: false, error: `schemaFilterDescription has ${raw.schemaFilterDescription.length} filters; Steward reads one` };
  const filter = parseQmcFilter(typeof filterText === "string" ? filterText : "* * - * * * * *");
  if (!filter.ok) return { ok: false, error: filter.error };
  const start = readLocalDate(raw.startDate);
  if (start === undefined) return { ok: false, error: `startDate '${raw.startDate.slice(0, 40)}' is not a date` };
  const zone = raw.timeZone || "UTC";
  if (!isKnownZone(zone)) return { ok: false, error: `unknown timeZone '${zone.slice(0, 60)}'` };
  const dst = raw.daylightSavingTime ?? 0;
  if (dst !== 0 && dst !== 1 && dst !== 2)
    return { ok: false, error: `unknown daylightSavingTime ${dst} (known: 0 observe, 1 permanent standard, 2 permanent daylight)` };
  const expires = raw.expirationDate ? readLocalDate(raw.expirationDate) : undefined;
  return {
    ok: true,
    schedule: {
      option: option as QmcSchedule["option"],
      increment: parts as [number, number, number, number],
      filter: filter.filter,
      startLocalMs: start,
      timeZone: zone,
      daylightSaving: dst,
      // Expiration is compared in UTC as before (QRS writes "9999-12-31…" for never).
      expiresMs: expires === undefined || expires >= Date.UTC(9999, 0, 1) ? Number.POSITIVE_INFINITY : expires,
    },
  };
}
