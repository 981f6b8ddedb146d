// The lines approved remediation adds to an incident's next message: what a person's action did and how it ended,
// and, on the page a rule's retries held until they were spent, what they tried with each attempt's failing line; on a
// cause's page, what was done about its symptoms (their own messages are folded under it).
import { type DomainEvent, isTaskEvent, type TaskEvent } from "../../platform/events/types";
import type { CauseStore } from "../../tell/grouping/cause-store";
import { type ActionStore, FINISHED, type RemediationAction, type RunEnd } from "./action-store";
import type { CauseProbes } from "./cause-probes";
import { actionUpdateOf } from "../../platform/events/action-update";
import type { Receiver } from "./told-receivers";

/** How many waiting tasks a page names before "and N more". */
const NAMED_WAITERS = 10;

const ENDS = ["task.succeeded", "task.failed", "task.aborted"] as const;

export interface MessageLinesDeps {
  store: Pick<ActionStore, "tell" | "tellOfCause" | "toldEnd" | "ofIncident" | "toldTo">;
  causes: Pick<CauseStore, "get" | "symptoms">;
  formatTime(ms: number): string;
  /** The sources' probes (cause-probes.ts): a given-up probe's page names the tasks that waited. */
  probes?: Pick<CauseProbes, "ofIncident" | "waiters">;
}

/** The receiver a message is built for, and when: each outcome it carries is kept as told to that receiver. */
export type BuiltFor = Receiver & { at: number };

/**
 * The lines a message of `e` carries: what was done about its incident, and on a cause's page (its opening, update or
 * closing message) what was done about its symptoms' incidents and not yet told, as their own messages are folded
 * under it. Each action is told by the first event whose messages carry it, on every channel that event reaches; the
 * page's receivers that event does not reach get the action's update (action-updates.ts), so each outcome carried is
 * kept as told to `to`.
 */
export async function messageLines(deps: MessageLinesDeps, e: DomainEvent, to?: BuiltFor): Promise<string[]> {
  if ("source" in e && e.source === "test") return [];
  // An action update carries its action's line, decided (and the action marked told) when it was queued.
  const update = actionUpdateOf(e);
  if (update) {
    if (to) await deps.store.toldTo([update.actionId], to, e.id, to.at);
    return update.lines;
  }
  const own = isTaskEvent(e) && e.incident ? await deps.store.tell(e.incident.id, e.id, runEndOf(e)) : [];
  const ofCause = e.cause ? await causeActions(deps, e.cause.id, e.id) : [];
  const seen = new Set(own.map((a) => a.id));
  const told = [...own, ...ofCause.filter((a) => !seen.has(a.id))];
  const at = isTaskEvent(e) ? e : { kind: e.kind };
  // Told by its run's own end, an action still marked started has had its outcome told: not told again.
  const ended = told.filter((a) => endsItsRun(a, at) || recoveredBy(a, at)).map((a) => a.id);
  if (ended.length > 0) await deps.store.toldEnd(ended, e.id);
  // A rule's re-run whose run ends after its queue's cause closed: the cause's pages can no longer say how it went, and
  // its on-call alert waits for this outcome (alert-holds.ts), so it is told as a person's is.
  const closedCauseRerun = (a: RemediationAction) =>
    a.kind === "rerun" && e.cause?.status === "closed" && (ended.includes(a.id) || FINISHED.includes(a.status));
  const persons = told.filter((a) => a.requestedFrom !== "rule" || closedCauseRerun(a));
  // An outcome, not an action still running: its run's end, or an action that ended one way or another.
  const outcomes = persons.filter((a) => ended.includes(a.id) || FINISHED.includes(a.status)).map((a) => a.id);
  if (to && outcomes.length > 0) await deps.store.toldTo(outcomes, to, e.id, to.at);
  const lines = persons.map((a) => lineOf(a, at, deps.formatTime));
  return isTaskEvent(e) ? [...lines, ...(await gaveUpLines(deps.store, e, deps.formatTime, deps.probes))] : lines;
}

