// RFC 5545 recurrence rules (RRULE lines) as Qlik Cloud's Scheduling Tasks store them: the occurrences of a
// time schedule in its IANA zone, wall-clock times kept across daylight-saving changes. A rule Steward cannot read
// is an error naming the part, never a guess; every search has a step budget no rule can exceed (RecurrenceBudgetError).
import { parseRule, type RecurrenceRule } from "./rrule-parse";
import { isKnownZone, zonedLocalToUtc, zoneOffsetMs } from "./time-zone";

export { type Freq, parseRule, type RecurrenceRule, type RuleRead } from "./rrule-parse";

export interface Schedule {
  rules: RecurrenceRule[];
  timeZone: string;
  /** The first instant the schedule may fire at, as local wall time (read as if UTC): DTSTART. */
  startLocalMs: number;
  /** No occurrence at or after this instant. */
  endMs?: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Days searched ahead at most (a rule that never matches, or fires once a decade, ends the search here). */
const HORIZON_DAYS = 366 * 30;
/**
 * Steps one search may take at most: a step is a day looked at or a candidate time generated, each a bounded
 * amount of work (lists are deduplicated, so a day costs at most a few hundred comparisons). A MINUTELY rule with
 * COUNT counted from a start months ago, or a rule firing every second, needs more and is refused, not computed.
 */
export const MAX_STEPS_PER_SEARCH = 100_000;
/** A time-zone conversion costs about as much as this many steps (Intl look-ups are slow), so it is charged so. */
const ZONE_STEPS = 40;

/** Steps left to a caller that makes many searches (the watchdog, per task and pass); each search also has its own cap. */
export interface StepBudget {
  left: number;
}

/** A search that would take more steps than its budget: the rule is too costly to follow, not "no occurrence". */
export class RecurrenceBudgetError extends Error {
  constructor(readonly steps: number) {
    super(`working out its next occurrence takes more than ${steps} steps (a rule firing very often, or COUNT counted from long ago)`);
    this.name = "RecurrenceBudgetError";
  }
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
function timesOfDay(r: RecurrenceRule, dayMs: number, start: Date, steps: Steps): number[] {
  const startMs = start.getTime();
  const hours = r.byHour ?? (r.freq === "HOURLY" || r.freq === "MINUTELY" ? range(24) : [start.getUTCHours()]);
  const minutes = r.byMinute ?? (r.freq === "MINUTELY" ? range(60) : [start.getUTCMinutes()]);
  const seconds = r.bySecond ?? [start.getUTCSeconds()];
  // Paid before the times are built: a day of a rule firing every second is 86,400 of them.
  steps.take(hours.length * minutes.length * seconds.length);
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

/** Counts a search's steps against its own cap and the caller's budget; throws once either is spent. */
export interface Steps {
  take(n: number): void;
}

function stepsFor(budget: StepBudget | undefined): Steps {
  const cap = Math.min(MAX_STEPS_PER_SEARCH, budget?.left ?? MAX_STEPS_PER_SEARCH);
  let used = 0;
  return {
    take(n) {
      used += n;
      if (budget) budget.left -= n;
      if (used > cap) throw new RecurrenceBudgetError(cap);
    },
  };
}

/**
 * Local wall times of one day to instants, each zone look-up charged. A day with no daylight-saving change has one
 * offset throughout (its midnight and the next one, shared with the following day, tell). On the day of a change the
 * offset changes once: each local hour converts its first and last second, and an hour whose two agree converts its
 * other times by the same offset; only the hour holding the change converts each time on its own. (Converting every
 * time of such a day on its own made an every-minute rule cost 60,000 steps there, and spent a look's share.)
 * Exported for its test.
 */
export function dayConverter(zone: string, steps: Steps): (dayMs: number) => (local: number) => number {
  const midnights = new Map<number, number>();
  const midnight = (dayMs: number) => {
    let at = midnights.get(dayMs);
    if (at === undefined) {
      steps.take(ZONE_STEPS);
      at = zonedLocalToUtc(zone, dayMs);
      if (midnights.size > 2) midnights.clear();
      midnights.set(dayMs, at);
    }
    return at;
  };
  const convert = (local: number) => {
    steps.take(ZONE_STEPS);
    return zonedLocalToUtc(zone, local);
  };
  return (dayMs) => {
    const from = midnight(dayMs);
    if (midnight(dayMs + DAY) - from === DAY) return (local) => local - (dayMs - from);
    /** Per local hour of the day: its offset when the whole hour has one, NaN for the hour of the change. */
    const hours = new Map<number, number>();
    return (local) => {
      const hour = Math.floor(local / HOUR);
      let offset = hours.get(hour);
      if (offset === undefined) {
        const start = hour * HOUR;
        const last = start + HOUR - 1_000;
        const atStart = start - convert(start);
        offset = atStart === last - convert(last) ? atStart : Number.NaN;
        hours.set(hour, offset);
      }
      return Number.isNaN(offset) ? convert(local) : local - offset;
    };
  };
}

/** The rule's next occurrence strictly after `afterMs` (an instant), or undefined (ended, or none in the horizon). */
function nextOfRule(r: RecurrenceRule, s: Schedule, afterMs: number, steps: Steps): number | undefined {
  const start = new Date(s.startLocalMs);
  const untilMs = r.until ? ("utcMs" in r.until ? r.until.utcMs : zonedLocalToUtc(s.timeZone, r.until.localMs)) : Number.POSITIVE_INFINITY;
  // UNTIL is the last instant that may fire (RFC 5545); endDateTime is when the schedule stops.
  const endMs = Math.min(untilMs + 1, s.endMs ?? Number.POSITIVE_INFINITY);
  if (afterMs >= endMs) return undefined;
  // With COUNT every occurrence from DTSTART counts, so the search begins there; else a day before `after`.
  const afterLocal = afterMs + zoneOffsetMs(s.timeZone, afterMs);
  const firstDay = r.count !== undefined ? dayIndex(s.startLocalMs) : Math.max(dayIndex(s.startLocalMs), dayIndex(afterLocal) - 1);
  let seen = 0;
  let previous = Number.NEGATIVE_INFINITY;
  const converterOf = dayConverter(s.timeZone, steps);
  for (let di = firstDay; di < firstDay + HORIZON_DAYS + (r.count !== undefined ? dayIndex(afterLocal) - firstDay : 0); di++) {
    steps.take(1);
    const dayMs = di * DAY;
    if (!dayMatches(r, dayMs, start)) continue;
    const toUtc = converterOf(dayMs);
    for (const local of timesOfDay(r, dayMs, start, steps)) {
      if (local < s.startLocalMs) continue;
      const at = toUtc(local);
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

/**
 * The schedule's next occurrence strictly after `afterMs`, or undefined. Throws RecurrenceBudgetError when the
 * search would pass MAX_STEPS_PER_SEARCH steps or what is left of `budget` (which it draws down).
 */
export function nextOccurrence(s: Schedule, afterMs: number, budget?: StepBudget): number | undefined {
  const steps = stepsFor(budget);
  let best: number | undefined;
  for (const r of s.rules) {
    const n = nextOfRule(r, s, afterMs, steps);
    if (n !== undefined && (best === undefined || n < best)) best = n;
  }
  return best;
}

/** Occurrences in (fromMs, toMs], at most `max`; each search draws on `budget` when given. */
export function occurrencesBetween(s: Schedule, fromMs: number, toMs: number, max = 500, budget?: StepBudget): number[] {
  const out: number[] = [];
  let at = nextOccurrence(s, fromMs, budget);
  while (at !== undefined && at <= toMs && out.length < max) {
    out.push(at);
    at = nextOccurrence(s, at, budget);
  }
  return out;
}
