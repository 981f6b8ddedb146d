// RFC 5545 recurrence rules (RRULE lines) as Qlik Cloud's Scheduling Tasks store them: the occurrences of a
// time schedule in its IANA zone, wall-clock times kept across daylight-saving changes. A rule Steward cannot read
// is an error naming the part, never a guess; every search is bounded, so a rule that never matches costs little.
import { isKnownZone, zonedLocalToUtc, zoneOffsetMs } from "./time-zone";

export type Freq = "MINUTELY" | "HOURLY" | "DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY";

export interface RecurrenceRule {
  freq: Freq;
  interval: number;
  count?: number;
  /** UNTIL as an instant (a `Z` value) or as local wall time in the schedule's zone (read as if UTC). */
  until?: { utcMs: number } | { localMs: number };
  bySecond?: number[];
  byMinute?: number[];
  byHour?: number[];
  /** Weekday 0 = Sunday … 6 = Saturday; `n` the numeric prefix (MONTHLY, YEARLY): 1 first, -1 last. */
  byDay?: Array<{ weekday: number; n?: number }>;
  byMonthDay?: number[];
  byMonth?: number[];
  /** Week start for WEEKLY with INTERVAL (default Monday). */
  wkst: number;
}

export interface Schedule {
  rules: RecurrenceRule[];
  timeZone: string;
  /** The first instant the schedule may fire at, as local wall time (read as if UTC): DTSTART. */
  startLocalMs: number;
  /** No occurrence at or after this instant. */
  endMs?: number;
}

export type RuleRead = { ok: true; rule: RecurrenceRule } | { ok: false; error: string };

const DAY = 86_400_000;
const WEEKDAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
const FREQS: Freq[] = ["MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"];
const UNSUPPORTED = new Set(["BYSETPOS", "BYYEARDAY", "BYWEEKNO"]);
/** Days searched ahead at most (a rule that never matches, or fires once a decade, ends the search here). */
const HORIZON_DAYS = 366 * 30;
/** Candidate times examined per search at most (MINUTELY rules with COUNT counted from a start long ago). */
const MAX_CANDIDATES = 400_000;

function intList(name: string, value: string, min: number, max: number, allowNegative = false): number[] | string {
  const out: number[] = [];
  for (const part of value.split(",")) {
    if (!/^[+-]?\d{1,4}$/.test(part)) return `${name}=${value}: '${part}' is not a number`;
    const n = Number(part);
    const ok = allowNegative ? n !== 0 && Math.abs(n) >= min && Math.abs(n) <= max : n >= min && n <= max;
    if (!ok) return `${name}=${value}: ${n} is out of range`;
    out.push(n);
  }
  return out;
}