async function causeActions(deps: MessageLinesDeps, causeId: number, eventId: string): Promise<RemediationAction[]> {
  const cause = await deps.causes.get(causeId);
  if (!cause) return [];
  const taskIds = [...new Set((await deps.causes.symptoms(causeId)).flatMap((s) => (s.taskId ? [s.taskId] : [])))];
  return deps.store.tellOfCause({ id: causeId, taskIds, since: cause.openedAt }, eventId);
}

/** The page of a failure remediation's rule held until its retries were spent: what it tried, each with its failing line. */
export async function gaveUpLines(
  store: Pick<ActionStore, "ofIncident">,
  e: TaskEvent,
  at: (ms: number) => string,
  probes?: Pick<CauseProbes, "ofIncident" | "waiters">,
): Promise<string[]> {
  if (e.kind !== "task.failed" || !e.pageAfter?.from.startsWith("remediation.rules") || !e.incident) return [];
  const tried = (await store.ofIncident(e.incident.id)).filter((a) => a.requestedFrom === "rule" && a.status === "ended");
  if (tried.length === 0) return [];
  const rule = tried[0]!.requestedBy.replace(/^rule:/, "remediation rule ");
  if (tried[0]!.kind === "rerun")
    return [
      `Re-run once, cancelled again (${rule}): Steward re-ran it at ${at(tried[0]!.startedAt ?? tried[0]!.dueAt)} once the queue had drained, and Qlik cancelled it in the queue again. It is not re-run a second time: start it when the node has room.`,
    ];
  const times = tried.length === 1 ? "once" : tried.length === 2 ? "twice" : `${tried.length} times`;
  return [
    `Remediation tried ${times}, gave up (${rule}).`,
    ...tried.map((a, n) => `Retry ${n + 1} at ${at(a.startedAt ?? a.dueAt)}: ${a.outcome ?? "ended"}${a.outcomeLine ? `: ${a.outcomeLine}` : ""}`),
    ...(await waitersLine(probes, e.incident.id)),
  ];
}

/** The page of a cause's probe that gave up: the tasks of its cause that waited for it, not retried. */
async function waitersLine(probes: Pick<CauseProbes, "ofIncident" | "waiters"> | undefined, incidentId: number): Promise<string[]> {
  const probe = await probes?.ofIncident(incidentId);
  if (!probes || probe?.status !== "gave_up") return [];
  const waiters = await probes.waiters(probe.id);
  if (waiters.length === 0) return [];
  const named = waiters.slice(0, NAMED_WAITERS).map((w) => w.taskName);
  const more = waiters.length > NAMED_WAITERS ? ` and ${waiters.length - NAMED_WAITERS} more` : "";
  const n = waiters.length === 1 ? "1 other task" : `${waiters.length} other tasks`;
  return [`${n} failing on the same source waited for these retries and were not retried: ${named.join(", ")}${more}. Start them once the source is back.`];
}

const VERB = {
  retry: "Retried",
  rerun: "Re-run after the queue drained, asked",
  reload: "App reloaded through the Engine, asked",
  chain: "Chain started again, asked",
  start: "Started (a direct start under the two-person rule), asked",
} as const;
const NOUN = { retry: "retry", rerun: "re-run", reload: "reload", chain: "chain's start", start: "start" } as const;

/** "Retried by anna@corp.example (from the alert's link) at 2026-11-27 10:05 CET: Qlik started the task …; this run is that retry: it failed." */
export function lineOf(a: RemediationAction, e: ToldIn, at: (ms: number) => string): string {
  // On a cause's page (another task's event, or no task's) the line names the task it is about, and a run that failed
  // again its failing line: that run's own message was folded under the cause.
  if (e.task?.id.toLowerCase() === a.taskId || a.kind === "chain") return ownLine(a, e, at);
  const failing = a.status === "ended" && a.outcome !== "succeeded" && a.outcomeLine ? ` Its failing line: ${a.outcomeLine}` : "";
  return `${a.taskName}: ${ownLine(a, e, at)}${failing}`;
}

/** The event whose message tells of an action: a task's, or a cause's page of another kind (a node's queue). */
export type ToldIn = { kind: string; task?: { id: string }; executionId?: string };

