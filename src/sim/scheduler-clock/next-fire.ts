// When the simulated Scheduler fires a schema trigger next: walks the trigger's own steps (grid instants, or local
// calendar days) and keeps the first that passes its filter, before its expiry. Written apart from Steward's
// src/platform/core/qmc-schedule.ts: the same reading (docs/watchdog.md), another way of computing it.
import { dayPasses, localDay, timePasses } from "./day-filter";
import type { SimTrigger } from "./trigger-fields";
import { triggerClock } from "./zone-clock";

const DAY = 86_400_000;
/** How far ahead a fire is looked for: beyond it a trigger has none (a filter no day meets). */
const HORIZON = 5 * 366 * DAY;
/** Candidate steps one call may look at, whatever the trigger. */
export const SIM_STEP_BUDGET = 20_000;

export interface Budget {
  used: number;
}

/** The first fire strictly after `after` (epoch ms), or undefined. */
export function nextSimFire(t: SimTrigger, after: number, budget: Budget = { used: 0 }): number | undefined {
  if (!Number.isFinite(after)) return undefined;
  const clock = triggerClock(t.zone, t.dst);
  const end = t.endInstant ?? (t.endWall === undefined ? Number.POSITIVE_INFINITY : clock.instantOf(t.endWall));
  const start = t.startInstant ?? clock.instantOf(t.startWall);
  const found =
    t.kind === "once" ? (start > after ? start : undefined) : t.kind === "grid" ? onGrid(t, after, start, clock, budget) : onDays(t, after, clock, budget);
  return found !== undefined && found < end && found <= after + HORIZON ? found : undefined;
}

type Clock = ReturnType<typeof triggerClock>;

function onGrid(t: SimTrigger, after: number, start: number, clock: Clock, budget: Budget): number | undefined {
  const first = localDay(t.startWall);
  let k = after < start ? 0 : Math.floor((after - start) / t.step) + 1;
  const limit = Math.max(after, start) + HORIZON;
  while (budget.used++ < SIM_STEP_BUDGET) {
    const at = start + k * t.step;
    if (at > limit) return undefined;
    const wall = clock.wallOf(at);
    const day = localDay(wall);
    if (!dayPasses(t.filter, day, first)) {
      // Find the next local day the filter allows, a day at a time, then go on from the grid step an hour before its
      // midnight (so a clock change at midnight cannot hide a fire).
      let next = day.index + 1;
      while (!dayPasses(t.filter, localDay(next * DAY), first)) {
        if (budget.used++ >= SIM_STEP_BUDGET || next * DAY > clock.wallOf(limit)) return undefined;
        next++;
      }
      k = Math.max(k + 1, Math.ceil((clock.instantOf(next * DAY) - 3_600_000 - start) / t.step));
      continue;
    }
    if (timePasses(t.filter, wall - day.index * DAY) && at > after) return at;
    k++;
  }
  return undefined;
}

function onDays(t: SimTrigger, after: number, clock: Clock, budget: Budget): number | undefined {
  const first = localDay(t.startWall);
  const timeOfDay = t.startWall - first.index * DAY;
  if (!timePasses(t.filter, timeOfDay)) return undefined;
  // An old-style monthly trigger (nothing about days in its filter) fires on the start's day of month.
  const implied = t.option === 4 && t.filter.monthDays === "any" && t.filter.weekdays === "any" ? first.day : undefined;
  const fromDay = Math.floor(clock.wallOf(after) / DAY) - 1;
  let k = fromDay <= first.index ? 0 : Math.floor((fromDay - first.index) / t.step);
  const lastDay = fromDay + HORIZON / DAY;
  while (budget.used++ < SIM_STEP_BUDGET) {
    const index = first.index + k * t.step;
    if (index > lastDay) return undefined;
    k++;
    const wall = index * DAY + timeOfDay;
    if (!dayPasses(t.filter, localDay(wall), first, implied)) continue;
    const at = clock.instantOf(wall);
    if (at > after) return at;
  }
  return undefined;
}
