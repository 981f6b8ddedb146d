// When a check-in is due: a cron expression (croner, in the check's zone) or RFC 5545 RRULE lines (src/platform/core/rrule.ts,
// the reader Qlik Cloud's schedules use), compiled once; both answer "the next due time after t".
import { Cron } from "croner";
import { MAX_STEPS_PER_SEARCH, nextOccurrence, RecurrenceBudgetError, readSchedule, type Schedule } from "../../platform/core/rrule";
import { spanCached } from "../../platform/core/occurrence-span";
import { isKnownZone, zonedLocalToUtc } from "../../platform/core/time-zone";

const RRULE_ANCHOR_MS = Date.UTC(2024, 0, 1);
const LOOK_BACK_MS = 8 * 86_400_000;
/** RRULE steps one previous() may take: its ~30 searches of an every-minute rule need about 100,000. */
const PREVIOUS_STEPS = 3 * MAX_STEPS_PER_SEARCH;
/** A day without a daylight-saving change where the config check tries a rule once (2024-02-12, a Monday). */
const PROBE_MS = Date.UTC(2024, 1, 12, 12);

export interface CheckSchedule {
  /** The first due time strictly after `afterMs`, or undefined when the schedule never fires again. */
  next(afterMs: number): number | undefined;
  /** The latest due time at or before `atMs` (within the last 8 days), or undefined. */
  previous(atMs: number): number | undefined;
  /** For messages: the cron expression or RRULE text and its zone. */
  text: string;
}

export type ScheduleInput = { cron: string; timeZone: string } | { rrule: string[]; timeZone: string };

/** Compiles a check's schedule, or returns why it cannot (an error naming the part; the config check shows it). */
export function compileSchedule(input: ScheduleInput): { ok: true; schedule: CheckSchedule } | { ok: false; error: string } {
  if ("cron" in input) {
    let cron: Cron;
    try {
      cron = new Cron(input.cron, { mode: "5-or-6-parts", paused: true, timezone: input.timeZone });
    } catch (err) {
      return { ok: false, error: `cron '${input.cron}': ${(err as Error).message}` };
    }
    return {
      ok: true,
      schedule: {
        ...spanCached({
          next: (afterMs) => cron.nextRun(new Date(afterMs))?.getTime(),
          // croner's previousRuns is strictly before its reference: ask from just after.
          previous: (atMs) => cron.previousRuns(1, new Date(atMs + 1))[0]?.getTime(),
        }),
        text: `cron ${input.cron} (${input.timeZone})`,
      },
    };
  }
  // DTSTART: Monday 2024-01-01 00:00 local time, so an INTERVAL counts from a fixed day (the same on every Steward
  // and after every restart); the rule's own BY parts say when it fires.
  if (!isKnownZone(input.timeZone)) return { ok: false, error: `unknown time zone '${input.timeZone}'` };
  const anchor = zonedLocalToUtc(input.timeZone, RRULE_ANCHOR_MS);
  const read = readSchedule({ recurrence: input.rrule, timeZone: input.timeZone, fallbackStartMs: anchor });
  if (!read.ok) return { ok: false, error: read.error };
  const s = read.schedule;
  const schedule: CheckSchedule = {
    ...spanCached({ next: (afterMs) => nextOccurrence(s, afterMs), previous: (atMs) => latestAtOrBefore(s, atMs) }, LOOK_BACK_MS),
    text: `${input.rrule.join(" ")} (${input.timeZone})`,
  };
  // A rule no search can follow within its budget (one firing every second) is a config error, not a judgement
  // that fails at every pass. One search tells the cost of each: previous() makes about 31 of them, and a search
  // costs a little more on some days (a daylight-saving change), so each may take a sixtieth of its budget.
  const probe = { left: PREVIOUS_STEPS };
  const text = input.rrule.join(" ").slice(0, 120);
  try {
    nextOccurrence(s, PROBE_MS, probe);
  } catch (err) {
    if (!(err instanceof RecurrenceBudgetError)) throw err;
    return { ok: false, error: `rrule '${text}': ${err.message}; Steward cannot follow it` };
  }
  const used = PREVIOUS_STEPS - probe.left;
  if (used > PREVIOUS_STEPS / 60)
    return {
      ok: false,
      error: `rrule '${text}': one search for its next due time takes ${used} steps (at most ${PREVIOUS_STEPS / 60}): it fires more often than once a minute, or counts a COUNT from long ago; Steward cannot follow it`,
    };
  return { ok: true, schedule };
}

/**
 * The latest occurrence in (atMs − 8 days, atMs], by bisection on "the next occurrence after t is at or before atMs"
 * (about 30 searches, whatever the rule's pace; walking the occurrences took 11,520 searches for an every-minute
 * rule and seconds of CPU). All of them share one budget: past it RecurrenceBudgetError.
 */
function latestAtOrBefore(s: Schedule, atMs: number): number | undefined {
  const budget = { left: PREVIOUS_STEPS };
  const within = (t: number) => {
    const n = nextOccurrence(s, t, budget);
    return n !== undefined && n <= atMs ? n : undefined;
  };
  let lo = atMs - LOOK_BACK_MS;
  let found = within(lo);
  if (found === undefined) return undefined;
  let hi = atMs;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const n = within(mid);
    if (n === undefined) hi = mid;
    else {
      // Every t in [mid, n) has the same next occurrence n: the search may start just before it.
      lo = Math.max(mid, n - 1);
      found = n;
    }
  }
  return found;
}
