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

/**
 * Each schedule's handover Cron and its first handover, made once per handover, zone and first week: onDuty is asked
 * for every alert routed to a rota and hundreds of times by a hand-off notice's search for the next change, and
 * parsing the pattern was most of its cost (a fifth of a Steward's CPU around a handover whose notice failed to send).
 * A paused Cron keeps no state between the runs it is asked for. A config reload's new schedule makes new entries.
 */
const handovers = new Map<string, { cron: Cron; firstMs: number }>();
/** Far more than a site's schedules; a config edited all day long starts over rather than grow. */
const MAX_HANDOVERS = 256;
let handoverCronsMade = 0;

function handoverOf(s: OnCallSchedule): { cron: Cron; firstMs: number } {
  const key = `${s.handover.weekday} ${s.handover.at} ${s.timeZone} ${s.firstWeek}`;
  let made = handovers.get(key);
  if (made) return made;
  const [h, m] = s.handover.at.split(":").map(Number);
  const zone = s.timeZone === "UTC" || s.timeZone === "Etc/UTC" ? { utcOffset: 0 } : { timezone: s.timeZone };
  const cron = new Cron(`${m} ${h} * * ${WEEKDAYS.indexOf(s.handover.weekday)}`, { paused: true, ...zone });
  // The first handover on or after firstWeek's date (its start, in whatever zone).
  made = { cron, firstMs: cron.nextRun(new Date(Date.parse(`${s.firstWeek}T00:00:00Z`) - EARLIEST_OFFSET_MS - 1))!.getTime() };
  if (handovers.size >= MAX_HANDOVERS) handovers.clear();
  handovers.set(key, made);
  handoverCronsMade++;
  return made;
}

/** How many handover Crons were made so far (on-duty.test.ts: one per schedule, however often onDuty is asked). */
export const handoverCronsMadeSoFar = (): number => handoverCronsMade;

export function onDuty(s: OnCallSchedule, nowMs: number): OnDuty {
  const override = s.overrides.find((o) => Date.parse(o.from) <= nowMs && nowMs < Date.parse(o.until));
  if (override) return { person: override.person, why: `override until ${override.until}` };
  if (s.hours && !insideIntervals(s.hours, nowMs))
    return s.outsideHours ? { person: s.outsideHours, why: "outside hours" } : { why: "outside the schedule's hours: nobody is on duty" };
  const { cron, firstMs: first } = handoverOf(s);
  // The last handover at or before now.
  const last = cron.previousRuns(1, new Date(nowMs + 1))[0]?.getTime() ?? first;
  // Weeks are 167, 168 or 169 hours across daylight saving: rounding counts them.
  const week = Math.round((last - first) / WEEK);
  const n = s.people.length;
  return { person: s.people[((week % n) + n) % n]!, why: `rotation, the week from ${new Date(last).toISOString()}` };
}
