// Judges each check from its latest pings, its schedule and the clock, without side effects: which conditions open
// (missed, failed, running long) and which open ones end. The service stores and announces what this decides.
import type { CheckinCondition } from "../../platform/events/types";
import { spanText } from "../../tell/notify/time-format";
import type { CheckState } from "./checkin-store";
import type { CheckinDetails } from "./checkin-event";
import type { CheckSchedule } from "./schedule";

export interface JudgedCheck {
  name: string;
  enabled: boolean;
  schedule: CheckSchedule;
  graceMs: number;
  maxDurationMs?: number;
}

export interface OpenCheckinCondition {
  key: string;
  type: CheckinCondition;
  name: string;
  openedMs: number;
  details: CheckinDetails;
}

export interface JudgeInput {
  checks: readonly JudgedCheck[];
  states: ReadonlyMap<string, CheckState>;
  /** Per check: when Steward began judging it (a check added today is not missed for yesterday). */
  since: ReadonlyMap<string, number>;
  open: readonly OpenCheckinCondition[];
  nowMs: number;
}

export interface JudgeResult {
  opens: OpenCheckinCondition[];
  /** `atMs`: when the ping that ended it came (the job's data is there from then); absent when no ping ended it. */
  closes: Array<{ key: string; resolution: string; atMs?: number }>;
}

export const conditionKey = (type: CheckinCondition, name: string) => `${type}:${name}`;

/** The time the job last ran (any start, success or failure ping; a /log ping is not a run). */
const lastRun = (s: CheckState | undefined) => Math.max(s?.lastStartMs ?? -Infinity, s?.lastSuccessMs ?? -Infinity, s?.lastFailMs ?? -Infinity);

/**
 * The due time the job owes a check-in for: the first after its last run (or after judging began). A ping a
 * little early (up to the grace, at most half the schedule's period) counts for the due time just after it, so a
 * job whose clock runs a minute ahead is not missed.
 */
export function nextDue(check: JudgedCheck, lastRunMs: number, sinceMs: number): number | undefined {
  // Before any run, the first due time after judging began is owed, however close (the allowance is for pings).
  if (!(lastRunMs >= sinceMs)) return check.schedule.next(sinceMs);
  const first = check.schedule.next(lastRunMs);
  if (first === undefined) return undefined;
  const after = check.schedule.next(first);
  return first - lastRunMs <= earlyMs(check, first) && after !== undefined ? after : first;
}

/** How early a ping may come and still count for the due time `dueMs`. */
function earlyMs(check: JudgedCheck, dueMs: number): number {
  const after = check.schedule.next(dueMs);
  return Math.min(check.graceMs, after === undefined ? check.graceMs : (after - dueMs) / 2);
}

export function judge(input: JudgeInput): JudgeResult {
  const { nowMs } = input;
  const opens: JudgeResult["opens"] = [];
  const closes: JudgeResult["closes"] = [];
  const openByKey = new Map(input.open.map((c) => [c.key, c]));
  const configured = new Map(input.checks.map((c) => [c.name, c]));

  // Conditions of a check no longer configured (or switched off) end: nobody is watching the job any more.
  for (const c of input.open) {
    const check = configured.get(c.name);
    if (!check) closes.push({ key: c.key, resolution: "the check was removed from the config" });
    else if (!check.enabled) closes.push({ key: c.key, resolution: "the check was switched off (enabled: false)" });
  }

  for (const check of input.checks) {
    if (!check.enabled) continue;
    const s = input.states.get(check.name);
    const ran = lastRun(s);
    const since = input.since.get(check.name) ?? nowMs;

    // Missed: no run since the due time's grace passed. One condition while it lasts, however many due times pass.
    const missedKey = conditionKey("checkin_missed", check.name);
    const missed = openByKey.get(missedKey);
    if (missed) {
      const due = missed.details.expectedAtMs ?? missed.openedMs;
      if (ran > due - earlyMs(check, due))
        closes.push({ key: missedKey, atMs: ran, resolution: `checked in at ${new Date(ran).toISOString()}, ${spanText(ran - due)} after it was due` });
    } else {
      const due = nextDue(check, ran, since);
      if (due !== undefined && nowMs >= due + check.graceMs)
        opens.push({
          key: missedKey,
          type: "checkin_missed",
          name: check.name,
          openedMs: due + check.graceMs,
          details: { expectedAtMs: due, graceMs: check.graceMs, schedule: check.schedule.text },
        });
    }

    // Failed: the newest finishing ping is a failure. Ends with the next success.
    const failedKey = conditionKey("checkin_failed", check.name);
    const failed = openByKey.get(failedKey);
    const lastFail = s?.lastFailMs;
    const lastSuccess = s?.lastSuccessMs;
    if (failed) {
      if (lastSuccess !== undefined && lastSuccess > failed.openedMs)
        closes.push({ key: failedKey, atMs: lastSuccess, resolution: `succeeded at ${new Date(lastSuccess).toISOString()}` });
    } else if (lastFail !== undefined && (lastSuccess === undefined || lastFail > lastSuccess)) {
      opens.push({
        key: failedKey,
        type: "checkin_failed",
        name: check.name,
        openedMs: lastFail,
        details: {
          failedAtMs: lastFail,
          ...(s?.lastExit !== undefined && s.lastExit !== null ? { exitCode: s.lastExit } : {}),
          ...(lastSuccess !== undefined ? { lastSuccessAtMs: lastSuccess } : {}),
        },
      });
    }

    // Running long: a /start with no success or failure after it, for longer than maxDuration.
    const longKey = conditionKey("checkin_running_long", check.name);
    const long = openByKey.get(longKey);
    const start = s?.lastStartMs;
    const finished = Math.max(lastSuccess ?? -Infinity, lastFail ?? -Infinity);
    if (long) {
      const began = long.details.startedAtMs ?? -Infinity;
      if (finished >= began) {
        const how = lastFail !== undefined && lastFail === finished ? "failed" : "finished";
        closes.push({ key: longKey, atMs: finished, resolution: `${how} after ${spanText(finished - began)}` });
      } else if (start !== undefined && start > began)
        closes.push({ key: longKey, atMs: start, resolution: `started again at ${new Date(start).toISOString()}` });
    } else if (check.maxDurationMs !== undefined && start !== undefined && start > finished && nowMs - start >= check.maxDurationMs) {
      opens.push({
        key: longKey,
        type: "checkin_running_long",
        name: check.name,
        openedMs: start + check.maxDurationMs,
        details: { startedAtMs: start, maxDurationMs: check.maxDurationMs },
      });
    }
  }
  return { opens, closes };
}
