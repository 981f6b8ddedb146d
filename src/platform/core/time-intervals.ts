// Business hours on routes: weekdays and times of day in a time zone. A route with activeTimes takes an event only
// when its time (receivedAt) falls inside; one with mutedTimes only when it falls outside. Evaluated on the event's
// own time, so a preview, a retry and two Stewards decide the same.
import { z } from "zod";
import { isKnownZone } from "./time-zone";

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const DAY_RE = /^(sun|mon|tue|wed|thu|fri|sat)[a-z]*(?:-(sun|mon|tue|wed|thu|fri|sat)[a-z]*)?$/i;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** "mon-fri" → [1..5]; "sat-sun" wraps: [6, 0]. */
function dayNumbers(spec: string): number[] {
  const m = DAY_RE.exec(spec.trim())!;
  const a = DAYS.indexOf(m[1]!.toLowerCase() as (typeof DAYS)[number]);
  if (!m[2]) return [a];
  const b = DAYS.indexOf(m[2].toLowerCase() as (typeof DAYS)[number]);
  const out: number[] = [];
  for (let d = a; ; d = (d + 1) % 7) {
    out.push(d);
    if (d === b) break;
  }
  return out;
}

const TimeRangeSchema = z
  .strictObject({
    from: z.string().regex(TIME_RE, 'a time of day like "08:00"').describe("Start, inclusive (HH:MM)."),
    to: z.string().regex(TIME_RE, 'a time of day like "17:00" (or "24:00")').describe("End, exclusive (HH:MM; 24:00 for midnight)."),
  })
  .refine((r) => !TIME_RE.test(r.from) || !TIME_RE.test(r.to) || minutes(r.from) < minutes(r.to), {
    message: 'to must be after from; a range over midnight is two ranges ("22:00"-"24:00" and "00:00"-"06:00")',
    path: ["to"],
  });

export const TimeIntervalsSchema = z
  .strictObject({
    timeZone: z
      .string()
      .default("UTC")
      .refine((z) => isKnownZone(z), { message: "an IANA time zone like Europe/Stockholm" })
      .describe("IANA zone the weekdays and times are in (daylight saving followed)."),
    intervals: z
      .array(
        z.strictObject({
          weekdays: z
            .array(z.string().regex(DAY_RE, 'a weekday like "mon" or a range like "mon-fri"'))
            .min(1)
            .optional()
            .describe('Weekdays, e.g. ["mon-fri"] or ["sat", "sun"]; default: every day.'),
          times: z.array(TimeRangeSchema).min(1).optional().describe("Times of day; default: the whole day."),
        }),
      )
      .min(1)
      .describe("Inside when any interval holds: its weekday and one of its times."),
  })
  .describe("Weekdays and times of day in a time zone.");

export type TimeIntervals = z.infer<typeof TimeIntervalsSchema>;

const formatters = new Map<string, Intl.DateTimeFormat>();
function localParts(ms: number, timeZone: string): { day: number; minute: number } {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(ms))) p[part.type] = part.value;
  return { day: DAYS.indexOf((p.weekday ?? "").toLowerCase().slice(0, 3) as (typeof DAYS)[number]), minute: Number(p.hour) * 60 + Number(p.minute) };
}

export function insideIntervals(t: TimeIntervals, ms: number): boolean {
  const { day, minute } = localParts(ms, t.timeZone);
  return t.intervals.some(
    (i) =>
      (!i.weekdays || i.weekdays.some((w) => dayNumbers(w).includes(day))) &&
      (!i.times || i.times.some((r) => minute >= minutes(r.from) && minute < minutes(r.to))),
  );
}

/** Why a route with these times does not take an event at `ms`, or undefined when it does. */
export function timeFilterReason(active: TimeIntervals | undefined, muted: TimeIntervals | undefined, ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  if (active && !insideIntervals(active, ms)) return `activeTimes: ${new Date(ms).toISOString()} is outside the route's active times (${active.timeZone})`;
  if (muted && insideIntervals(muted, ms)) return `mutedTimes: ${new Date(ms).toISOString()} is inside the route's muted times (${muted.timeZone})`;
  return undefined;
}
