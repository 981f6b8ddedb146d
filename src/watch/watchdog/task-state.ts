// One state per task on the watchdog's page (and in GET /v4/watchdog): what needs attention first, then whether the
// task is watched at all (always with the reason when not), then how its last run ended, then whether it runs now.
// Before, a task whose last run failed was "on track" and a task not watched said no more than that (issue 74).
import { spanText } from "../../tell/notify/time-format";
import type { TaskView } from "./evaluation-types";

export type TaskStateCode =
  | "missed"
  | "chain-stopped"
  | "running-long"
  | "skipped"
  | "retrying"
  | "stale"
  | "turned-off"
  | "not-watched"
  | "failed-last-run"
  | "aborted-last-run"
  | "running"
  | "starts-not-watched"
  | "on-track";

export interface TaskState {
  state: TaskStateCode;
  /** The state in a few words, as the page shows it ("running long: 42 min, usually 6 min"). */
  text: string;
  /** Why it is not watched (not-watched, starts-not-watched). */
  reason?: string;
}

/** A condition open for the task, as the store keeps it. */
export interface OpenOfTask {
  type: string;
}

/** The open conditions by what needs attention first: a start that did not come before a run that takes long. */
const CONDITION_ORDER: Array<[string, TaskStateCode, string]> = [
  ["missed", "missed", "missed start"],
  ["chain_broken", "chain-stopped", "chain stopped"],
  ["running_long", "running-long", "running long"],
  ["stale", "stale", "data stale"],
  ["skipped", "skipped", "skipped run"],
  ["retrying", "retrying", "retrying"],
  ["disabled", "turned-off", "turned off"],
];

/** QRS execution statuses of a run that ended without success. */
const FAILED = new Set([8, 10, 11]);
const ABORTED = 6;

/** "42 min, usually 6 min" (or "42 min so far" while the usual duration is not known yet). */
function ranFor(t: TaskView, nowMs: number): string {
  if (t.runningSinceMs === undefined) return "";
  const so = spanText(nowMs - t.runningSinceMs);
  return t.usual ? `${so}, usually ${spanText(t.usual.medianMs)}` : `${so} so far`;
}

/** Why no start of the task is expected, when none is: no trigger, every trigger off, or none Steward can time. */
export function startsNotWatched(t: TaskView & { disabledTriggers?: number }): string | undefined {
  const schedules = t.triggers ?? [];
  const chains = t.after ?? [];
  if (chains.length > 0) return undefined; // a task-event trigger: its start is expected when its upstream ends
  if (schedules.length === 0) {
    const off = t.disabledTriggers ?? 0;
    if (off > 0) return off === 1 ? "its only trigger is disabled in the QMC" : `its ${off} triggers are all disabled in the QMC`;
    if ((t.notWatched ?? []).length > 0) return `no trigger Steward can read: ${t.notWatched!.join("; ")}`;
    return "no trigger: it starts only by hand or by a call to QRS";
  }
  if (schedules.every((x) => x.watch === "not-watched")) return `no trigger Steward can time: ${(t.notWatched ?? []).join("; ")}`;
  if (schedules.every((x) => x.watch === "qrs-never")) return "QRS states its triggers will not fire again (expired or ended)";
  return undefined;
}

export function taskState(t: TaskView & { disabledTriggers?: number }, open: readonly OpenOfTask[], nowMs: number): TaskState {
  for (const [type, state, words] of CONDITION_ORDER) {
    if (!open.some((c) => c.type === type)) continue;
    if (state === "running-long" && t.runningSinceMs !== undefined) return { state, text: `${words}: ${ranFor(t, nowMs)}` };
    if (state === "turned-off") return { state, text: words, reason: t.offReason ?? "the task is disabled in the QMC" };
    return { state, text: words };
  }
  if (!t.watched) {
    const reason = t.offReason ?? "by choice (StewardWatch=off or a watchdog rule with watch: false)";
    return { state: "not-watched", text: `not watched: ${reason}`, reason };
  }
  const failedLast = t.lastStatus !== undefined && FAILED.has(t.lastStatus);
  if (t.runningSinceMs !== undefined) return { state: "running", text: `${failedLast ? "running again after a failed run" : "running"}: ${ranFor(t, nowMs)}` };
  if (failedLast) return { state: "failed-last-run", text: "failed last run" };
  if (t.lastStatus === ABORTED) return { state: "aborted-last-run", text: "aborted last run" };
  const why = startsNotWatched(t);
  if (why) return { state: "starts-not-watched", text: `starts not watched: ${why}`, reason: why };
  return { state: "on-track", text: "on track" };
}