/** The event's run is the one the action started (a start that named no session, or an event that names none: any). */
const sameRun = (a: RemediationAction, e: ToldIn) => !a.executionId || !e.executionId || a.executionId.toLowerCase() === e.executionId.toLowerCase();

/** The run `e` ends, if it ends one: its own action's outcome is told by it whether the bus has closed the action or not. */
const runEndOf = (e: TaskEvent): RunEnd | undefined =>
  ENDS.includes(e.kind as (typeof ENDS)[number]) || e.kind === "task.recovered"
    ? { taskId: e.task.id, executionId: e.executionId, recovered: e.kind === "task.recovered" }
    : undefined;

/** The event is the end of the run the action started, which the bus may not have closed the action on yet. */
const endsItsRun = (a: RemediationAction, e: ToldIn) =>
  a.status === "started" && a.kind !== "reload" && e.task?.id.toLowerCase() === a.taskId && sameRun(a, e) && ENDS.includes(e.kind as (typeof ENDS)[number]);
/**
 * The incident's recovery ends what the action started: its task's own, or a chain's that ran through it. Another
 * symptom's recovery on a cause's page says nothing of this action's run.
 */
const recoveredBy = (a: RemediationAction, e: ToldIn) =>
  e.kind === "task.recovered" &&
  a.status === "started" &&
  a.kind !== "reload" &&
  (a.kind === "chain" || (e.task?.id.toLowerCase() === a.taskId && sameRun(a, e)));

/**
 * The line of a re-run's actions that ended together without a run (an engine wait that gave up ends the later ones
 * with it): who asked, the runs not started in chain order, and why, once for all.
 */
export function groupLine(actions: readonly RemediationAction[]): string {
  const [first] = actions;
  if (!first) return "";
  const names = actions.map((a) => a.taskName).join(", ");
  return `${whoAsked(first)}: ${actions.length} runs not started, ${first.outcome ?? "refused"}: ${names} (in chain order). ${first.qlikAnswer ?? ""}`.trim();
}

/** "Retried by anna@corp.example (from the alert's link), confirmed by …": who asked for the action, and how. */
function whoAsked(a: RemediationAction): string {
  const where = (f: string | null) => (f === "link" ? "the alert's link" : f === "rule" ? "a remediation rule" : "REST");
  const second = a.confirmedBy ? `, confirmed by ${a.confirmedBy} (from ${where(a.confirmedFrom)})` : "";
  return `${VERB[a.kind]} by ${a.requestedBy} (from ${where(a.requestedFrom)})${second}${a.kind === "chain" ? ` from ${a.taskName}` : ""}`;
}

function ownLine(a: RemediationAction, e: ToldIn, at: (ms: number) => string): string {
  const who = whoAsked(a);
  if (a.status === "failed") return `${who}: not started, ${a.outcome ?? "refused"}: ${a.qlikAnswer ?? ""}`.trim();
  if (a.status === "skipped") return `${who}: not started, not needed: ${a.qlikAnswer ?? ""}`.trim();
  if (a.status === "cancelled") return `${who}: not started, ${a.outcome ?? "cancelled"}.`;
  const started = `${who} at ${at(a.startedAt ?? a.requestedAt)}: ${a.qlikAnswer ?? "started"}`;
  // The event of the run the retry started tells its end itself, whether the bus has closed the action yet or not.
  const thisRun = endsItsRun(a, e);
  const outcome =
    a.status === "ended"
      ? a.outcome
      : thisRun
        ? e.kind === "task.succeeded" || e.kind === "task.recovered"
          ? "succeeded"
          : e.kind === "task.failed"
            ? "failed"
            : "aborted"
        : undefined;
  const noun = NOUN[a.kind];
  // An Engine reload's end is its job's (qlikAnswer says what the Engine answered), not a run of the task.
  if (a.kind === "reload")
    return a.status === "ended" ? `${who} at ${at(a.startedAt ?? a.requestedAt)}: ${a.qlikAnswer ?? a.outcome}.` : `${started}; the reload has not ended yet.`;
  if (recoveredBy(a, e)) return `${started}; the ${noun} succeeded.`;
  return outcome ? `${started}; the ${noun} ${outcome}.` : `${started}; its run has not ended yet.`;
}
