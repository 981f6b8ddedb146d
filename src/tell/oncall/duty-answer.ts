// Each schedule's duty as the API, the assistant and the dashboard answer it (issue 106): who is on duty now, since
// when, until when and who is next, times as ISO text.
import { type OnCallConfig, scheduleNames, scheduleOf } from "./config";
import { dutySpan } from "./duty-span";

export interface ScheduleDuty {
  schedule: string;
  timeZone: string;
  /** The mail address on duty; null: nobody. */
  person: string | null;
  why: string;
  since: string | null;
  until: string | null;
  next: string | null;
  /** Who may be on duty in it by rotation (its people, then its outsideHours desk): whom a swap is made with. */
  people: string[];
}

const isoOrNull = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function scheduleDuties(oncall: OnCallConfig | undefined, nowMs: number): ScheduleDuty[] {
  return scheduleNames(oncall).map((name) => {
    const s = scheduleOf(oncall, name)!;
    const d = dutySpan(s, nowMs);
    return {
      schedule: name,
      timeZone: s.timeZone,
      person: d.person ?? null,
      why: d.why,
      since: isoOrNull(d.since),
      until: isoOrNull(d.until),
      next: d.next ?? null,
      people: [...new Set([...s.people, ...(s.outsideHours ? [s.outsideHours] : [])].map((a) => a.toLowerCase()))],
    };
  });
}
