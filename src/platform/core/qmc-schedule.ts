// When a QMC schema trigger fires next: its increment, its whole filter (weekdays, days of month incl. the last,
// hours and minutes), its time zone and daylight-saving option, read as docs/watchdog.md states. The watchdog's
// fallback behind QRS's own next execution time, and bounded: no trigger, however strange its dates, costs more than
// QMC_STEP_BUDGET steps per computation.
import { LAST_DAY, type QmcFilter } from "./qmc-filter";
import { zoneOffsetMs } from "./time-zone";

export interface QmcSchedule {
  /** 0 once, 1 hourly, 2 daily, 3 weekly, 4 monthly, 5 custom. */
  option: 0 | 1 | 2 | 3 | 4 | 5;
  /** incrementDescription "minutes hours days weeks". */
  increment: readonly [number, number, number, number];
  filter: QmcFilter;
  /** startDate as wall time in the zone, its fields read as UTC (ms). */
  startLocalMs: number;
  /**
   * The start as an instant, when startDate names one (it ends in `Z` or an offset): a once and a minute/hour grid
   * start there; startLocalMs is then its wall time in the zone (docs/watchdog.md, "How Steward reads a trigger").
   */
  startUtcMs?: number;
  timeZone: string;
  /** 0 observe daylight-saving time, 1 permanent standard time, 2 permanent daylight-saving time. */
  daylightSaving: 0 | 1 | 2;
  /** expirationDate as wall time in the zone, read like startLocalMs: fires only before it (Infinity = never expires). */
  expiresLocalMs: number;
  /** The expiry as an instant, when expirationDate names one (read like startUtcMs); wins over expiresLocalMs. */
  expiresUtcMs?: number;
}

/**
 * Steps (candidate days or fire times looked at, a time-zone look-up counting ZONE_LOOKUP_STEPS) one computation may
 * take; past it the answer is "not known". One step's work may carry the count past it by at most five look-ups.
 */
export const QMC_STEP_BUDGET = 5_000;

/** A trigger whose next fire is further than this from the time asked has none (docs/watchdog.md). */
export const QMC_HORIZON_MS = 5 * 366 * 86_400_000;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export interface StepCounter {
  steps: number;
}

/**
 * The first fire strictly after `afterMs`, or undefined: a past "once", expired, or none found within the budget
 * (a filter that no calendar day meets, such as February 30th). Option 0 or no increment at all is a "once";
 * day and week steps keep the start's wall time on every matching local day; minute and hour steps are a fixed grid
 * in real time whose fires are kept when their local time passes the filter (the QMC's office-hours triggers).
 * Whatever the option: the increment says how the trigger steps, the filter which steps fire.
 */
export function nextQmcFire(s: QmcSchedule, afterMs: number, counter: StepCounter = { steps: 0 }): number | undefined {
  if (!Number.isFinite(afterMs) || !Number.isFinite(s.startLocalMs)) return undefined;
  const clock = wallClock(s.timeZone, s.daylightSaving, counter);
  const expiresMs = s.expiresUtcMs ?? (Number.isFinite(s.expiresLocalMs) ? clock.toUtc(s.expiresLocalMs) : Number.POSITIVE_INFINITY);
  const [m, h, d, w] = s.increment;
  let next: number | undefined;
  if (s.option === 0 || m + h + d + w === 0) {
    const first = s.startUtcMs ?? clock.toUtc(s.startLocalMs);
    next = first > afterMs ? first : undefined;
  } else if (m === 0 && h === 0) next = nextByDays(s, afterMs, expiresMs, clock, counter);
  else next = nextBySteps(s, afterMs, expiresMs, clock, counter);
  return next !== undefined && next > afterMs && next < expiresMs && next <= afterMs + QMC_HORIZON_MS ? next : undefined;
}

interface WallClock {
  toUtc(localMs: number): number;
  toLocal(utcMs: number): number;
}

/**
 * Observe: the zone's rules. Permanent standard / daylight time: the zone's smaller / larger offset of that year.
 * Offsets are remembered for up to a week at a time (no zone changes its clocks and back within a week), so a
 * computation asks the runtime's time-zone data (about 13 µs a call) a few times per week it looks at. Each such
 * look costs ZONE_LOOKUP_STEPS of the budget, so triggers with long steps cannot make the budget slow.
 */
