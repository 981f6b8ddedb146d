// Butler's text and number formats in its InfluxDB fields, so Steward's points read the same in Grafana: start and
// stop times as six renderings, durations split into whole hours, minutes and seconds (and the numbers derived from
// that split), and the execution details followed by script-log lines in scriptLog / reload_log.
import type { ExecutionDetail } from "../../../../platform/events/types";

/**
 * Butler (luxon) renders local times in the server's time zone and locale. Steward uses the server's time zone too
 * and always the en-US forms (Butler's on an en-US server, and what its documentation shows).
 */
const LOCALE = "en-US";
const NEVER = "-";

const SHORT: Intl.DateTimeFormatOptions = { year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "2-digit", second: "2-digit" };
const MEDIUM: Intl.DateTimeFormatOptions = { ...SHORT, month: "short" };
const FULL: Intl.DateTimeFormatOptions = { ...SHORT, month: "long", timeZoneName: "short" };
const NUMERIC: Intl.DateTimeFormatOptions = {
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
};

/** Building a formatter costs far more than using one: one set per time zone, made on first use. */
const formatters = new Map<string, { numeric: Intl.DateTimeFormat; short: Intl.DateTimeFormat; medium: Intl.DateTimeFormat; full: Intl.DateTimeFormat }>();
function formattersFor(timeZone: string | undefined) {
  const key = timeZone ?? "";
  let f = formatters.get(key);
  if (!f) {
    const make = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(LOCALE, { ...o, timeZone });
    f = { numeric: make(NUMERIC), short: make(SHORT), medium: make(MEDIUM), full: make(FULL) };
    formatters.set(key, f);
  }
  return f;
}

/** ICU may put narrow or non-breaking spaces before "PM"; Butler's output has plain ones. */
const plainSpaces = (s: string) => s.replace(/[\u202f\u00a0]/g, " ");

/** The six renderings Butler writes for a start or stop time: the QRS value as given, then five local forms. */
export function butlerTimes(prefix: "startTime" | "stopTime", iso: string | undefined, timeZone?: string): Record<string, string> {
  const d = iso ? new Date(iso) : undefined;
  if (!iso || iso.startsWith("1753") || !d || Number.isNaN(d.getTime())) {
    return Object.fromEntries(["UTC", "Local1", "Local2", "Local3", "Local4", "Local5"].map((k) => [`${prefix}${k}`, NEVER]));
  }
  const f = formattersFor(timeZone);
  const parts: Record<string, string> = {};
  for (const p of f.numeric.formatToParts(d)) parts[p.type] = p.value;
  const full = plainSpaces(f.full.format(d));
  return {
    [`${prefix}UTC`]: iso,
    [`${prefix}Local1`]: `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`,
    [`${prefix}Local2`]: plainSpaces(f.short.format(d)),
    [`${prefix}Local3`]: plainSpaces(f.medium.format(d)),
    [`${prefix}Local4`]: full,
    [`${prefix}Local5`]: full,
  };
}

/**
 * An external program's or a distribution's start or stop time as Butler wrote it for those task types: the QRS
 * time in UTC as luxon's toObject() gives it ({year, month, day, hour, minute, second, millisecond}); {} when
 * QRS's value is no time.
 */
export function butlerUtcParts(iso: string | undefined): Record<string, number> {
  const d = iso ? new Date(iso) : undefined;
  if (!d || Number.isNaN(d.getTime())) return {};
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
  };
}

export interface ButlerDuration {
  hours: number;
  minutes: number;
  seconds: number;
}

/** QRS's duration (ms) as whole hours and minutes and the seconds left, rounded down (luxon's shiftTo, then floor). */
export function butlerDuration(ms: number | undefined): ButlerDuration {
  const total = Math.max(0, ms ?? 0);
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  return { hours, minutes, seconds: Math.floor((total % 60_000) / 1000) };
}

/** task_executionDuration_sec / _min / _h, computed from the split the way Butler does (same float results). */
export function butlerDurationNumbers(d: ButlerDuration): { sec: number; min: number; h: number } {
  return {
    sec: d.hours * 3600 + d.minutes * 60 + d.seconds,
    min: d.hours * 60 + d.minutes + d.seconds / 60,
    h: d.hours + d.minutes / 60 + d.seconds / 3600,
  };
}

/** Butler's executionDetailsConcatenated: one `<detailCreatedDate>\t<message>\n` per detail, oldest first. */
export function butlerDetails(details: readonly ExecutionDetail[]): string {
  return [...details]
    .sort((a, b) => a.createdDate.localeCompare(b.createdDate))
    .map((d) => `${d.createdDate}\t${d.message}\n`)
    .join("");
}

/**
 * Butler splits the log on CRLF, so a log ending in a line break has an empty last "line": its tail of N lines is
 * N-1 log lines and that empty one, and joined with CRLF it ends in a line break.
 */
export function butlerLines(lines: readonly string[], count: number, from: "head" | "tail", endsWithBreak: boolean): string {
  if (count <= 0) return "";
  const all = endsWithBreak ? [...lines, ""] : [...lines];
  return (from === "head" ? all.slice(0, count) : all.slice(Math.max(all.length - count, 0))).join("\r\n");
}

/** scriptLog / reload_log of a failed reload: execution details, a dashed line, the tail of the log. */
export function butlerFailureLog(details: string, tail: string): string {
  return `${details}\r\n-------------------------------\r\n\r\n${tail}`;
}

/** scriptLog / reload_log of a successful reload: execution details, then the head and the tail, each with a title. */
export function butlerSuccessLog(details: string, head: string, headCount: number, tail: string, tailCount: number): string {
  return `${details}\r\n---------- SCRIPT LOG HEAD (${headCount} lines) ----------\r\n${head}\r\n\r\n---------- SCRIPT LOG TAIL (${tailCount} lines) ----------\r\n${tail}`;
}

/** Tags are Butler's user with every backslash turned into a forward slash (INTERNAL/sa_scheduler). */
export function butlerUserTag(user: string): string {
  return user.replace(/\\/g, "/");
}
