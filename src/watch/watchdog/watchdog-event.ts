// Builds the watchdog's events: title, summary and facts for people, data for machines, the task and app for
// routes and recipients. One builder for the alert that opens a condition and the task.on_track that closes it.
import type { NameValue, WatchCondition, WatchdogEvent, WatchdogEventKind } from "../../platform/events/types";
import { spanText } from "../../tell/notify/time-format";
import { disabledBy } from "../../hear/cloud/disabled-code";
import { describeQueue, type QueueDetails, queueFacts } from "./queue-event";

/** What was planned and what was seen; each condition fills the fields it has (a node's queue: QueueDetails). */
export interface WatchDetails extends QueueDetails {
  /** When the run should have started (task.missed), or the chain's upstream ended (task.chain_broken). */
  expectedAtMs?: number;
  trigger?: string;
  graceMs?: number;
  /** The run this is about: when it started, and its execution (session) id. */
  startedAtMs?: number;
  executionId?: string;
  /** task.running_long: the usual duration and the limit passed; `limitFrom` says where the limit came from. */
  usualMs?: number;
  limitMs?: number;
  limitFrom?: "learned" | "StewardMaxDuration" | "config";
  /** task.running_long opened by a start the Scheduler skipped while the run was still going. */
  skippedAtMs?: number;
  upstreamTask?: string;
  upstreamOutcome?: "success" | "failure";
  /** app.stale: the last successful reload and the time it should not be older than. */
  lastSuccessAtMs?: number;
  expectWithinMs?: number;
  /** task.notice of a run while its task's limit is learned: the threshold it passed and the runs seen so far. */
  noticeMs?: number;
  runsSeen?: number;
  /** task.on_track: what ended the condition, e.g. "started 12 min late". */
  resolution?: string;
  /** task.disabled: how the task was turned off, by whom and when (QRS modifiedByUserName / modifiedDate, the Cloud task's updatedBy / updatedAt). */
  turnedOff?: TurnedOff;
  changedBy?: string;
  changedAtMs?: number;
  /** task.disabled of a deleted task or trigger: when Steward last saw it (QRS keeps no record of a deletion). */
  lastSeenAtMs?: number;
  /** task.disabled by Qlik Cloud: the failed runs in a row before it. */
  failures?: number;
  /** task.disabled on Qlik Cloud: the task's metadata.disabledCode (MANUALLY, CONSECUTIVE-FAILURES, OWNER-DELETED…). */
  disabledCode?: string;
}

/** The ways a task stops running without failing. */
export type TurnedOff = "task-disabled" | "trigger-disabled" | "trigger-expired" | "trigger-deleted" | "task-deleted" | "upstream-deleted" | "disabled-by-qlik";

