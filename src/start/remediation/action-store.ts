// SQL of remediation actions, written once for SQLite and PostgreSQL. Acting once on a cluster rests on two
// statements: the claim (an UPDATE that succeeds for one Steward only: the action is pending, or its last claim's
// lease ran out) and each later step (an UPDATE naming the claim it holds, so a Steward whose claim was taken over
// writes nothing).
import type { SqlDb, SqlExecutor } from "../../platform/store/sql";

/** retry: start an incident's task again; rerun: start a run the Scheduler's queue cancelled, once the queue drained. */
export type ActionKind = "retry" | "rerun";
/**
 * pending: waits for its time (a rerun also for its queue to drain and the action before it to end); claimed: a Steward
 * is starting it; started: Qlik took the start; ended: its run ended; failed: Steward did not start it (refused,
 * disabled); skipped: not needed any more (the task ran since it was asked for); cancelled: by a person.
 */
export type ActionStatus = "pending" | "claimed" | "started" | "ended" | "failed" | "skipped" | "cancelled";
export const FINISHED: readonly ActionStatus[] = ["ended", "failed", "skipped", "cancelled"];

export interface RemediationAction {
  id: number;
  incidentId: number;
  taskId: string;
  taskName: string;
  /** The node the failing run ran on (automatic retries count per node). */
  node: string | null;
  kind: ActionKind;
  status: ActionStatus;
  /** A rerun: the queue cause whose end (the node's queue drained) it waits for; 0 for none. */
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
  executionId: string | null;
  /** What Qlik answered to the start: the execution session id, or its refusal. */
  qlikAnswer: string | null;
  endedAt: number | null;
  /** The run's end: succeeded, failed, aborted; or why it never ran. */
  outcome: string | null;
  outcomeLine: string | null;
  /** The event whose message told how it went (the incident's next message). */
  toldEventId: string | null;
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
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function rowOf(r: Record<string, unknown>): RemediationAction {
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
    toldEventId: str(r.told_event_id),
  };
}

/** A claim a Steward holds: its steps write only while the row still names it. */
export interface Claim {
  id: number;
  by: string;
  at: number;
}

export type ActionStore = ReturnType<typeof createActionStore>;