/** Reads one `RRULE:…` line (the `RRULE:` prefix is optional). */
export function parseRule(line: string): RuleRead {
  const text = line.trim().replace(/^RRULE:/i, "");
  if (/^[A-Z-]+[:;]/i.test(text) && !/^(FREQ|INTERVAL|COUNT|UNTIL|BY[A-Z]+|WKST)=/i.test(text)) {
    return { ok: false, error: `'${line.trim().slice(0, 80)}': only RRULE lines are supported` };
  }
  const parts = new Map<string, string>();
  for (const kv of text.split(";")) {
    if (kv === "") continue;
    const eq = kv.indexOf("=");
    if (eq <= 0) return { ok: false, error: `'${kv.slice(0, 40)}' is not NAME=VALUE` };
    const name = kv.slice(0, eq).toUpperCase();
    if (parts.has(name)) return { ok: false, error: `${name} is given twice` };
    parts.set(name, kv.slice(eq + 1).toUpperCase());
  }
  const freq = parts.get("FREQ");
  if (!freq) return { ok: false, error: "FREQ is missing" };
  if (!FREQS.includes(freq as Freq)) return { ok: false, error: `FREQ=${freq} is not supported (${FREQS.join(", ")})` };
  const rule: RecurrenceRule = { freq: freq as Freq, interval: 1, wkst: 1 };
  for (const [name, value] of parts) {
    if (UNSUPPORTED.has(name)) return { ok: false, error: `${name} is not supported` };
    let list: number[] | string;
    switch (name) {
      case "FREQ":
        continue;
      case "INTERVAL":
      case "COUNT": {
        if (!/^\d{1,7}$/.test(value) || Number(value) < 1) return { ok: false, error: `${name}=${value} is not a positive whole number` };
        if (name === "INTERVAL") rule.interval = Number(value);
        else rule.count = Number(value);
        continue;
      }
      case "UNTIL": {
        const m = /^(\d{4})(\d\d)(\d\d)(?:T(\d\d)(\d\d)(\d\d)(Z?))?$/.exec(value);
        if (!m) return { ok: false, error: `UNTIL=${value} is not a date (20261231 or 20261231T235959Z)` };
        const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 23), +(m[5] ?? 59), +(m[6] ?? 59));
        if (!Number.isFinite(ms) || new Date(ms).getUTCDate() !== +m[3]!) return { ok: false, error: `UNTIL=${value} is not a date` };
        rule.until = m[7] === "Z" ? { utcMs: ms } : { localMs: ms };
        continue;
      }
      case "BYSECOND":
        list = intList(name, value, 0, 59);
        if (typeof list === "string") return { ok: false, error: list };
        rule.bySecond = list;
        continue;
      case "BYMINUTE":
        list = intList(name, value, 0, 59);
        if (typeof list === "string") return { ok: false, error: list };
        rule.byMinute = list;
        continue;
      case "BYHOUR":
        list = intList(name, value, 0, 23);
        if (typeof list === "string") return { ok: false, error: list };
        rule.byHour = list;
        continue;
      case "BYMONTHDAY":
        list = intList(name, value, 1, 31, true);
        if (typeof list === "string") return { ok: false, error: list };
        rule.byMonthDay = list;
        continue;
      case "BYMONTH":
        list = intList(name, value, 1, 12);
        if (typeof list === "string") return { ok: false, error: list };
        rule.byMonth = list;
        continue;
      case "WKST": {
        const d = WEEKDAYS.indexOf(value);
        if (d < 0) return { ok: false, error: `WKST=${value} is not a weekday (MO … SU)` };
        rule.wkst = d;
        continue;
      }
      case "BYDAY": {
        const days: Array<{ weekday: number; n?: number }> = [];
        for (const item of value.split(",")) {
          const m = /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/.exec(item);
          if (!m) return { ok: false, error: `BYDAY=${value}: '${item}' is not a weekday such as MO or 1MO or -1FR` };
          const n = m[1] === undefined ? undefined : Number(m[1]);
          if (n !== undefined) {
            if (n === 0 || Math.abs(n) > 53) return { ok: false, error: `BYDAY=${value}: ${n} is out of range` };
            if (rule.freq !== "MONTHLY" && rule.freq !== "YEARLY")
              return { ok: false, error: `BYDAY=${value}: a numbered weekday needs FREQ=MONTHLY or YEARLY` };
          }
          days.push({ weekday: WEEKDAYS.indexOf(m[2]!), ...(n !== undefined ? { n } : {}) });
        }
        rule.byDay = days;
        continue;
      }
      default:
        return { ok: false, error: `${name} is not a recurrence rule part Steward knows` };
    }
  }
  if (rule.count !== undefined && rule.until !== undefined) return { ok: false, error: "COUNT and UNTIL together are not allowed" };
  return { ok: true, rule };
}

