// One remediation action as the store keeps it: its kinds and states, and the reading of its row.
/**
 * retry: start an incident's task again; rerun: start a run the Scheduler's queue cancelled, once the queue drained;
 * reload: reload the task's app through the Engine (partial or full, as the task would), not through the Scheduler;
 * chain: start a task of the incident's chain (its follow-ups then run as the Scheduler's triggers start them);
 * start: a direct start of a task by its id (Butler's path) that the two-person rule held: no incident (0).
 */
export type ActionKind = "retry" | "rerun" | "reload" | "chain" | "start";
export const ACTION_KINDS: readonly ActionKind[] = ["retry", "rerun", "reload", "chain", "start"];
/**
 * awaiting: asked for under the two-person rule, waits for a second person to confirm it (then pending);
 * pending: waits for its time (a rerun or a chain's start also for a free engine on its node, a rerun for the action
 * before it to end); claimed: a Steward is starting it; started: Qlik took the start; ended: its run ended; failed:
 * Steward did not start it (refused, disabled); skipped: not needed any more (the task ran since it was asked for);
 * cancelled: by a person.
 */
export type ActionStatus = "awaiting" | "pending" | "claimed" | "started" | "ended" | "failed" | "skipped" | "cancelled";
export const FINISHED: readonly ActionStatus[] = ["ended", "failed", "skipped", "cancelled"];
/** How told_event_id marks an action told while its run had not ended (see toldWhileRunning). */
export const TOLD_RUNNING = "started:";

export interface RemediationAction {
  id: number;
  incidentId: number;
  taskId: string;
  taskName: string;
  /**
   * The node the failing run ran on (automatic retries count per node); a re-run: its queue's node; a chain's start:
   * the node its task last ran on (or whose backed-up queue it waits for). A re-run and a chain's start wait for a
   * free engine there.
   */
  node: string | null;
  kind: ActionKind;
  status: ActionStatus;
  /** A rerun: the queue cause it re-runs (its end is what it waits for when the node's Scheduler limit is unknown); 0 for none. */
  causeId: number;
  /** A rerun: the action that starts before it (chain order); it waits for that one to end. 0 for none. */
  afterId: number;
  requestedBy: string;
  /** "link", "rest": where the person asked from. */
  requestedFrom: string;
  requestedIp: string | null;
  requestedAt: number;
  dueAt: number;
  claimedBy: string | null;
  claimedAt: number | null;
  leaseUntil: number | null;
  /** How many times it was claimed: more than one when a Steward took it over. */
  claims: number;
  /** The Steward whose claim this one took over (its lease had run out), if any. */
  takenFrom: string | null;
  /** The task's last execution result before this action started it (what a Steward taking over compares). */
  seenExecution: string | null;
  startedAt: number | null;
  /** The run it started: QRS's execution session id, or (a reload) the Engine reload job's id. */
  executionId: string | null;
  /** What Qlik answered to the start: the execution session id, or its refusal. */
  qlikAnswer: string | null;
  endedAt: number | null;
  /** The run's end: succeeded, failed, aborted; or why it never ran. */
  outcome: string | null;
  outcomeLine: string | null;
  /** The event whose message told how it went (the incident's next message). */
  toldEventId: string | null;
  /**
   * Told while its run had not ended (a message of another event went out meanwhile): its outcome is still to be told
   * by a later message. Kept in told_event_id as `started:<event id>`, so no column is added for it.
   */
  toldWhileRunning: boolean;
  /** Under the two-person rule: what was asked (rows asked together are confirmed together); null otherwise. */
  approvalKey: string | null;
  /** The second person who confirmed it, from where ("link", "rest"), their address, when. */
  confirmedBy: string | null;
  confirmedFrom: string | null;
  confirmedIp: string | null;
  confirmedAt: number | null;
  /** A rule's retry asked for because its cause's probe retry (this action) succeeded (cause-probes.ts); 0 for none. */
  followsId: number;
  /** A re-run or a chain's start: when it first found its node's queue empty and every engine busy; null before. */
  waitingSince: number | null;
}

export interface NewAction {
  incidentId: number;
  taskId: string;
  taskName: string;
  node?: string;
  kind: ActionKind;
  causeId?: number;
  afterId?: number;
  /** The task's last execution when it was asked for: a rerun whose task ran since is not needed. */
  seenExecution?: string;
  requestedBy: string;
  requestedFrom: string;
  requestedIp?: string;
  requestedAt: number;
  dueAt: number;
  /** Under the two-person rule: the approval key; the action waits ('awaiting') for a second person. */
  awaiting?: string;
  /** A retry following its cause's probe retry that succeeded: that action's id. */
  followsId?: number;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

export function rowOf(r: Record<string, unknown>): RemediationAction {
  return {
    id: Number(r.id),
    incidentId: Number(r.incident_id),
    taskId: String(r.task_id),
    taskName: String(r.task_name),
    node: str(r.node),
    kind: String(r.kind) as ActionKind,
    status: String(r.status) as ActionStatus,
    causeId: Number(r.cause_id),
    afterId: Number(r.after_id),
    requestedBy: String(r.requested_by),
    requestedFrom: String(r.requested_from),
    requestedIp: str(r.requested_ip),
    requestedAt: Number(r.requested_at),
    dueAt: Number(r.due_at),
    claimedBy: str(r.claimed_by),
    claimedAt: num(r.claimed_at),
    leaseUntil: num(r.lease_until),
    claims: Number(r.claims),
    takenFrom: str(r.taken_from),
    seenExecution: str(r.seen_execution),
    startedAt: num(r.started_at),
    executionId: str(r.execution_id),
    qlikAnswer: str(r.qlik_answer),
    endedAt: num(r.ended_at),
    outcome: str(r.outcome),
    outcomeLine: str(r.outcome_line),
    toldEventId: str(r.told_event_id)?.replace(TOLD_RUNNING, "") ?? null,
    toldWhileRunning: str(r.told_event_id)?.startsWith(TOLD_RUNNING) ?? false,
    approvalKey: str(r.approval_key),
    confirmedBy: str(r.confirmed_by),
    confirmedFrom: str(r.confirmed_from),
    confirmedIp: str(r.confirmed_ip),
    confirmedAt: num(r.confirmed_at),
    followsId: Number(r.follows_id ?? 0),
    waitingSince: num(r.waiting_since),
  };
}
