// The hours a "never older than" promise holds: a span of the day (07:00-18:00) on some weekdays in a zone, with
// daylight saving followed. Answers "is t inside?" and "the first moment at or after t that is inside".
import { WEEKDAYS } from "./config";
import { zonedLocalToUtc, zoneOffsetMs } from "../../platform/core/time-zone";

export interface ActiveHours {
  contains(t: number): boolean;
  /** `t` when inside, else the next start of the span (within the coming week), or undefined. */
  firstActiveAtOrAfter(t: number): number | undefined;
  /** For messages: "07:00–18:00 Mon, Tue, … (Europe/Stockholm)". */
  text: string;
}

const DAY = 86_400_000;
const MIN = 60_000;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function compileActiveHours(o: { during?: string; days: readonly (typeof WEEKDAYS)[number][]; timeZone: string }): ActiveHours {
  const span = o.during ?? "00:00-24:00";
  const from = minutes(span.slice(0, 5));
  const to = minutes(span.slice(6));
  const days = new Set(o.days.map((d) => WEEKDAYS.indexOf(d)));
  const tz = o.timeZone;
  const localDay = (t: number) => Math.floor((t + zoneOffsetMs(tz, t)) / DAY);
  // 1970-01-01 was a Thursday (WEEKDAYS index 4).
  const weekday = (day: number) => (((day + 4) % 7) + 7) % 7;
  const bounds = (day: number) => [zonedLocalToUtc(tz, day * DAY + from * MIN), zonedLocalToUtc(tz, day * DAY + to * MIN)] as const;
  const contains = (t: number) => {
    const day = localDay(t);
    if (!days.has(weekday(day))) return false;
    const [start, end] = bounds(day);
    return t >= start && t < end;
  };
  const dayNames = o.days.length === 7 ? "every day" : o.days.map((d) => d[0]!.toUpperCase() + d.slice(1)).join(", ");
  return {
    contains,
    firstActiveAtOrAfter(t) {
      if (contains(t)) return t;
      const first = localDay(t);
      for (let day = first; day <= first + 8; day++) {
        if (!days.has(weekday(day))) continue;
        const [start] = bounds(day);
        if (start > t) return start;
      }
      return undefined;
    },
    text: `${span.replace("-", "–")} ${dayNames} (${tz})`,
  };
}
