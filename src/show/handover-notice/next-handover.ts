// The handover a notice is due for: duty passes to another person within `leadMs` of now. Worked out from the config
// and the clock alone (the rotation, overrides and hours as onDuty follows them), so a Steward started five minutes
// before a handover still finds it, and one started after the shift began finds the next one only. Only forward, and
// by halving: each onDuty builds a Cron, and a look each minute must stay cheap.
import type { OnCallSchedule } from "../../tell/oncall/config";
import { onDuty } from "../../tell/oncall/on-duty";

const STEP = 15 * 60_000;
/** A rotation changes at least weekly: eight days finds the next change of any schedule that has one. */
const HORIZON = 8 * 86_400_000;

export interface UpcomingHandover {
  /** When the incoming person's duty begins (the handover). */
  start: number;
  incoming: string;
  /** Who is on duty until the handover (absent: nobody, outside the schedule's hours). */
  outgoing?: string;
  /** Why the incoming person is on duty: the rotation's week or an override. */
  why: string;
}

/** The first instant after `a`, at or before `b`, whose person differs from a's, given that b's does. */
function narrow(s: OnCallSchedule, a: number, b: number): number {
  const person = onDuty(s, a).person;
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (onDuty(s, mid).person === person) a = mid;
    else b = mid;
  }
  return b;
}

/** When duty next changes after `from`; undefined when not within eight days (a rotation of one, no overrides). */
export function nextChange(s: OnCallSchedule, from: number): number | undefined {
  const person = onDuty(s, from).person;
  for (let t = from + STEP; t <= from + HORIZON; t += STEP) if (onDuty(s, t).person !== person) return narrow(s, t - STEP, t);
  return undefined;
}

export function upcomingHandover(s: OnCallSchedule, nowMs: number, leadMs: number): UpcomingHandover | undefined {
  if (leadMs <= 0) return undefined;
  const now = onDuty(s, nowMs);
  // Most minutes of a week, duty is the same now and at the end of the notice's lead.
  if (now.person === onDuty(s, nowMs + leadMs).person) return undefined;
  const start = narrow(s, nowMs, nowMs + leadMs);
  const then = onDuty(s, start);
  if (!then.person) return undefined;
  return { start, incoming: then.person, ...(now.person && { outgoing: now.person }), why: then.why };
}
