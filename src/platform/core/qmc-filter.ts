// Reads a QMC schema trigger's `schemaFilterDescription` (eight space-separated fields) into sets of allowed values.
// Only shapes the public sources below show are read; anything else is an error, and the watchdog then judges the
// trigger by QRS's own next execution time alone (or lists it as not watched when QRS states none).
//
// Sources (facts only, no code copied):
// - data-master.org, "Qlik Tricks and Tips #1: QS Custom Scheduling QMC" (2024): positions 0 minute, 1 hour,
//   2 weekday prefix (1–4 = first…fourth, '¤' = last, '-' = none), 3 weekday (0–6, Sunday 0), 4 weekly interval,
//   5 day of month (1–31, '¤' = last), 6 month (1–12), 7 monthly interval.
// - Informatiqal/qlik-repo-api src/util/schemaTrigger.ts: the QMC's weekly trigger is incrementDescription "0 0 1 0"
//   with "* * - <weekdays> <every n weeks> * * *"; monthly is "0 0 1 0" with "* * - * * <days of month> * *";
//   once/minute/hourly/daily use "* * - * * * * *".
// - Community scripts (qlik-cli examples, PowerShell Qlik-Cli Update-QlikReloadTask): daily "0 0 1 0" with
//   "* * - * * * * *"; ptarmiganlabs/ctrl-q lookups: daylightSavingTime 0 observe, 1 permanent standard time,
//   2 permanent daylight-saving time.
// - A community PowerShell sample that creates a QRS reload task with a custom trigger writes weekdays Monday–Friday
//   as "* * - * 1-5 * * *" (the range in the weekly-interval position, the weekday position "*"); a list or range of
//   0–6 there, with no weekday of its own, is read as those weekdays every week.

export interface QmcFilter {
  /** Undefined = any. Local minute 0–59 and hour 0–23 of a fire. */
  minutes?: ReadonlySet<number>;
  hours?: ReadonlySet<number>;
  /** Local weekday 0–6, Sunday 0. */
  weekdays?: ReadonlySet<number>;
  /** With weekdays in a monthly trigger: only the nth (1–4) such weekday of the month, or the last (5). */
  weekdayOccurrence?: ReadonlySet<number>;
  everyWeeks: number;
  /** Day of month 1–31; 32 stands for the last day of the month. */
  daysOfMonth?: ReadonlySet<number>;
  months?: ReadonlySet<number>;
  everyMonths: number;
}

export const LAST_DAY = 32;
const LAST = "\u00a4"; // '¤', the QMC's "last"
const FIELD_NAMES = ["minute", "hour", "weekday prefix", "weekday", "weekly interval", "day of month", "month", "monthly interval"];

export type FilterRead = { ok: true; filter: QmcFilter } | { ok: false; error: string };

/** Parses one filter string; the error names the field and the text Steward could not read. */
export function parseQmcFilter(text: string): FilterRead {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 8) return { ok: false, error: `schemaFilterDescription '${clip(text)}' has ${fields.length} fields, not 8` };
  const sets: (Set<number> | undefined)[] = [];
  const limits: [number, number, boolean][] = [
    [0, 59, false],
    [0, 23, false],
    [1, 4, true],
    [0, 6, false],
    [1, 520, false],
    [1, 31, true],
    [1, 12, false],
    [1, 120, false],
  ];
  // The community form: weekdays written in the weekly-interval position (see the sources above).
  const weekdaysInInterval = fields[3] === "*" && /[-,]/.test(fields[4]!) && fields[4] !== "-" ? readList(fields[4]!, 0, 6, false) : undefined;
  if (weekdaysInInterval) {
    fields[3] = fields[4]!;
    fields[4] = "*";
  }
  for (let i = 0; i < 8; i++) {
    const f = fields[i]!;
    if (f === "*" || (f === "-" && (i === 2 || i === 4 || i === 7))) {
      sets.push(undefined);
      continue;
    }
    const [lo, hi, lastAllowed] = limits[i]!;
    const s = readList(f, lo, hi, lastAllowed);
    if (!s)
      return {
        ok: false,
        error: `schemaFilterDescription '${clip(text)}': ${FIELD_NAMES[i]} '${clip(f)}' is not a list of ${lo}–${hi}${lastAllowed ? " or ¤" : ""}`,
      };
    sets.push(s);
  }
  const single = (s: Set<number> | undefined, name: string): number | string => {
    if (!s) return 1;
    if (s.size !== 1) return `${name} must be one number`;
    return [...s][0]!;
  };
  const everyWeeks = single(sets[4], "weekly interval");
  const everyMonths = single(sets[7], "monthly interval");
  if (typeof everyWeeks === "string" || typeof everyMonths === "string")
    return { ok: false, error: `schemaFilterDescription '${clip(text)}': ${typeof everyWeeks === "string" ? everyWeeks : everyMonths}` };
  if (sets[2] && !sets[3]) return { ok: false, error: `schemaFilterDescription '${clip(text)}': a weekday prefix without a weekday` };
  const filter: QmcFilter = { everyWeeks, everyMonths };
  if (sets[0]) filter.minutes = sets[0];
  if (sets[1]) filter.hours = sets[1];
  if (sets[2]) filter.weekdayOccurrence = sets[2];
  if (sets[3]) filter.weekdays = sets[3];
  if (sets[5]) filter.daysOfMonth = sets[5];
  if (sets[6]) filter.months = sets[6];
  return { ok: true, filter };
}

/** "1,3,5", "1-5", "7-17,20" or "¤"; undefined when anything else is in it. */
function readList(f: string, lo: number, hi: number, lastAllowed: boolean): Set<number> | undefined {
  if (f.length > 200) return undefined;
  const out = new Set<number>();
  for (const part of f.split(",")) {
    if (part === LAST && lastAllowed) {
      out.add(hi + 1);
      continue;
    }
    const m = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(part);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a < lo || b > hi || b < a) return undefined;
    for (let v = a; v <= b; v++) out.add(v);
  }
  return out;
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
