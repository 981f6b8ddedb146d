// The two other time schedules Qlik's Scheduling Task type allows beside an RRULE (`start.schedule.cron` and
// `start.schedule.interval`, or `start.schedule` as a bare string, the Serverless Workflow's repeating interval), each
// turned into the RRULE line Steward's recurrence reader follows. A form it cannot turn exactly is an error naming the
// part, never an approximation: a wrong due time would page a missed run that was never due.

const DURATION = /^P(?:(\d+)W|(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)$/i;

/**
 * An ISO 8601 repeating interval (`R/PT1H`, `R/2026-01-01T06:00:00Z/P1D`, `R5/…` is refused: a count of repeats is
 * not a schedule Steward follows) as an RRULE line and the start it names, if any.
 */
export function intervalToRule(value: string): { ok: true; rule: string; start?: string } | { ok: false; error: string } {
  const parts = value.trim().split("/");
  if (parts[0]?.toUpperCase() !== "R") return { ok: false, error: `'${value.slice(0, 80)}' is not a repeating interval without a count (R/…)` };
  const start = parts.length === 3 ? parts[1] : undefined;
  const duration = parts.length === 3 ? parts[2]! : parts.length === 2 ? parts[1]! : "";
  if (parts.length === 3 && !Number.isFinite(Date.parse(start!)))
    return { ok: false, error: `'${value.slice(0, 80)}': its start '${start}' is not a date-time (a duration before the end is not read)` };
  const m = DURATION.exec(duration);
  if (!m) return { ok: false, error: `'${value.slice(0, 80)}': '${duration}' is not a duration Steward reads (weeks, days, hours, minutes)` };
  const [, w, d, h, min, s] = m.map((x) => (x === undefined ? 0 : Number(x))) as number[];
  // One unit only: "P1DT2H" has no RRULE of its own (it drifts against the calendar).
  const units = [
    ["WEEKLY", w],
    ["DAILY", d],
    ["HOURLY", h],
    ["MINUTELY", min],
  ].filter(([, n]) => (n as number) > 0) as Array<[string, number]>;
  if (s || units.length !== 1) return { ok: false, error: `'${value.slice(0, 80)}': only a whole number of one unit (weeks, days, hours or minutes) is read` };
  const [freq, n] = units[0]!;
  return { ok: true, rule: `RRULE:FREQ=${freq};INTERVAL=${n}`, ...(start ? { start } : {}) };
}

const CRON_FIELDS = [
  { name: "minute", min: 0, max: 59, rrule: "BYMINUTE" },
  { name: "hour", min: 0, max: 23, rrule: "BYHOUR" },
  { name: "day of month", min: 1, max: 31, rrule: "BYMONTHDAY" },
  { name: "month", min: 1, max: 12, rrule: "BYMONTH" },
  { name: "day of week", min: 0, max: 7, rrule: "BYDAY" },
] as const;
const WEEKDAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/** The values one cron field allows (`*`, lists, ranges and steps), or undefined for `*` (every value). */
function cronValues(field: string, f: (typeof CRON_FIELDS)[number]): number[] | undefined | string {
  if (field === "*" || field === "?") return undefined;
  const out = new Set<number>();
  for (const part of field.split(",")) {
    const m = /^(\*|\d{1,2})(?:-(\d{1,2}))?(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) return `its ${f.name} '${part}' is not a number, range or step`;
    const from = m[1] === "*" ? f.min : Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : m[1] === "*" || m[3] !== undefined ? f.max : from;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (from < f.min || to > f.max || from > to || step < 1) return `its ${f.name} '${part}' is out of range (${f.min}-${f.max})`;
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/** A five-field cron expression (minute hour day-of-month month day-of-week) as one RRULE line with BYSECOND=0. */
export function cronToRule(expression: string): { ok: true; rule: string } | { ok: false; error: string } {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return { ok: false, error: `cron '${expression.slice(0, 80)}' has ${fields.length} fields, not 5 (minute hour day month weekday)` };
  const parts: string[] = [];
  const values: Array<number[] | undefined> = [];
  for (const [i, f] of CRON_FIELDS.entries()) {
    const v = cronValues(fields[i]!, f);
    if (typeof v === "string") return { ok: false, error: `cron '${expression.slice(0, 80)}': ${v}` };
    values.push(v);
    if (!v) continue;
    parts.push(`${f.rrule}=${f.rrule === "BYDAY" ? [...new Set(v.map((d) => WEEKDAYS[d]))].join(",") : v.join(",")}`);
  }
  // cron runs when EITHER day field matches if both are restricted; an RRULE needs both: not the same schedule.
  if (values[2] && values[4]) return { ok: false, error: `cron '${expression.slice(0, 80)}' restricts both the day of month and the day of week` };
  // The coarsest frequency the minute and hour fields allow: the BY parts expand it (a daily rule costs a day per
  // step to follow, a minutely one a minute).
  const freq = values[0] ? (values[1] ? "DAILY" : "HOURLY") : "MINUTELY";
  return { ok: true, rule: `RRULE:FREQ=${freq};BYSECOND=0${parts.length ? `;${parts.join(";")}` : ""}` };
}