/** A schedule from Qlik's fields: recurrence lines, zone, optional local start and end (RFC 3339 without offset). */
export function readSchedule(input: {
  recurrence: readonly string[];
  timeZone: string;
  startDateTime?: string | null;
  endDateTime?: string | null;
  /** DTSTART when no startDateTime is given (the task's creation). */
  fallbackStartMs: number;
}): { ok: true; schedule: Schedule } | { ok: false; error: string } {
  const zone = input.timeZone || "UTC";
  if (!isKnownZone(zone)) return { ok: false, error: `unknown time zone '${zone}'` };
  if (input.recurrence.length === 0) return { ok: false, error: "no recurrence rule" };
  const rules: RecurrenceRule[] = [];
  for (const line of input.recurrence) {
    const r = parseRule(line);
    if (!r.ok) return { ok: false, error: `recurrence '${line.slice(0, 120)}': ${r.error}` };
    rules.push(r.rule);
  }
  const local = (s: string | null | undefined, what: string): number | undefined | string => {
    if (!s) return undefined;
    const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?)(?:\.\d+)?(Z|[+-]\d\d:\d\d)?$/.exec(s.trim());
    if (!m) return `${what} '${s}' is not an RFC 3339 date-time`;
    const wall = Date.parse(`${m[1]}Z`);
    if (!Number.isFinite(wall)) return `${what} '${s}' is not a date`;
    // With an offset it is an instant: its wall time in the zone is what the rule counts from.
    if (m[2]) {
      const instant = Date.parse(s);
      return instant + zoneOffsetMs(zone, instant);
    }
    return wall;
  };
  const start = local(input.startDateTime, "startDateTime");
  if (typeof start === "string") return { ok: false, error: start };
  const end = local(input.endDateTime, "endDateTime");
  if (typeof end === "string") return { ok: false, error: end };
  const fallback = Math.floor(input.fallbackStartMs / 1000) * 1000;
  return {
    ok: true,
    schedule: {
      rules,
      timeZone: zone,
      startLocalMs: start ?? fallback + zoneOffsetMs(zone, fallback),
      ...(end !== undefined ? { endMs: zonedLocalToUtc(zone, end) } : {}),
    },
  };
}

const dayIndex = (localMs: number) => Math.floor(localMs / DAY);
const monthIndex = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();
const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
const daysInYear = (y: number) => (Date.UTC(y + 1, 0, 1) - Date.UTC(y, 0, 1)) / DAY;

