// The words of scheduler.queue_backlog: a node whose Scheduler queue stayed non-empty (reloads waiting for a free
// engine) past the threshold, what waits there and since when, and what to change in the QMC. One page per node and
// episode; its task.on_track says when the queue emptied and what Qlik cancelled meanwhile. The QMC's names: the
// setting is "Max concurrent reloads" under Schedulers → (node) → Advanced (Qlik's KB "Concurrent Reload Settings in
// Qlik Sense Enterprise"; QRS: maxConcurrentEngines); the queue's timeout is QRS's engineTimeout, in the same section.
import { spanText } from "../../tell/notify/time-format";

/** What a queue_backlog condition was built from; kept in the event's data so the close says the same. */
export interface QueueDetails {
  /** The node as QRS names it (executingNodeName). */
  node?: string;
  /** Since when the node's queue has not been empty. */
  waitingSinceMs?: number;
  waitingNow?: number;
  runningNow?: number;
  /** QRS maxConcurrentEngines (QMC: Max concurrent reloads), when readable. */
  maxConcurrent?: number;
  /** QRS engineTimeout: minutes a run may wait before Qlik cancels it; 0 none. */
  engineTimeoutMin?: number;
  /** "Load 5 (waiting since …), …" for people; ids comma-separated for machines (the cause lists them). */
  waitingTasks?: string;
  waitingTaskIds?: string;
  /** On the close: runs Qlik cancelled after waiting in the queue during the episode, and their tasks. */
  cancelled?: number;
  cancelledTasks?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Qlik's advice for the limit (KB "Concurrent Reload Settings"): at most the node's cores minus two. */
const ADVICE = "Qlik advises at most the node's CPU cores minus 2";

export function describeQueue(d: QueueDetails, nowMs: number): { title: string; summary: string } {
  const node = d.node ?? "(unknown node)";
  const since = d.waitingSinceMs;
  const limit = d.maxConcurrent !== undefined ? ` (Max concurrent reloads: ${d.maxConcurrent})` : "";
  const timeout =
    d.engineTimeoutMin === undefined
      ? "Qlik cancels a run that waits longer than the Scheduler's queue timeout (30 minutes unless changed): it then runs only at its next trigger."
      : d.engineTimeoutMin === 0
        ? "The queue's timeout is 0 on this node: runs wait as long as it takes, and start late."
        : `Qlik cancels a run that waits longer than ${d.engineTimeoutMin} minutes (the queue timeout, QRS engineTimeout): it then runs only at its next trigger.`;
  return {
    title: `Reload queue backed up on ${node}`,
    summary: `${node} has had reloads waiting for a free engine since ${since === undefined ? "(unknown time)" : `${iso(since)} (${spanText(nowMs - since)})`}: ${d.waitingNow ?? "some"} waiting, ${d.runningNow ?? "its limit"} running${limit}. Waiting: ${d.waitingTasks || "(not named)"}. ${timeout} In the QMC: Schedulers → ${node} → Advanced → raise Max concurrent reloads if the node has the cores (${ADVICE}), or move some of these tasks' triggers to a quieter hour (the weekly report lists each node's busiest hours).`,
  };
}

/** The closing words: how it ended, and what did not run. */
export function queueResolution(d: QueueDetails, emptiedMs: number): string {
  const lasted = d.waitingSinceMs !== undefined ? `, ${spanText(emptiedMs - d.waitingSinceMs)} after it began` : "";
  const lost = d.cancelled
    ? `; Qlik cancelled ${d.cancelled} run${d.cancelled === 1 ? "" : "s"} after waiting in the queue (${d.cancelledTasks ?? ""}): they run at their next trigger, or start them by hand`
    : "";
  return `the queue emptied at ${iso(emptiedMs)}${lasted}${lost}`;
}

type Fact = (name: string, value: string | undefined, key?: string, raw?: string | number) => void;

/** The facts people read, and (`machine`) what only machines need: the waiting tasks' ids. */
export function queueFacts(d: QueueDetails, fact: Fact, machine: (key: string, value: string) => void): void {
  fact("Node", d.node, "node");
  if (d.waitingSinceMs !== undefined) fact("Waiting since", iso(d.waitingSinceMs), "waitingSince");
  if (d.waitingNow !== undefined) fact("Waiting now", String(d.waitingNow), "waitingNow", d.waitingNow);
  if (d.runningNow !== undefined) fact("Running now", String(d.runningNow), "runningNow", d.runningNow);
  if (d.maxConcurrent !== undefined) fact("Max concurrent reloads", String(d.maxConcurrent), "maxConcurrent", d.maxConcurrent);
  if (d.engineTimeoutMin !== undefined) fact("Queue timeout (minutes)", String(d.engineTimeoutMin), "engineTimeoutMin", d.engineTimeoutMin);
  fact("Tasks waiting", d.waitingTasks, "waitingTasks");
  if (d.waitingTaskIds) machine("waitingTaskIds", d.waitingTaskIds);
  if (d.cancelled !== undefined) fact("Cancelled while waiting", String(d.cancelled), "cancelled", d.cancelled);
  fact("Cancelled tasks", d.cancelledTasks, "cancelledTasks");
}

/** The details read back from a stored event's data. */
export function queueDetailsOf(data: Record<string, string | number | boolean | null>): QueueDetails {
  const s = (k: string) => (typeof data[k] === "string" ? (data[k] as string) : undefined);
  const n = (k: string) => (typeof data[k] === "number" ? (data[k] as number) : undefined);
  const since = s("waitingSince") !== undefined ? Date.parse(s("waitingSince")!) : undefined;
  const out: QueueDetails = {
    node: s("node"),
    waitingSinceMs: since !== undefined && Number.isFinite(since) ? since : undefined,
    waitingNow: n("waitingNow"),
    runningNow: n("runningNow"),
    maxConcurrent: n("maxConcurrent"),
    engineTimeoutMin: n("engineTimeoutMin"),
    waitingTasks: s("waitingTasks"),
    waitingTaskIds: s("waitingTaskIds"),
    cancelled: n("cancelled"),
    cancelledTasks: s("cancelledTasks"),
  };
  for (const k of Object.keys(out) as Array<keyof QueueDetails>) if (out[k] === undefined) delete out[k];
  return out;
}
