// The handover a notice is due for: duty passes to another person within `leadMs` of now. Worked out from the config
// and the clock alone (the rotation, overrides and hours as onDuty follows them), so a Steward started five minutes
// before a handover still finds it, and one started after the shift began finds the next one only.
import type { OnCallSchedule } from "../../tell/oncall/config";
import { dutySpan } from "../../tell/oncall/duty-span";
import { onDuty } from "../../tell/oncall/on-duty";

export interface UpcomingHandover {
  /** When the incoming person's duty begins (the handover). */
  start: number;
  /** When it ends (absent: not within eight days). */
  end?: number;
  incoming: string;
  /** Who is on duty until the handover (absent: nobody, outside the schedule's hours). */
  outgoing?: string;
  /** Why the incoming person is on duty: the rotation's week or an override. */
  why: string;
}

export function upcomingHandover(s: OnCallSchedule, nowMs: number, leadMs: number): UpcomingHandover | undefined {
  if (leadMs <= 0) return undefined;
  // Cheap first: most minutes of a week, duty is the same now and at the end of the notice's lead.
  if (onDuty(s, nowMs).person === onDuty(s, nowMs + leadMs).person) return undefined;
  const now = dutySpan(s, nowMs);
  if (now.until === undefined || now.until > nowMs + leadMs || !now.next) return undefined;
  const then = dutySpan(s, now.until);
  return {
    start: now.until,
    ...(then.until !== undefined && { end: then.until }),
    incoming: now.next,
    ...(now.person && { outgoing: now.person }),
    why: then.why,
  };
}
