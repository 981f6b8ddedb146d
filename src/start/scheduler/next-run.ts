// When a cron schedule fires next: croner computes cron matches in the schedule's time zone and between its
// date bounds; a time-of-day window skips ahead to the next window start instead of stepping through every
// match outside it.
import { Cron } from "croner";
import { boundInstant, type ScheduleDefinition, type TimeWindow } from "./schedule-model";

export interface Timing {
  cron?: Cron;
  timezone: string;
  window?: { from: number; to: number; startCron: Cron };
  startMs?: number;
  endMs?: number;
  localMinutes(ms: number): number;
}

/** Upper bound of skips through windows before a schedule is declared never to fire again. */
const MAX_WINDOW_SKIPS = 2000;

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function compileTiming(def: ScheduleDefinition): Timing {
  const tz = def.timezone;
  const startMs = def.startDate === undefined ? undefined : boundInstant(def.startDate, tz, false);
  const endMs = def.endDate === undefined ? undefined : boundInstant(def.endDate, tz, true);
  const fmt = new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const cron =
    def.cronSchedule === undefined
      ? undefined
      : new Cron(def.cronSchedule, {
          mode: "5-or-6-parts",
          paused: true,
          timezone: tz,
          ...(startMs !== undefined ? { startAt: new Date(startMs) } : {}),
          ...(endMs !== undefined ? { stopAt: new Date(endMs) } : {}),
        });
  const window = def.timeWindow ? compileWindow(def.timeWindow, tz) : undefined;
  return {
    timezone: tz,
    ...(cron ? { cron } : {}),
    ...(window ? { window } : {}),
    ...(startMs !== undefined ? { startMs } : {}),
    ...(endMs !== undefined ? { endMs } : {}),
    localMinutes(ms) {
      const [h, m] = fmt.format(new Date(ms)).split(":").map(Number) as [number, number];
      return h * 60 + m;
    },
  };
}

function compileWindow(w: TimeWindow, timezone: string): Timing["window"] {
  const from = minutes(w.from);
  const to = minutes(w.to);
  const startCron = new Cron(`0 ${from % 60} ${Math.floor(from / 60)} * * *`, { mode: "6-part", paused: true, timezone });
  return { from, to, startCron };
}

/** Inside the window (minute resolution, both ends inclusive; from > to wraps midnight)? */
export function inWindow(t: Timing, ms: number): boolean {
  if (!t.window) return true;
  const m = t.localMinutes(ms);
  const { from, to } = t.window;
  return from <= to ? m >= from && m <= to : m >= from || m <= to;
}

/** Inside the date bounds (start inclusive, end exclusive)? Used for event triggers. */
export function inDateBounds(t: Timing, ms: number): boolean {
  return (t.startMs === undefined || ms >= t.startMs) && (t.endMs === undefined || ms < t.endMs);
}

/** The first fire strictly after `afterMs`, or null when the schedule never fires again. */
export function nextFire(t: Timing, afterMs: number): number | null {
  if (!t.cron) return null;
  let ref = afterMs;
  for (let i = 0; i < MAX_WINDOW_SKIPS; i++) {
    const next = t.cron.nextRun(new Date(ref));
    if (!next) return null;
    const ms = next.getTime();
    if (!t.window || inWindow(t, ms)) return ms;
    // Outside the window: jump to just before the next window start (croner strips milliseconds).
    const start = t.window.startCron.nextRun(new Date(ms));
    if (!start) return null;
    ref = start.getTime() - 1;
  }
  return null;
}

/** Fires in (afterMs, untilMs], at most `limit` of them. */
export function firesBetween(t: Timing, afterMs: number, untilMs: number, limit: number): number[] {
  const out: number[] = [];
  let ref = afterMs;
  while (out.length < limit) {
    const n = nextFire(t, ref);
    if (n === null || n > untilMs) break;
    out.push(n);
    ref = n;
  }
  return out;
}

/**
 * True when a stored next fire lies further ahead than the cron allows from `now`: planned by a Steward whose clock
 * ran ahead (waiting for it would skip every occurrence until then, unreported). A next fire planned correctly at
 * any time up to `now` is exactly the first fire after `now`; `toleranceMs` allows for clocks of a cluster that
 * agree only that closely (a plan made a moment "after" now).
 */
export function plannedTooFarAhead(t: Timing, planned: number | null, now: number, toleranceMs: number): boolean {
  if (planned === null || planned <= now + toleranceMs) return false;
  if (planned === nextFire(t, now)) return false;
  const allowed = nextFire(t, now + toleranceMs);
  return allowed === null || planned > allowed;
}
