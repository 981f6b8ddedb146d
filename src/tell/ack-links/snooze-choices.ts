// The snooze choices the landing page offers: the configured durations, and "until HH:MM tomorrow" in the site's
// time zone. A choice is posted by its id; only these ids are accepted.
import { formatDuration } from "../../platform/core/duration";
import { zonedLocalToUtc, zoneOffsetMs } from "../../platform/core/time-zone";
import { messageTime } from "../../platform/core/time-text";
import type { ActionLinksConfig } from "./config";

export interface SnoozeChoice {
  id: string;
  label: string;
  until: number;
}

/** HH:MM tomorrow in `tz` (the calendar day after today's, there). */
export function tomorrowAt(hhmm: string, tz: string, now: number): number {
  const local = new Date(now + zoneOffsetMs(tz, now));
  const [h, m] = hhmm.split(":").map(Number) as [number, number];
  const target = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + 1, h, m);
  return zonedLocalToUtc(tz, target);
}

export function snoozeChoices(cfg: Pick<ActionLinksConfig, "snooze" | "snoozeUntil">, tz: string, now: number): SnoozeChoice[] {
  const out = cfg.snooze.map((ms) => ({ id: formatDuration(ms), label: `for ${formatDuration(ms)}`, until: now + ms }));
  if (cfg.snoozeUntil) {
    const until = tomorrowAt(cfg.snoozeUntil, tz, now);
    out.push({ id: "tomorrow", label: `until tomorrow, ${messageTime(until, tz)}`, until });
  }
  return out;
}