/** Whether a local day (its midnight, as if UTC) is one the rule fires on, and in an active period of its INTERVAL. */
function dayMatches(r: RecurrenceRule, dayMs: number, start: Date): boolean {
  const d = new Date(dayMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const dom = d.getUTCDate();
  const wd = d.getUTCDay();
  const startDay = dayIndex(start.getTime());
  const di = dayIndex(dayMs);
  // INTERVAL: only every n-th period counts from the one holding DTSTART.
  switch (r.freq) {
    case "DAILY":
      if ((di - startDay) % r.interval !== 0) return false;
      break;
    case "WEEKLY": {
      const weekOf = (x: number) => Math.floor((x - ((((new Date(x * DAY).getUTCDay() - r.wkst) % 7) + 7) % 7)) / 7);
      if ((weekOf(di) - weekOf(startDay)) % r.interval !== 0) return false;
      break;
    }
    case "MONTHLY":
      if ((monthIndex(d) - monthIndex(start)) % r.interval !== 0) return false;
      break;
    case "YEARLY":
      if ((y - start.getUTCFullYear()) % r.interval !== 0) return false;
      break;
  }
  if (r.byMonth && !r.byMonth.includes(m + 1)) return false;
  if (r.byMonthDay) {
    const dim = daysInMonth(y, m);
    if (!r.byMonthDay.some((n) => (n > 0 ? n === dom : dim + n + 1 === dom))) return false;
  }
  if (r.byDay) {
    const hit = r.byDay.some((b) => {
      if (b.weekday !== wd) return false;
      if (b.n === undefined) return true;
      // The n-th such weekday of the month (MONTHLY, or YEARLY with BYMONTH) or of the year.
      const inMonth = r.freq === "MONTHLY" || r.byMonth !== undefined;
      const pos = inMonth ? dom : (dayMs - Date.UTC(y, 0, 1)) / DAY + 1;
      const len = inMonth ? daysInMonth(y, m) : daysInYear(y);
      const nth = b.n > 0 ? Math.ceil(pos / 7) : -Math.ceil((len - pos + 1) / 7);
      return nth === b.n;
    });
    if (!hit) return false;
  }
  // What DTSTART gives when the rule does not say (RFC 5545): the weekday, the day of the month, the month.
  if (!r.byDay && !r.byMonthDay) {
    if (r.freq === "WEEKLY" && wd !== start.getUTCDay()) return false;
    if (r.freq === "MONTHLY" && dom !== start.getUTCDate()) return false;
    if (r.freq === "YEARLY" && dom !== start.getUTCDate()) return false;
  }
  if (r.freq === "YEARLY" && !r.byMonth && !r.byDay && !r.byMonthDay && m !== start.getUTCMonth()) return false;
  return true;
}

/** The rule's local times within one matching day, ascending (ms after that day's midnight). */
function timesOfDay(r: RecurrenceRule, dayMs: number, start: Date): number[] {
  const startMs = start.getTime();
  const hours = r.byHour ?? (r.freq === "HOURLY" || r.freq === "MINUTELY" ? range(24) : [start.getUTCHours()]);
  const minutes = r.byMinute ?? (r.freq === "MINUTELY" ? range(60) : [start.getUTCMinutes()]);
  const seconds = r.bySecond ?? [start.getUTCSeconds()];
  const out: number[] = [];
  for (const h of hours)
    for (const mi of minutes)
      for (const s of seconds) {
        const t = dayMs + ((h * 60 + mi) * 60 + s) * 1000;
        if (r.freq === "HOURLY" && (Math.floor(t / 3_600_000) - Math.floor(startMs / 3_600_000)) % r.interval !== 0) continue;
        if (r.freq === "MINUTELY" && (Math.floor(t / 60_000) - Math.floor(startMs / 60_000)) % r.interval !== 0) continue;
        out.push(t);
      }
  return out.sort((a, b) => a - b);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The rule's next occurrence strictly after `afterMs` (an instant), or undefined (ended, or none in the horizon). */
function nextOfRule(r: RecurrenceRule, s: Schedule, afterMs: number): number | undefined {
  const start = new Date(s.startLocalMs);
  const untilMs = r.until ? ("utcMs" in r.until ? r.until.utcMs : zonedLocalToUtc(s.timeZone, r.until.localMs)) : Number.POSITIVE_INFINITY;
  // UNTIL is the last instant that may fire (RFC 5545); endDateTime is when the schedule stops.
  const endMs = Math.min(untilMs + 1, s.endMs ?? Number.POSITIVE_INFINITY);
  if (afterMs >= endMs) return undefined;
  // With COUNT every occurrence from DTSTART counts, so the search begins there; else a day before `after`.
  const afterLocal = afterMs + zoneOffsetMs(s.timeZone, afterMs);
  const firstDay = r.count !== undefined ? dayIndex(s.startLocalMs) : Math.max(dayIndex(s.startLocalMs), dayIndex(afterLocal) - 1);
  let seen = 0;
  let examined = 0;
  let previous = Number.NEGATIVE_INFINITY;
  for (let di = firstDay; di < firstDay + HORIZON_DAYS + (r.count !== undefined ? dayIndex(afterLocal) - firstDay : 0); di++) {
    const dayMs = di * DAY;
    if (!dayMatches(r, dayMs, start)) continue;
    for (const local of timesOfDay(r, dayMs, start)) {
      if (++examined > MAX_CANDIDATES) return undefined;
      if (local < s.startLocalMs) continue;
      const at = zonedLocalToUtc(s.timeZone, local);
      if (at <= previous) continue; // a wall time repeated or skipped over by a daylight-saving change fires once
      previous = at;
      if (at >= endMs) return undefined;
      seen++;
      if (r.count !== undefined && seen > r.count) return undefined;
      if (at > afterMs) return at;
    }
  }
  return undefined;
}

/** The schedule's next occurrence strictly after `afterMs`, or undefined. */
export function nextOccurrence(s: Schedule, afterMs: number): number | undefined {
  let best: number | undefined;
  for (const r of s.rules) {
    const n = nextOfRule(r, s, afterMs);
    if (n !== undefined && (best === undefined || n < best)) best = n;
  }
  return best;
}

/** Occurrences in (fromMs, toMs], at most `max`. */
export function occurrencesBetween(s: Schedule, fromMs: number, toMs: number, max = 500): number[] {
  const out: number[] = [];
  let at = nextOccurrence(s, fromMs);
  while (at !== undefined && at <= toMs && out.length < max) {
    out.push(at);
    at = nextOccurrence(s, at);
  }
  return out;
}
