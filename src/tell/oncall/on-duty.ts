// Who is on duty in a schedule at an instant: an override that holds; else, outside the schedule's hours, its
// outsideHours person (or nobody); else the rotation's person of the week, the week beginning at the last handover
// at or before the instant (in the schedule's zone, daylight saving followed). A pure function of the config and the
// instant: every Steward of a site answers the same, with nothing stored.
import { Cron } from "croner";
import { insideIntervals } from "../../platform/core/time-intervals";
import { type OnCallSchedule, WEEKDAYS } from "./config";

const WEEK = 7 * 86_400_000;
/** The widest offsets from UTC: a date's start anywhere on Earth is within these of its UTC midnight. */
const EARLIEST_OFFSET_MS = 14 * 3_600_000;

export interface OnDuty {
  /** The mail address on duty; absent: nobody. */
  person?: string;
  /** Why (for previews and delivery lists): "week of 2026-11-23 (rotation)", "override", "outside hours". */
  why: string;
}

const handoverCron = (s: OnCallSchedule) => {
  const [h, m] = s.handover.at.split(":").map(Number);
  const zone = s.timeZone === "UTC" || s.timeZone === "Etc/UTC" ? { utcOffset: 0 } : { timezone: s.timeZone };
  return new Cron(`${m} ${h} * * ${WEEKDAYS.indexOf(s.handover.weekday)}`, { paused: true, ...zone });
};

export function onDuty(s: OnCallSchedule, nowMs: number): OnDuty {
  const override = s.overrides.find((o) => Date.parse(o.from) <= nowMs && nowMs < Date.parse(o.until));
  if (override) return { person: override.person, why: `override until ${override.until}` };
  if (s.hours && !insideIntervals(s.hours, nowMs))
    return s.outsideHours ? { person: s.outsideHours, why: "outside hours" } : { why: "outside the schedule's hours: nobody is on duty" };
  const cron = handoverCron(s);
  // The first handover on or after firstWeek's date (its start, in whatever zone), and the last at or before now.
  const first = cron.nextRun(new Date(Date.parse(`${s.firstWeek}T00:00:00Z`) - EARLIEST_OFFSET_MS - 1))!.getTime();
  const last = cron.previousRuns(1, new Date(nowMs + 1))[0]?.getTime() ?? first;
  // Weeks are 167, 168 or 169 hours across daylight saving: rounding counts them.
  const week = Math.round((last - first) / WEEK);
  const n = s.people.length;
  return { person: s.people[((week % n) + n) % n]!, why: `rotation, the week from ${new Date(last).toISOString()}` };
}
