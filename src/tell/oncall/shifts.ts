// A person's final shifts in a schedule over a window (issue 106, "my shifts"): the spans in which onDuty names
// them, overrides and hours followed, found the way duty-span.ts finds one change, so no second copy of the rules;
// the schedule's handovers over the window are found once (dutyOver), not by a Cron per instant asked about.
import type { OnCallSchedule } from "./config";
import { dutyChange } from "./duty-span";
import { dutyOver } from "./on-duty";

export interface Shift {
  start: number;
  end: number;
  /** Why they are on duty (the rotation's week, an override, outside hours). */
  why: string;
}

const STEP = 15 * 60_000;
const HORIZON = 8 * 86_400_000;

/**
 * The shifts of `person` (case ignored) that overlap [from, to). A shift running over an edge keeps its true start
 * or end where it is within a week of the edge, so each shift's times (and so its UID in a feed) do not move as the
 * window does.
 */
export function shiftsOf(s: OnCallSchedule, person: string, from: number, to: number): Shift[] {
  // Every instant the walk asks about is within a horizon (and a step) of the window: its handovers found once.
  const at = dutyOver(s, from - HORIZON - STEP, to + 2 * HORIZON + STEP);
  const me = person.toLowerCase();
  const mine = (t: number) => at(t).person?.toLowerCase() === me;
  const shifts: Shift[] = [];
  let t = from;
  while (t < to) {
    if (!mine(t)) {
      // No change within the walk's horizon (someone else's long override): look again past it.
      t = Math.max(dutyChange(s, t, 1, at) ?? t + HORIZON, t + 1);
      continue;
    }
    const start = t === from ? (dutyChange(s, t, -1, at) ?? t) : t;
    // A shift that does not end within the horizon (a rota of one) is shown up to the window's end.
    const end = dutyChange(s, t, 1, at) ?? to;
    shifts.push({ start, end, why: at(t).why });
    t = Math.max(end, t + STEP);
  }
  return shifts;
}
