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

/** The schedule's overrides with their instants read, in order (the first that holds wins). */
const overridesOf = (s: OnCallSchedule) => s.overrides.map((o) => ({ o, from: Date.parse(o.from), until: Date.parse(o.until) }));

interface DutyRules {
  overrides: ReturnType<typeof overridesOf>;
  /** Whether `nowMs` is within the schedule's hours (asked only when it has some). */
  inside(nowMs: number): boolean;
  /** The first handover on or after firstWeek's date. */
  first: number;
}

/** Who is on duty at `nowMs`, the rotation's week beginning at `last`, its last handover at or before it. */
function dutyAt(s: OnCallSchedule, r: DutyRules, nowMs: number, lastHandover: () => number | undefined): OnDuty {
  const held = r.overrides.find((x) => x.from <= nowMs && nowMs < x.until);
  if (held) return { person: held.o.person, why: `override until ${held.o.until}` };
  if (s.hours && !r.inside(nowMs))
    return s.outsideHours ? { person: s.outsideHours, why: "outside hours" } : { why: "outside the schedule's hours: nobody is on duty" };
  const first = r.first;
  const last = lastHandover() ?? first;
  // Weeks are 167, 168 or 169 hours across daylight saving: rounding counts them.
  const week = Math.round((last - first) / WEEK);
  const n = s.people.length;
  return { person: s.people[((week % n) + n) % n]!, why: `rotation, the week from ${new Date(last).toISOString()}` };
}

export function onDuty(s: OnCallSchedule, nowMs: number): OnDuty {
  const { cron, firstMs } = handoverOf(s);
  const rules = { overrides: overridesOf(s), inside: (ms: number) => insideIntervals(s.hours!, ms), first: firstMs };
  return dutyAt(s, rules, nowMs, () => cron.previousRuns(1, new Date(nowMs + 1))[0]?.getTime());
}

/**
 * onDuty for many instants of [fromMs, toMs]: the schedule's handovers there are found once, and each instant's is
 * looked up among them (issue 106: a calendar feed asks for thousands of instants; a Cron each cost seconds a feed).
 * The same answers as onDuty; an instant outside the span is onDuty's.
 */
export function dutyOver(s: OnCallSchedule, fromMs: number, toMs: number): (nowMs: number) => OnDuty {
  const { cron, firstMs } = handoverOf(s);
  // Business hours are whole minutes of the zone's wall clock (offsets are whole minutes): one answer per UTC minute.
  const insideByMinute = new Map<number, boolean>();
  const inside = (ms: number) => {
    const minute = Math.floor(ms / 60_000);
    let yes = insideByMinute.get(minute);
    if (yes === undefined) insideByMinute.set(minute, (yes = insideIntervals(s.hours!, ms)));
    return yes;
  };
  const rules: DutyRules = { overrides: overridesOf(s), inside, first: firstMs };
  const handovers: number[] = [];
  // From eight days before the span: a weekly handover falls within any eight days (weeks of 167 to 169 hours), so the
  // list begins at or before fromMs. Forward only: croner's previousRuns costs tens of milliseconds a call.
  for (let next = cron.nextRun(new Date(fromMs - 8 * 86_400_000)); next && next.getTime() <= toMs; next = cron.nextRun(next)) handovers.push(next.getTime());
  return (nowMs) => {
    if (nowMs < fromMs || nowMs > toMs || handovers.length === 0 || handovers[0]! > nowMs) return onDuty(s, nowMs);
    // The last handover at or before nowMs.
    let lo = 0;
    let hi = handovers.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (handovers[mid]! <= nowMs) lo = mid;
      else hi = mid - 1;
    }
    return dutyAt(s, rules, nowMs, () => handovers[lo]);
  };
}
