// Who is on duty now, since when, until when, and who comes next (issue 106): what GET /v4/oncall, the assistant and
// the dashboard show. Duty changes at a handover, an override's edges and the hours' edges; rather than derive each
// edge, the span walks onDuty in quarter hours and narrows the change it finds to the millisecond, so every rule
// onDuty knows (daylight saving, overrides, outsideHours) is followed with no second copy of it.
import type { OnCallSchedule } from "./config";
import { type OnDuty, onDuty } from "./on-duty";

const STEP = 15 * 60_000;
/** A rotation changes at least weekly: eight days finds the next change of any schedule that has one. */
const HORIZON = 8 * 86_400_000;

export interface DutySpan extends OnDuty {
  /** When this duty began (absent: not within the horizon). */
  since?: number;
  /** When it ends (absent: not within the horizon). */
  until?: number;
  /** Who is on duty from `until` (absent: nobody, or no change within the horizon). */
  next?: string;
}

/** Who is on duty at an instant: onDuty, or dutyOver's lookup when many instants of one span are asked for. */
export type DutyAt = (nowMs: number) => OnDuty;

/** The first instant after `a` and at or before `b` whose person differs from a's, given that b's does. */
function narrow(at: DutyAt, a: number, b: number): number {
  const person = at(a).person;
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (at(mid).person === person) a = mid;
    else b = mid;
  }
  return b;
}

/**
 * The instant duty changes after `from`, walking in the direction of `dir`; undefined within the horizon. `at`: who is
 * on duty at an instant (default onDuty).
 */
export function dutyChange(s: OnCallSchedule, from: number, dir: 1 | -1, at: DutyAt = (t) => onDuty(s, t)): number | undefined {
  const person = at(from).person;
  for (let t = from + dir * STEP, walked = STEP; walked <= HORIZON; t += dir * STEP, walked += STEP) {
    if (at(t).person === person) continue;
    // Forward: the first changed instant; backward: the first instant of the current person after the changed one.
    return dir === 1 ? narrow(at, t - STEP, t) : narrow(at, t, t + STEP);
  }
  return undefined;
}

export function dutySpan(s: OnCallSchedule, nowMs: number): DutySpan {
  const now = onDuty(s, nowMs);
  const since = dutyChange(s, nowMs, -1);
  const until = dutyChange(s, nowMs, 1);
  const next = until === undefined ? undefined : onDuty(s, until).person;
  return { ...now, ...(since !== undefined && { since }), ...(until !== undefined && { until }), ...(next && { next }) };
}
