// Which kind of day a run started on, for tasks whose durations differ by day: the first or last working day of
// the month (finance reloads that double at month-end), else the weekday (Monday's reload carries the weekend).
// Working days are Monday to Friday in the zone of the task's trigger; holidays are not known.
import { zoneOffsetMs } from "../../platform/core/time-zone";

export type DurationBucket = "month-first" | "month-last" | `weekday-${number}`;

const isWorkday = (dow: number) => dow >= 1 && dow <= 5;

/** The bucket of a run that started at `startMs` (UTC), read in `zone` (UTC when the zone is not known). */
export function durationBucketOf(startMs: number, zone: string): DurationBucket {
  let offset = 0;
  try {
    offset = zoneOffsetMs(zone, startMs);
  } catch {
    offset = 0;
  }
  const local = new Date(startMs + offset);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  const day = local.getUTCDate();
  const dow = local.getUTCDay();
  if (isWorkday(dow)) {
    let first = 1;
    while (!isWorkday(new Date(Date.UTC(y, m, first)).getUTCDay())) first++;
    if (day === first) return "month-first";
    let last = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    while (!isWorkday(new Date(Date.UTC(y, m, last)).getUTCDay())) last--;
    if (day === last) return "month-last";
  }
  return `weekday-${dow}`;
}

/** Runs a bucket needs before its own level is used: a month-end day comes once a month (35 days of runs hold one). */
export function bucketMinRuns(b: DurationBucket): number {
  return b.startsWith("month-") ? 1 : 3;
}

/** The words for a bucket on the watchdog's page. */
export function bucketText(b: DurationBucket): string {
  if (b === "month-first") return "the first working day of the month";
  if (b === "month-last") return "the last working day of the month";
  return `${["Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays"][Number(b.slice(8))]}`;
}
