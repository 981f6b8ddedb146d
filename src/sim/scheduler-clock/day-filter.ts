// The simulated Scheduler's reading of a trigger's schemaFilterDescription: eight fields (minute, hour, weekday
// prefix, weekday, weekly interval, day of month, month, monthly interval), as docs/watchdog.md states them. Written
// apart from Steward's src/platform/core/qmc-filter.ts.

export interface DayFilter {
  minutes: number[] | "any";
  hours: number[] | "any";
  /** 1–4 the nth such weekday of the month, 5 the last one; "any" without a prefix. */
  nth: number[] | "any";
  /** 0 Sunday … 6 Saturday. */
  weekdays: number[] | "any";
  everyWeeks: number;
  /** 1–31, and 99 for the month's last day. */
  monthDays: number[] | "any";
  months: number[] | "any";
  everyMonths: number;
}

export const LAST_OF_MONTH = 99;
const CURRENCY_SIGN = "\u00a4"; // the QMC writes "last" as ¤

/** A field's values, "any", or `{ error }` naming what could not be read. */
type Field = number[] | "any" | { error: string };

/** One field: "*" any, or comma-joined items `a` / `a-b` within lo…hi; `¤` (when allowed) is `last`. An error is a string. */
function field(text: string, name: string, lo: number, hi: number, last?: number): Field {
  if (text === "*") return "any";
  if (text.length > 300) return { error: `${name} is too long` };
  const values = new Set<number>();
  for (const item of text.split(",")) {
    if (item === CURRENCY_SIGN && last !== undefined) {
      values.add(last);
      continue;
    }
    const m = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(item);
    if (!m) return { error: `${name} '${text}' is not a list of ${lo}–${hi}` };
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < lo || to > hi || to < from) return { error: `${name} '${text}' is not a list of ${lo}–${hi}` };
    for (let v = from; v <= to; v++) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

const isSingle = (text: string) => /^\d{1,3}$/.test(text);

/** The filter, or a sentence saying which field could not be read. */
export function readDayFilter(text: string): DayFilter | string {
  const f = text.trim().split(/\s+/);
  if (f.length !== 8) return `the filter '${text.slice(0, 60)}' has ${f.length} fields, not 8`;
  let [min, hour, prefix, weekday, weekly, mday, month, monthly] = f as [string, string, string, string, string, string, string, string];
  // Weekdays written where the weekly interval goes ("* * - * 1-5 * * *"), with no weekday field of their own.
  if (weekday === "*" && weekly !== "-" && weekly !== "*" && !isSingle(weekly) && Array.isArray(field(weekly, "", 0, 6))) {
    weekday = weekly;
    weekly = "*";
  }
  const minutes = field(min, "minute", 0, 59);
  const hours = field(hour, "hour", 0, 23);
  const nth = prefix === "-" ? "any" : field(prefix, "weekday prefix", 1, 4, 5);
  const weekdays = field(weekday, "weekday", 0, 6);
  const months = field(month, "month", 1, 12);
  const monthDays = field(mday, "day of month", 1, 31, LAST_OF_MONTH);
  for (const x of [minutes, hours, nth, weekdays, months, monthDays]) if (typeof x === "object" && "error" in x) return x.error;
  const interval = (text: string, name: string, hi: number): number | string => {
    if (text === "*" || text === "-") return 1;
    if (!isSingle(text) || Number(text) < 1 || Number(text) > hi) return `${name} '${text}' must be one number 1–${hi}`;
    return Number(text);
  };
  const everyWeeks = interval(weekly, "weekly interval", 520);
  const everyMonths = interval(monthly, "monthly interval", 120);
  if (typeof everyWeeks === "string") return everyWeeks;
  if (typeof everyMonths === "string") return everyMonths;
  if (nth !== "any" && weekdays === "any") return "a weekday prefix needs a weekday";
  return {
    minutes: minutes as DayFilter["minutes"],
    hours: hours as DayFilter["hours"],
    nth: nth as DayFilter["nth"],
    weekdays: weekdays as DayFilter["weekdays"],
    everyWeeks,
    monthDays: monthDays as DayFilter["monthDays"],
    months: months as DayFilter["months"],
    everyMonths,
  };
}

const has = (set: number[] | "any", v: number) => set === "any" || set.includes(v);

/** A local calendar day, from a wall time read as UTC (ms). */
export interface LocalDay {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  /** 0 Sunday … 6 Saturday */
  weekday: number;
  daysInMonth: number;
  /** Whole days since 1970-01-01 (local). */
  index: number;
}

export function localDay(wall: number): LocalDay {
  const d = new Date(wall);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 1;
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0);
  return { year, month, day: d.getUTCDate(), weekday: d.getUTCDay(), daysInMonth: last.getUTCDate(), index: Math.floor(wall / 86_400_000) };
}

/** Whether a local day passes the day fields; `start` is the trigger's first local day (for every-n weeks and months). */
export function dayPasses(f: DayFilter, d: LocalDay, start: LocalDay, impliedMonthDay?: number): boolean {
  if (!has(f.months, d.month)) return false;
  if ((d.year * 12 + d.month - (start.year * 12 + start.month)) % f.everyMonths !== 0) return false;
  if (impliedMonthDay !== undefined && d.day !== impliedMonthDay) return false;
  if (f.monthDays !== "any" && !f.monthDays.includes(d.day) && !(f.monthDays.includes(LAST_OF_MONTH) && d.day === d.daysInMonth)) return false;
  if (!has(f.weekdays, d.weekday)) return false;
  if (f.nth !== "any") {
    const nthOfMonth = Math.floor((d.day - 1) / 7) + 1;
    const isLast = d.day + 7 > d.daysInMonth;
    if (!f.nth.includes(nthOfMonth) && !(f.nth.includes(5) && isLast)) return false;
  }
  if (f.everyWeeks > 1) {
    // Weeks begin on Monday; count from the Monday of the start's week.
    const monday = (x: LocalDay) => x.index - ((x.weekday + 6) % 7);
    if (((monday(d) - monday(start)) / 7) % f.everyWeeks !== 0) return false;
  }
  return true;
}

/** Whether a local time of day (ms since local midnight) passes the hour and minute fields. */
export function timePasses(f: DayFilter, msOfDay: number): boolean {
  return has(f.hours, Math.floor(msOfDay / 3_600_000)) && has(f.minutes, Math.floor((msOfDay % 3_600_000) / 60_000));
}
