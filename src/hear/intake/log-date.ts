// The date forms a Qlik log line can carry in its date field, read without guessing (docs/udp-intake.md, "Dates"):
// - log4net's `%date` / `%date{ISO8601}`: `2026-11-24 06:00:41,512` (also with `T`, `.`, 0–7 fraction digits, a zone);
// - Qlik's own log files' `YYYYMMDDThhmmss.fffK` (Qlik's Iso8601TimeOffsetPatternConverter): `20261124T060041.512+0100`;
// - log4net's `%date{DATE}`: `24 Nov 2026 06:00:41,512` (DateTimeDateFormatter, English month names);
// - log4net's `%date{ABSOLUTE}`: `06:00:41,512`, a time only (AbsoluteTimeDateFormatter): its day is the receipt's.

export type LogDateForm = "iso" | "qlik" | "date" | "absolute";

export interface LogDate {
  form: LogDateForm;
  /** `yyyy-MM-dd`; absent for ABSOLUTE (a time only). */
  day?: string;
  /** `HH:mm:ss,fff` (the fraction as sent, if any). */
  time: string;
  /** `+01:00`, `Z`, or "" when the form names no zone. */
  zone: string;
}

/** The longest text any form takes: `2026-11-24T19:50:18.1234567+01:00`. */
export const LOG_DATE_MAX = 33;

const ISO = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:[,.](\d{1,7}))?(Z|[+-]\d\d:?\d\d)?$/;
const QLIK = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(?:[.,](\d{1,7}))?(Z|[+-]\d{4})?$/;
const DATE = /^(\d\d) ([A-Z][a-z]{2}) (\d{4}) (\d\d:\d\d:\d\d)(?:,(\d{1,7}))?$/;
const ABSOLUTE = /^(\d\d:\d\d:\d\d)(?:,(\d{1,7}))?$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const time = (hms: string, frac: string | undefined) => (frac ? `${hms},${frac}` : hms);
const zoneOf = (z: string | undefined) => (!z ? "" : z === "Z" ? "Z" : z.includes(":") ? z : `${z.slice(0, 3)}:${z.slice(3)}`);

function valid(day: string | undefined, hms: string): boolean {
  const [h, mi, s] = hms.split(":").map(Number) as [number, number, number];
  if (h > 23 || mi > 59 || s > 60) return false;
  if (day === undefined) return true;
  const [y, mo, d] = day.split("-").map(Number) as [number, number, number];
  const at = new Date(Date.UTC(y, mo - 1, d));
  return at.getUTCFullYear() === y && at.getUTCMonth() === mo - 1 && at.getUTCDate() === d;
}

/** The date a field holds in one of the forms above; undefined for anything else (or an impossible date). */
export function readLogDate(text: string): LogDate | undefined {
  if (text.length > LOG_DATE_MAX) return undefined;
  let d: LogDate | undefined;
  let m = ISO.exec(text);
  if (m) d = { form: "iso", day: m[1]!, time: time(m[2]!, m[3]), zone: zoneOf(m[4]) };
  else if ((m = QLIK.exec(text))) d = { form: "qlik", day: `${m[1]}-${m[2]}-${m[3]}`, time: time(`${m[4]}:${m[5]}:${m[6]}`, m[7]), zone: zoneOf(m[8]) };
  else if ((m = DATE.exec(text))) {
    const month = MONTHS.indexOf(m[2]!);
    if (month < 0) return undefined;
    d = { form: "date", day: `${m[3]}-${String(month + 1).padStart(2, "0")}-${m[1]}`, time: time(m[4]!, m[5]), zone: "" };
  } else if ((m = ABSOLUTE.exec(text))) d = { form: "absolute", time: time(m[1]!, m[2]), zone: "" };
  return d && valid(d.day, d.time.slice(0, 8)) ? d : undefined;
}

const DAY_MS = 86_400_000;
const msOfDay = (t: string) => {
  const [h, mi, s] = t.slice(0, 8).split(":").map(Number) as [number, number, number];
  return ((h * 60 + mi) * 60 + s) * 1000;
};
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The day of a time-only line (ABSOLUTE): the receipt's day on the node's wall clock, or the day before or after when
 * that puts the line nearer the receipt (a line logged at 23:59:59,900 and heard at 00:00:00,100 is yesterday's).
 * `localOffsetMin`: the wall clock's offset from UTC at the receipt, in minutes east (the site's zone).
 */
export function dayOfTime(t: string, receivedMs: number, localOffsetMin: number): string {
  const wall = receivedMs + localOffsetMin * 60_000;
  const midnight = Math.floor(wall / DAY_MS) * DAY_MS;
  const at = msOfDay(t);
  let best = midnight;
  for (const day of [midnight - DAY_MS, midnight + DAY_MS]) if (Math.abs(day + at - wall) < Math.abs(best + at - wall)) best = day;
  return isoDay(best);
}

/** One text per instant as the line stated it, whatever its form: `2026-11-24 06:00:41,512+01:00`. */
export function logDateKey(d: LogDate, receivedMs: number, localOffsetMin: number): string {
  return `${d.day ?? dayOfTime(d.time, receivedMs, localOffsetMin)} ${d.time}${d.zone}`;
}

/** The machine's offset from UTC at `ms`, minutes east: a Scheduler's wall clock is the site's, and Steward runs there. */
export const machineOffsetMin = (ms: number) => -new Date(ms).getTimezoneOffset();
