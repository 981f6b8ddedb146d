// What the people an override moves read (issue 106): the person now on duty, and the one they replace, each told
// when, in which schedule and by whom, in the schedule's zone; and the same two when the override is cancelled.
import type { StoredOverride } from "./override-store";
import { wallClock } from "./wall-clock";

export interface OverrideNotice {
  person: string;
  subject: string;
  text: string;
}

export type OverrideChange = "made" | "cancelled";

/**
 * The notices of one change: to the override's person and to `other` (made: whom it replaces; cancelled: who is on
 * duty again), each once; `other` null or the same person: only the one. `by`: who made or cancelled it.
 */
export function overrideNotices(change: OverrideChange, o: StoredOverride, zone: string, other: string | null, by: string): OverrideNotice[] {
  const span = `from ${wallClock(o.from, zone)} until ${wallClock(o.until, zone)} (${zone})`;
  const footer = `\n${change === "made" ? "Made" : "Cancelled"} by ${by}. Your calendar feed shows it within the hour; GET /v4/oncall and the dashboard at once.\n`;
  const notices: OverrideNotice[] = [];
  if (change === "made") {
    notices.push({
      person: o.person,
      subject: `You are on duty (${o.schedule}) ${span}`,
      text: `You are on duty in the schedule ${o.schedule} ${span}${other ? `, in place of ${other}` : ""}: pages for it come to you.\n${footer}`,
    });
    if (other && other !== o.person)
      notices.push({
        person: other,
        subject: `${o.person} covers your duty (${o.schedule}) ${span}`,
        text: `${o.person} is on duty in the schedule ${o.schedule} in your place ${span}: you are not paged for it then.\n${footer}`,
      });
  } else {
    notices.push({
      person: o.person,
      subject: `Override cancelled: you are no longer on duty (${o.schedule}) ${span}`,
      text: `The override that put you on duty in the schedule ${o.schedule} ${span} is cancelled${other && other !== o.person ? `: ${other} is on duty again` : ""}.\n${footer}`,
    });
    if (other && other !== o.person)
      notices.push({
        person: other,
        subject: `Override cancelled: you are on duty again (${o.schedule}) ${span}`,
        text: `The override that put ${o.person} on duty in your place in the schedule ${o.schedule} ${span} is cancelled: you are on duty then, and pages for it come to you.\n${footer}`,
      });
  }
  return notices;
}