function wallClock(zone: string, dst: 0 | 1 | 2, counter: StepCounter): WallClock {
  const perYear = new Map<number, number>();
  const raw =
    dst === 0
      ? (u: number) => zoneOffsetMs(zone, u)
      : (u: number) => {
          const y = new Date(u).getUTCFullYear();
          let v = perYear.get(y);
          if (v === undefined) perYear.set(y, (v = fixedOffset(zone, y, dst)));
          return v;
        };
  const offset = cachedOffset(raw, counter);
  return {
    // The wall time under the offsets of half a day before and after it: the one that reads back as this wall time,
    // the later of two (a fall-back overlap is read as standard time), or, in a spring-forward gap, the offset from
    // before the change (02:30 becomes 03:30 on the new clock). Western and eastern zones alike.
    toUtc: (l) => {
      const before = l - offset(l - 12 * HOUR);
      const after = l - offset(l + 12 * HOUR);
      const beforeFits = before + offset(before) === l;
      const afterFits = after + offset(after) === l;
      if (beforeFits && afterFits) return Math.max(before, after);
      if (afterFits) return after;
      return before;
    },
    toLocal: (u) => u + offset(u),
  };
}

/** The wall time (its fields read as UTC) an instant shows in a trigger's zone under its daylight-saving option. */
export function qmcWallTimeOf(zone: string, daylightSaving: 0 | 1 | 2, utcMs: number): number {
  return wallClock(zone, daylightSaving, { steps: 0 }).toLocal(utcMs);
}

export const ZONE_LOOKUP_STEPS = 4;

function fixedOffset(zone: string, year: number, dst: 1 | 2): number {
  const jan = new Date(0);
  jan.setUTCFullYear(year, 0, 15);
  const jul = new Date(0);
  jul.setUTCFullYear(year, 6, 15);
  const a = zoneOffsetMs(zone, jan.getTime());
  const b = zoneOffsetMs(zone, jul.getTime());
  return dst === 1 ? Math.min(a, b) : Math.max(a, b);
}

function cachedOffset(raw: (u: number) => number, counter: StepCounter): (u: number) => number {
  let lo = Number.NaN;
  let hi = Number.NaN;
  let value = 0;
  return (u) => {
    if (u >= lo && u <= hi) return value;
    counter.steps += ZONE_LOOKUP_STEPS;
    const a = raw(u);
    if (raw(u + 7 * DAY) === a) {
      lo = u;
      hi = u + 7 * DAY;
      value = a;
    }
    return a;
  };
}

const weekdayOf = (day: number) => (((day + 4) % 7) + 7) % 7; // day 0 (1970-01-01) was a Thursday
const mondayIndex = (day: number) => (weekdayOf(day) + 6) % 7;

/** Day and week steps: every `days + 7·weeks` local days from the start's day, at the start's wall time. */
function nextByDays(s: QmcSchedule, afterMs: number, expiresMs: number, clock: WallClock, counter: StepCounter): number | undefined {
  const step = s.increment[2] + 7 * s.increment[3];
  const startDay = Math.floor(s.startLocalMs / DAY);
  const timeOfDay = s.startLocalMs - startDay * DAY;
  const start = civil(startDay);
  const startMonth = start.y * 12 + start.m - 1;
  const startWeek = startDay - mondayIndex(startDay);
  // An old-style monthly trigger (no days in its filter) fires on the start's day of month.
  const f = s.filter;
  const impliedDom = s.option === 4 && !f.daysOfMonth && !f.weekdays ? start.d : undefined;
  let day = Math.max(startDay, Math.floor(clock.toLocal(afterMs) / DAY) - 1);
  if (step > 1) day = startDay + Math.ceil((day - startDay) / step) * step;
  const lastDay = Number.isFinite(expiresMs) ? Math.floor(s.expiresLocalMs / DAY) + 1 : Number.POSITIVE_INFINITY;
  for (; counter.steps < QMC_STEP_BUDGET && day <= lastDay; day += step) {
    counter.steps++;
    if (!Number.isFinite(day * DAY + timeOfDay)) return undefined;
    if (dayMatches(f, day, impliedDom, startMonth, startWeek) && timeMatches(f, timeOfDay)) {
      const at = clock.toUtc(day * DAY + timeOfDay);
      if (at > afterMs) return at;
    }
  }
  return undefined;
}

