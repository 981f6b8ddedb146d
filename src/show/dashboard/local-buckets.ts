// The overview's charts count runs per hour and per day of the site's clock, not of UTC: hours start on the zone's
// hour (a zone half an hour off UTC included) and days at its midnight, so a 23- or 25-hour day at a clock change is
// one bar, as the people who read it lived it.
import { zonedParts } from "../../platform/core/site-clock";
import { zoneOffsetMs } from "../../platform/core/time-zone";
import type { OutcomeBucket, RunHistory } from "./run-history";

const HOUR = 3_600_000;

/** `count` hours of the zone, the last holding `now`. */
export function localHourBuckets(runs: Pick<RunHistory, "outcomes">, now: number, zone: string, count: number): OutcomeBucket[] {
  // Hour buckets shifted by the zone's offset within the hour (30 min for India, 45 for Nepal, 0 for most).
  const withinHour = ((zoneOffsetMs(zone, now) % HOUR) + HOUR) % HOUR;
  return runs.outcomes(now, HOUR, count, withinHour);
}

/** `count` days of the zone, the last being today there; each starts at its local midnight. */
export function localDayBuckets(runs: Pick<RunHistory, "outcomes">, now: number, zone: string, count: number): OutcomeBucket[] {
  // One day more than shown (and two hours for a long day), so the first day shown is whole.
  const hours = localHourBuckets(runs, now, zone, (count + 1) * 24 + 2);
  const byDate = new Map<string, OutcomeBucket>();
  for (const h of hours) {
    const date = zonedParts(h.start, zone).date;
    let day = byDate.get(date);
    if (!day) byDate.set(date, (day = { start: h.start, succeeded: 0, failed: 0, aborted: 0 }));
    day.succeeded += h.succeeded;
    day.failed += h.failed;
    day.aborted += h.aborted;
  }
  return [...byDate.values()].slice(-count);
}