export interface WatchdogEventInput {
  kind: WatchdogEventKind;
  condition: { type: WatchCondition; key: string; openedAtMs: number; closedAtMs?: number };
  nowMs: number;
  host: string;
  task?: WatchdogEvent["task"];
  app?: WatchdogEvent["app"];
  details: WatchDetails;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A start that did not come names the app it leaves as it was: this page is the one for that app too (app.stale
 * is not paged for it on top, and the watchdog page says why), until the task runs.
 */
function untilItRuns(i: WatchdogEventInput): string {
  return i.app ? ` Until it runs, the data of ${i.app.name} is not renewed (no separate stale-app alert is sent for it).` : "";
}

function describe(i: WatchdogEventInput): { title: string; summary: string } {
  const d = i.details;
  const task = i.task?.name ?? "(unknown task)";
  const app = i.app?.name ?? "(unknown app)";
  const at = (ms: number | undefined) => (ms === undefined ? "(unknown time)" : iso(ms));
  switch (i.condition.type) {
    case "missed":
      return {
        title: `Task did not start: ${task}`,
        summary: `${task} should have started at ${at(d.expectedAtMs)}${d.trigger ? ` (trigger "${d.trigger}")` : ""} and had not started ${spanText(d.graceMs ?? 0)} later.${untilItRuns(i)}`,
      };
    case "skipped":
      return {
        title: `Task run skipped: ${task}`,
        summary: `Qlik Sense recorded the run of ${task} due at ${at(d.expectedAtMs)} as Skipped: the Scheduler started nothing, usually because the previous run was still going.`,
      };
    case "retrying":
      return {
        title: `Task is retrying: ${task}`,
        summary: `An attempt of ${task} failed and the Scheduler is retrying it; the run has not failed yet.`,
      };
    case "chain_broken":
      return {
        title: `Task chain stopped at ${task}`,
        summary: `${d.upstreamTask ?? "The upstream task"} ended with ${d.upstreamOutcome ?? "the awaited outcome"} at ${at(d.expectedAtMs)}, so ${task} should have started${d.trigger ? ` (trigger "${d.trigger}")` : ""}; it had not started ${spanText(d.graceMs ?? 0)} later.${untilItRuns(i)}`,
      };
    case "running_long":
      return {
        title: `Task running long: ${task}`,
        summary:
          d.limitMs === undefined && d.skippedAtMs !== undefined
            ? `${task} has been running since ${at(d.startedAtMs)}, so long that the Scheduler skipped its start due at ${at(d.skippedAtMs)}${d.usualMs !== undefined ? `; it usually takes ${spanText(d.usualMs)}` : ""}. Further skipped starts of this run are part of this alert.`
            : `${task} has been running since ${at(d.startedAtMs)}, longer than ${spanText(d.limitMs ?? 0)}${d.usualMs !== undefined ? `; it usually takes ${spanText(d.usualMs)}` : ""}.`,
      };
    case "stale":
      return {
        title: `App data is stale: ${app}`,
        summary: `${app} was last reloaded successfully ${d.lastSuccessAtMs === undefined ? "never (as far as QRS and Steward know)" : `at ${iso(d.lastSuccessAtMs)}`}; ${
          d.expectedAtMs !== undefined && d.lastSuccessAtMs !== undefined
            ? `its triggers expected a reload starting at ${iso(d.expectedAtMs)}, which had not succeeded ${spanText(d.lastSuccessAtMs + (d.expectWithinMs ?? 0) - d.expectedAtMs)} later.`
            : `a successful reload was expected within ${spanText(d.expectWithinMs ?? 0)}.`
        }`,
      };
    case "disabled":
      return describeTurnedOff(task, d);
    case "queue_backlog":
      return describeQueue(d, i.nowMs);
  }
}

/** task.notice: worth knowing, not worth a page (issue 64). */
function describeNotice(i: WatchdogEventInput): { title: string; summary: string } {
  const d = i.details;
  const task = i.task?.name ?? "(unknown task)";
  if (i.condition.type === "disabled") {
    const by = d.changedBy ? ` (its end date was set by ${d.changedBy})` : "";
    return {
      title: `Task schedule ended: ${task}`,
      summary: `The last trigger${d.trigger ? ` "${d.trigger}"` : ""} of ${task} reached its end date${d.changedAtMs !== undefined ? ` at ${iso(d.changedAtMs)}` : ""}${by}: the task no longer starts on its own, as configured. A notice, not a page: give the trigger a later end date in the QMC if it should go on; the app's data ages until the task runs again.`,
    };
  }
  if (i.condition.type === "retrying")
    return {
      title: `Task is retrying: ${task}`,
      summary: `An attempt of ${task} failed and the Scheduler is retrying it; the run has not failed yet. A notice, not a page: the run's outcome is paged if every attempt fails, and nothing if a retry succeeds.`,
    };
  return {
    title: `Task taking longer than usual (still learning): ${task}`,
    summary: `${task} has been running since ${d.startedAtMs === undefined ? "(unknown time)" : iso(d.startedAtMs)}, longer than ${spanText(d.noticeMs ?? 0)}${d.usualMs !== undefined ? `; it usually takes ${spanText(d.usualMs)}` : ""}, but only ${d.runsSeen ?? "a few"} of its runs have been seen, too few to tell a long night from a hang. Not paged while Steward learns; a page (task.running_long) comes if it runs past ${spanText(d.limitMs ?? 0)}, a clear hang.`,
  };
}

const NOT_A_FAILURE = "This is not a failure: no failure alert will come, and the app's data ages until the task runs again.";

function describeTurnedOff(task: string, d: WatchDetails): { title: string; summary: string } {
  const by = d.changedBy ? ` by ${d.changedBy}` : "";
  const at = d.changedAtMs !== undefined ? ` at ${iso(d.changedAtMs)}` : "";
  const seen = d.lastSeenAtMs !== undefined ? ` (Steward last saw it at ${iso(d.lastSeenAtMs)}; Qlik keeps no record of who deleted it)` : "";
  const trigger = d.trigger ? ` "${d.trigger}"` : "";
  switch (d.turnedOff) {
    case "trigger-disabled":
      return {
        title: `Task turned off: ${task}`,
        summary: `The last enabled trigger${trigger} of ${task} was disabled${by}${at}: the task no longer starts on its own. ${NOT_A_FAILURE}`,
      };
    case "trigger-expired":
      return {
        title: `Task turned off: ${task}`,
        summary: `The last trigger${trigger} of ${task} expired${at}${by ? ` (its end date was set${by})` : ""}: the task no longer starts on its own. ${NOT_A_FAILURE}`,
      };
    case "trigger-deleted":
      return {
        title: `Task turned off: ${task}`,
        summary: `The last trigger${trigger} of ${task} was deleted${seen}: the task no longer starts on its own. ${NOT_A_FAILURE}`,
      };
    case "task-deleted":
      return { title: `Task deleted: ${task}`, summary: `${task} was deleted${seen}. Tasks that waited for it no longer start from it.` };
    case "upstream-deleted":
      return {
        title: `Task chain can no longer run: ${task}`,
        summary: `${d.upstreamTask ?? "The upstream task"} was deleted${seen}, and ${task} starts only when it ends (trigger${trigger}): ${task} no longer runs. ${NOT_A_FAILURE}`,
      };
    case "disabled-by-qlik": {
      const why = disabledBy(d.disabledCode);
      if (why.by === "qlik" && d.disabledCode !== "CONSECUTIVE-FAILURES")
        return {
          title: `Qlik Cloud disabled a task: ${task}`,
          summary: `${why.reason}${at} (disabledCode ${d.disabledCode}): ${task} no longer runs until someone fixes the cause and enables it again. ${NOT_A_FAILURE}`,
        };
      return {
        title: `Qlik Cloud disabled a task: ${task}`,
        summary: `Qlik disabled ${task}${at} after ${d.failures ? `${d.failures} ` : ""}consecutive failures${d.disabledCode ? "" : " (judged from the timing: the tenant gave no disabledCode)"}: it no longer runs, so no reload failure is reported again until someone fixes and enables it.`,
      };
    }
    default:
      return {
        title: `Task turned off: ${task}`,
        summary: `${task} was disabled${by}${at}${d.disabledCode === "MANUALLY" ? " (by hand, Qlik's disabledCode MANUALLY)" : ""}: it no longer runs on its triggers. ${NOT_A_FAILURE}`,
      };
  }
}

const WHAT: Record<WatchCondition, string> = {
  missed: "a missed start",
  skipped: "a skipped run",
  retrying: "a retrying run",
  chain_broken: "a stopped chain",
  running_long: "a long run",
  stale: "stale data",
  disabled: "being turned off",
  queue_backlog: "a backlog in its reload queue",
};

export function watchdogEvent(i: WatchdogEventInput): WatchdogEvent {
  const d = i.details;
  const closing = i.kind === "task.on_track";
  const opened = i.kind === "task.notice" ? describeNotice(i) : describe(i);
  const subject =
    i.condition.type === "stale"
      ? (i.app?.name ?? "the app")
      : i.condition.type === "queue_backlog"
        ? `the reload queue on ${d.node ?? "the node"}`
        : (i.task?.name ?? "the task");
  const title = closing ? `Back on track: ${subject.charAt(0).toUpperCase()}${subject.slice(1)}` : opened.title;
  const summary = closing
    ? `${subject} is back on track after ${WHAT[i.condition.type]}${d.resolution ? `: ${d.resolution}` : ""}. It began with: ${opened.summary}`
    : opened.summary;
  const facts: NameValue[] = [];
  const data: WatchdogEvent["data"] = { condition: i.condition.type, openedAt: iso(i.condition.openedAtMs) };
  const fact = (name: string, value: string | undefined, key?: string, raw?: string | number) => {
    if (value === undefined || value === "") return;
    facts.push({ name, value });
    if (key) data[key] = raw ?? value;
  };
  fact("Task", i.task?.name, "taskName");
  if (i.condition.type === "queue_backlog")
    queueFacts(d, fact, (k, v) => {
      data[k] = v;
    });
  fact("App", i.app?.name, "appName");
  fact("Trigger", d.trigger, "trigger");
  if (d.expectedAtMs !== undefined) fact(i.condition.type === "chain_broken" ? "Upstream ended" : "Due at", iso(d.expectedAtMs), "expectedAt");
  fact("Upstream task", d.upstreamTask, "upstreamTask");
  fact("Upstream outcome", d.upstreamOutcome, "upstreamOutcome");
  if (d.startedAtMs !== undefined) fact("Started", iso(d.startedAtMs), "startedAt");
  if (d.usualMs !== undefined) fact("Usually takes", spanText(d.usualMs), "usualMs", d.usualMs);
  if (d.noticeMs !== undefined) fact("Longer than", spanText(d.noticeMs), "noticeMs", d.noticeMs);
  if (d.runsSeen !== undefined) fact("Runs seen", String(d.runsSeen), "runsSeen", d.runsSeen);
  if (d.limitMs !== undefined)
    fact(d.noticeMs !== undefined ? "Paged past" : "Limit", `${spanText(d.limitMs)} (${d.limitFrom ?? "learned"})`, "limitMs", d.limitMs);
  if (d.lastSuccessAtMs !== undefined) fact("Last success", iso(d.lastSuccessAtMs), "lastSuccessAt");
  if (d.expectWithinMs !== undefined) fact("Expected within", spanText(d.expectWithinMs), "expectWithinMs", d.expectWithinMs);
  if (d.graceMs !== undefined) fact("Grace", spanText(d.graceMs), "graceMs", d.graceMs);
  fact("Execution", d.executionId, "executionId");
  fact("Turned off", d.turnedOff, "turnedOff");
  fact("Changed by", d.changedBy, "changedBy");
  fact("Qlik's disabled code", d.disabledCode, "disabledCode");
  if (d.changedAtMs !== undefined) fact("Changed at", iso(d.changedAtMs), "changedAt");
  if (d.lastSeenAtMs !== undefined) fact("Last seen", iso(d.lastSeenAtMs), "lastSeenAt");
  if (d.failures !== undefined) fact("Failed runs in a row", String(d.failures), "failures", d.failures);
  if (closing) {
    fact("Condition opened", iso(i.condition.openedAtMs));
    if (i.condition.closedAtMs !== undefined) fact("Back on track at", iso(i.condition.closedAtMs), "closedAt");
    fact("Resolution", d.resolution, "resolution");
  }
  return {
    id: `watch:${i.condition.key}:${i.condition.openedAtMs}:${closing ? "closed" : "open"}`,
    kind: i.kind,
    receivedAt: iso(i.nowMs),
    host: i.host,
    title,
    summary,
    facts,
    data,
    ...(i.task ? { task: i.task } : {}),
    ...(i.app ? { app: i.app } : {}),
    condition: {
      type: i.condition.type,
      key: i.condition.key,
      openedAt: iso(i.condition.openedAtMs),
      ...(i.condition.closedAtMs !== undefined ? { closedAt: iso(i.condition.closedAtMs) } : {}),
    },
  };
}