/** Year, month (1–12) and day of a day number (days since 1970-01-01), by integer arithmetic: no Date per step. */
function civil(dayNumber: number): { y: number; m: number; d: number } {
  const z = dayNumber + 719_468; // days from 0000-03-01
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1_460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d: doy - Math.floor((153 * mp + 2) / 5) + 1 };
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Whether the local day passes the day parts of the filter; `start*` are the trigger's first month and week. */
function dayMatches(f: QmcFilter, day: number, impliedDom: number | undefined, startMonth: number, startWeek: number): boolean {
  const { y, m, d: dom } = civil(day);
  const daysInMonth = m === 2 && leap(y) ? 29 : MONTH_DAYS[m - 1]!;
  if (f.months && !f.months.has(m)) return false;
  if (f.everyMonths > 1 && (y * 12 + m - 1 - startMonth) % f.everyMonths !== 0) return false;
  if (impliedDom !== undefined && dom !== impliedDom) return false;
  if (f.daysOfMonth && !f.daysOfMonth.has(dom) && !(f.daysOfMonth.has(LAST_DAY) && dom === daysInMonth)) return false;
  if (f.weekdays && !f.weekdays.has(weekdayOf(day))) return false;
  if (f.weekdayOccurrence) {
    const nth = Math.ceil(dom / 7);
    if (!f.weekdayOccurrence.has(nth) && !(f.weekdayOccurrence.has(5) && dom + 7 > daysInMonth)) return false;
  }
  if (f.everyWeeks > 1 && Math.floor((day - startWeek) / 7) % f.everyWeeks !== 0) return false;
  return true;
}

function timeMatches(f: QmcFilter, localTimeOfDay: number): boolean {
  if (f.hours && !f.hours.has(Math.floor(localTimeOfDay / HOUR))) return false;
  if (f.minutes && !f.minutes.has(Math.floor((localTimeOfDay % HOUR) / MIN))) return false;
  return true;
}

/** Minute/hour steps: a fixed real-time grid from the first fire; a fire outside the filter is skipped, by jumps. */
function nextBySteps(s: QmcSchedule, afterMs: number, expiresMs: number, clock: WallClock, counter: StepCounter): number | undefined {
  const [m, h, d, w] = s.increment;
  const step = m * MIN + h * HOUR + d * DAY + w * 7 * DAY;
  const first = s.startUtcMs ?? clock.toUtc(s.startLocalMs);
  const startDay = Math.floor(s.startLocalMs / DAY);
  const start = civil(startDay);
  const startMonth = start.y * 12 + start.m - 1;
  const startWeek = startDay - mondayIndex(startDay);
  const f = s.filter;
  const gridAtOrAfter = (t: number) => first + Math.max(0, Math.ceil((t - first) / step)) * step;
  let at = first > afterMs ? first : gridAtOrAfter(afterMs + 1);
  const dayOk = (day: number) => dayMatches(f, day, undefined, startMonth, startWeek);
  while (counter.steps < QMC_STEP_BUDGET) {
    counter.steps++;
    if (!Number.isFinite(at) || at >= expiresMs) return undefined;
    const local = clock.toLocal(at);
    const day = Math.floor(local / DAY);
    if (!Number.isFinite(local)) return undefined;
    const tod = local - day * DAY;
    if (!dayOk(day)) {
      // The next day the filter allows, found by calendar arithmetic; then the grid from an hour before its local
      // midnight, so a daylight-saving change at midnight cannot make us jump past a fire.
      let d = day + 1;
      while (counter.steps < QMC_STEP_BUDGET && !dayOk(d)) {
        counter.steps++;
        d++;
      }
      at = gridAtOrAfter(Math.max(at + 1, clock.toUtc(d * DAY) - HOUR));
      continue;
    }
    if (f.hours && !f.hours.has(Math.floor(tod / HOUR))) {
      at = gridAtOrAfter(at + (HOUR - (tod % HOUR)));
      continue;
    }
    if (timeMatches(f, tod)) return at;
    at += step;
  }
  return undefined;
}