export function createActionStore(db: SqlDb) {
  const byId = async (ex: SqlExecutor, id: number) => {
    const r = await ex.get<Record<string, unknown>>("SELECT * FROM remediation_actions WHERE id = ?", [id]);
    return r ? rowOf(r) : undefined;
  };
  /** One step of a claimed action: written only while the claim is still this one. */
  const step = async (c: Claim, set: string, params: Array<string | number | null>) =>
    (
      await db.run(`UPDATE remediation_actions SET ${set} WHERE id = ? AND status = 'claimed' AND claimed_by = ? AND claimed_at = ?`, [
        ...params,
        c.id,
        c.by,
        c.at,
      ])
    ).changes === 1;
  return {
    get: (id: number) => byId(db, id),
    /** Adds the action; `added: false` with the task's action not yet ended when it has one (asked twice, or on two Stewards at once). */
    async add(a: NewAction): Promise<{ added: boolean; action: RemediationAction }> {
      const r = await db.get<Record<string, unknown>>(
        `INSERT INTO remediation_actions (incident_id, task_id, task_name, node, kind, cause_id, after_id, seen_execution, status, requested_by, requested_from, requested_ip, requested_at, due_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *`,
        [
          a.incidentId,
          a.taskId.toLowerCase(),
          a.taskName,
          a.node?.toLowerCase() ?? null,
          a.kind,
          a.causeId ?? 0,
          a.afterId ?? 0,
          a.seenExecution ?? null,
          a.requestedBy,
          a.requestedFrom,
          a.requestedIp ?? null,
          a.requestedAt,
          a.dueAt,
        ],
      );
      if (r) return { added: true, action: rowOf(r) };
      const have = await this.unfinished(a.taskId);
      if (have) return { added: false, action: have };
      throw new Error(`remediation action of task ${a.taskId} was neither added nor found`);
    },
    /** An action of the task not yet ended (pending, claimed or started): a second ask joins it instead of starting twice. */
    async unfinished(taskId: string): Promise<RemediationAction | undefined> {
      const r = await db.get<Record<string, unknown>>(
        "SELECT * FROM remediation_actions WHERE task_id = ? AND status IN ('pending', 'claimed', 'started') ORDER BY id LIMIT 1",
        [taskId.toLowerCase()],
      );
      return r ? rowOf(r) : undefined;
    },
    /** Actions due now: pending ones past their time, and claimed ones whose Steward's lease ran out. */
    async due(now: number, limit = 20): Promise<RemediationAction[]> {
      const rows = await db.all<Record<string, unknown>>(
        `SELECT * FROM remediation_actions WHERE (status = 'pending' AND due_at <= ?) OR (status = 'claimed' AND lease_until < ?) ORDER BY due_at, id LIMIT ?`,
        [now, now, limit],
      );
      return rows.map(rowOf);
    },
    /** The next time a pending action falls due (to arm the timer), if any. */
    async nextDue(): Promise<number | undefined> {
      const r = await db.get<{ t: number | null }>("SELECT MIN(due_at) AS t FROM remediation_actions WHERE status = 'pending'");
      return r?.t === null || r?.t === undefined ? undefined : Number(r.t);
    },
    /** Claims a due action for `by` until now + lease; undefined when another Steward has it (or it is no longer due). */
    async claim(id: number, by: string, now: number, leaseMs: number): Promise<{ claim: Claim; action: RemediationAction } | undefined> {
      const res = await db.run(
        `UPDATE remediation_actions SET status = 'claimed', taken_from = claimed_by, claimed_by = ?, claimed_at = ?, lease_until = ?, claims = claims + 1
         WHERE id = ? AND ((status = 'pending' AND due_at <= ?) OR (status = 'claimed' AND lease_until < ?))`,
        [by, now, now + leaseMs, id, now, now],
      );
      if (res.changes !== 1) return undefined;
      const action = await byId(db, id);
      return action && { claim: { id, by, at: now }, action };
    },
    /** Before starting: the task's last execution as QRS showed it (a Steward taking over compares it). */
    seen: (c: Claim, execution: string) => step(c, "seen_execution = ?", [execution]),
    started: (c: Claim, now: number, executionId: string | null, answer: string) =>
      step(c, "status = 'started', started_at = ?, execution_id = ?, qlik_answer = ?", [now, executionId, answer]),
    /** The task ran since the action was asked for (a trigger, its chain): not started again. */
    skipped: (c: Claim, now: number, answer: string) => step(c, "status = 'skipped', ended_at = ?, outcome = 'not needed', qlik_answer = ?", [now, answer]),
    /** Whether an action has ended one way or another (a rerun after it may go). */
    async finished(id: number): Promise<boolean> {
      const r = await db.get<{ status: string }>("SELECT status FROM remediation_actions WHERE id = ?", [id]);
      return r === undefined || FINISHED.includes(String(r.status) as ActionStatus);
    },
    /** Qlik refused the start, or the incident or task no longer needs it: it ends without a run. */
    failed: (c: Claim, now: number, outcome: string, answer: string) =>
      step(c, "status = 'failed', ended_at = ?, outcome = ?, qlik_answer = ?", [now, outcome, answer]),
    /** The started action's run ended (any Steward that heard it; once). */
    async ended(taskId: string, now: number, outcome: string, line: string | null): Promise<RemediationAction[]> {
      const rows = await db.all<Record<string, unknown>>(
        `UPDATE remediation_actions SET status = 'ended', ended_at = ?, outcome = ?, outcome_line = ?
         WHERE task_id = ? AND status = 'started' RETURNING *`,
        [now, outcome, line, taskId.toLowerCase()],
      );
      return rows.map(rowOf);
    },
    async cancel(id: number, now: number, by: string): Promise<boolean> {
      const res = await db.run("UPDATE remediation_actions SET status = 'cancelled', ended_at = ?, outcome = ? WHERE id = ? AND status = 'pending'", [
        now,
        `cancelled by ${by}`,
        id,
      ]);
      return res.changes === 1;
    },
    /** Automatic retries (requested by a rule) asked since `since`: of the task, of the node, of the site. */
    async ruleCounts(since: number, taskId: string, node: string | null): Promise<{ task: number; node: number; site: number }> {
      const r = await db.get<Record<string, number>>(
        `SELECT COUNT(*) AS site,
           SUM(CASE WHEN task_id = ? THEN 1 ELSE 0 END) AS task,
           SUM(CASE WHEN node = ? THEN 1 ELSE 0 END) AS node
         FROM remediation_actions WHERE requested_from = 'rule' AND requested_at >= ?`,
        [taskId.toLowerCase(), node?.toLowerCase() ?? "", since],
      );
      return { task: Number(r?.task ?? 0), node: Number(r?.node ?? 0), site: Number(r?.site ?? 0) };
    },
    /** Automatic retries whose run succeeded in [from, to): healed without a page (the morning report's line). */
    async healedBetween(from: number, to: number): Promise<Array<{ taskName: string; attempts: number; endedMs: number }>> {
      const rows = await db.all<Record<string, unknown>>(
        `SELECT a.task_name, a.ended_at,
           (SELECT COUNT(*) FROM remediation_actions b WHERE b.incident_id = a.incident_id AND b.requested_from = 'rule' AND b.id <= a.id) AS attempts
         FROM remediation_actions a
         WHERE a.requested_from = 'rule' AND a.status = 'ended' AND a.outcome = 'succeeded' AND a.ended_at >= ? AND a.ended_at < ?
         ORDER BY a.ended_at DESC LIMIT 200`,
        [from, to],
      );
      return rows.map((r) => ({ taskName: String(r.task_name), attempts: Number(r.attempts), endedMs: Number(r.ended_at) }));
    },
    async ofIncident(incidentId: number): Promise<RemediationAction[]> {
      const rows = await db.all<Record<string, unknown>>("SELECT * FROM remediation_actions WHERE incident_id = ? ORDER BY id", [incidentId]);
      return rows.map(rowOf);
    },
    /**
     * The actions of the incident its next message tells of: each started or ended one not yet told, marked as told by
     * this event (so every message of the same event says it, and no later one says it again).
     */
    async tell(incidentId: number, eventId: string): Promise<RemediationAction[]> {
      await db.run(
        `UPDATE remediation_actions SET told_event_id = ? WHERE incident_id = ? AND told_event_id IS NULL AND status IN ('started', 'ended', 'failed', 'skipped')`,
        [eventId, incidentId],
      );
      const rows = await db.all<Record<string, unknown>>("SELECT * FROM remediation_actions WHERE incident_id = ? AND told_event_id = ? ORDER BY id", [
        incidentId,
        eventId,
      ]);
      return rows.map(rowOf);
    },
  };
}
