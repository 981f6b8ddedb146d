// SQL of remediation actions, written once for SQLite and PostgreSQL. Acting once on a cluster rests on two
// statements: the claim (an UPDATE that succeeds for one Steward only: the action is pending, or its last claim's
// lease ran out) and each later step (an UPDATE naming the claim it holds, so a Steward whose claim was taken over
// writes nothing).
import type { SqlDb, SqlExecutor } from "../../platform/store/sql";
import { createActionReads } from "./action-reads";
import { createReloadRows } from "./reload-rows";
import { createApprovalRows } from "./approval-rows";
import { createEngineWaitRows } from "./engine-wait-rows";
import { createRefusalRows } from "./refusal-rows";
import { CLAIMED, createOutcomeRows, UNTOLD } from "./outcome-rows";
import { createToldReceiverRows, TOLD_BY_A_MESSAGE } from "./told-receivers";
import { TELL_WITHIN_MS } from "./tell-window";
import { type ActionStatus, FINISHED, type NewAction, type RemediationAction, rowOf, TOLD_RUNNING } from "./action-row";

export type { ActionKind, ActionStatus, NewAction, RemediationAction } from "./action-row";
export { FINISHED } from "./action-row";

/** A claim a Steward holds: its steps write only while the row still names it. */
export interface Claim {
  id: number;
  by: string;
  at: number;
}

export type ActionStore = ReturnType<typeof createActionStore>;

const byId = async (ex: SqlExecutor, id: number) => {
  const r = await ex.get<Record<string, unknown>>("SELECT * FROM remediation_actions WHERE id = ?", [id]);
  return r ? rowOf(r) : undefined;
};

/** The SQL of each concern kept in its own file, read and written through the one store. */
const rowsOf = (db: SqlDb) => ({
  ...createActionReads(db),
  ...createReloadRows(db),
  ...createApprovalRows(db),
  ...createOutcomeRows(db),
  ...createEngineWaitRows(db),
  ...createRefusalRows(db),
  ...createToldReceiverRows(db),
});

export function createActionStore(db: SqlDb) {
  const rows = rowsOf(db);
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
    ...rows,
    get: (id: number) => byId(db, id),
    /** Adds the action; `added: false` with the task's action not yet ended when it has one (asked twice, or on two Stewards at once). */
    async add(a: NewAction): Promise<{ added: boolean; action: RemediationAction }> {
      // An ask waiting for a second person joins an action of the task already under way (confirmed, or anyone's).
      if (a.awaiting) {
        const under = await this.unfinished(a.taskId);
        if (under) return { added: false, action: under };
      }
      const r = await db.get<Record<string, unknown>>(
        `INSERT INTO remediation_actions (incident_id, task_id, task_name, node, kind, cause_id, after_id, seen_execution, status, requested_by, requested_from, requested_ip, requested_at, due_at, approval_key, follows_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *`,
        [
          a.incidentId,
          a.taskId.toLowerCase(),
          a.taskName,
          a.node?.toLowerCase() ?? null,
          a.kind,
          a.causeId ?? 0,
          a.afterId ?? 0,
          a.seenExecution ?? null,
          a.awaiting ? "awaiting" : "pending",
          a.requestedBy,
          a.requestedFrom,
          a.requestedIp ?? null,
          a.requestedAt,
          a.dueAt,
          a.awaiting ?? null,
          a.followsId ?? 0,
        ],
      );
      if (r) return { added: true, action: rowOf(r) };
      const have = (await this.unfinished(a.taskId)) ?? (a.awaiting ? await this.awaitingOfTask(a.taskId) : undefined);
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
    /**
     * The next time a pending action falls due after `now` (to arm the timer), if any. One due already and still
     * pending waits (a re-run for its queue to drain): the pass just looked at it; the poll looks again.
     */
    async nextDue(now: number): Promise<number | undefined> {
      const r = await db.get<{ t: number | null }>("SELECT MIN(due_at) AS t FROM remediation_actions WHERE status = 'pending' AND due_at > ?", [now]);
      return r?.t === null || r?.t === undefined ? undefined : Number(r.t);
    },
    /**
     * In one statement: the next pending action's due time after `now`, and whether any action is unfinished at all
     * (pending, claimed and maybe to be taken over, an Engine reload whose job is followed, or a re-run's last run, which
     * the runs its queue cancels meanwhile join). None unfinished: the worker looks again only at its idle pace.
     */
    async nextLook(now: number): Promise<{ next: number | undefined; unfinished: boolean }> {
      // An outcome to tell on its own (action-updates.ts), also to the receivers the message that told it left out, or
      // one awaiting a second person (expired at a look): at pace.
      const r = await db.get<{ t: number | null; n: number | string | null }>(
        `SELECT MIN(CASE WHEN status = 'pending' AND due_at > ? THEN due_at END) AS t, COUNT(*) AS n FROM remediation_actions WHERE status IN ('pending', 'claimed', 'awaiting') OR (status = 'started' AND kind IN ('reload', 'rerun'))
         OR (((${UNTOLD}) OR told_event_id LIKE '%${CLAIMED}' OR (${TOLD_BY_A_MESSAGE}) OR rest_told LIKE '%${CLAIMED}') AND ended_at >= ?)`,
        [now, now - TELL_WITHIN_MS],
      );
      return { next: r?.t === null || r?.t === undefined ? undefined : Number(r.t), unfinished: Number(r?.n ?? 0) > 0 };
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
    /**
     * Before starting: the task's last execution as QRS showed it (a Steward taking over compares it), and the claim
     * held until `leaseUntil`: past the longest the start request may take, so a start still on its way to Qlik when
     * this Steward dies has been answered before another Steward looks (and adopts its run instead of starting again).
     */
    seen: (c: Claim, execution: string, leaseUntil: number) => step(c, "seen_execution = ?, lease_until = ?", [execution, leaseUntil]),
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
    /**
     * The run of `executionId` (QRS's execution session) ended: the started actions whose start named it end (any
     * Steward that heard it; once). An action whose start named another session is not ended by it: a late word of the
     * run before the retry (a datagram, a look at QRS) would otherwise close the retry with that run's outcome. One
     * whose start named none takes any run's end. An Engine reload is no run of the task: the task's own run (its
     * trigger) does not end it; its reload job does (reloadEnded).
     */
    async ended(taskId: string, now: number, outcome: string, line: string | null, executionId: string): Promise<RemediationAction[]> {
      const rows = await db.all<Record<string, unknown>>(
        `UPDATE remediation_actions SET status = 'ended', ended_at = ?, outcome = ?, outcome_line = ?
         WHERE task_id = ? AND status = 'started' AND kind <> 'reload' AND ${OWN_RUN} RETURNING *`,
        [now, outcome, line, taskId.toLowerCase(), executionId.toLowerCase()],
      );
      return rows.map(rowOf);
    },
    async cancel(id: number, now: number, by: string): Promise<boolean> {
      const res = await db.run(
        "UPDATE remediation_actions SET status = 'cancelled', ended_at = ?, outcome = ? WHERE id = ? AND status IN ('pending', 'awaiting')",
        [now, `cancelled by ${by}`, id],
      );
      return res.changes === 1;
    },
    /**
     * The actions of the incident its next message tells of: each started or ended one not yet told, marked as told by
     * this event (so every message of the same event says it, and no later one says it again). An Engine reload still
     * running waits for the message after its end: its outcome is what the person asked about. `runEnd`: the event
     * ends a run of this task (its recovery: also a chain's start that ran through it), see tellActions.
     */
    tell: (incidentId: number, eventId: string, runEnd?: RunEnd) => tellActions(db, { sql: "incident_id = ?", params: [incidentId] }, eventId, runEnd),
    /**
     * The actions a cause's message (its update or closing page) tells of besides its own event's incident's: those of
     * its symptoms' tasks asked since the cause opened, and a re-run of its cancelled runs, marked as `tell` marks them.
     * A symptom's own recovery is folded under the cause, so without this their outcome would reach no one.
     */
    /** The message that told these actions while they were running was their run's own end: their outcome is told. */
    async toldEnd(ids: readonly number[], eventId: string): Promise<void> {
      for (const id of ids)
        await db.run("UPDATE remediation_actions SET told_event_id = ? WHERE id = ? AND told_event_id = ?", [eventId, id, `${TOLD_RUNNING}${eventId}`]);
    },
    tellOfCause(c: { id: number; taskIds: readonly string[]; since: number }, eventId: string): Promise<RemediationAction[]> {
      const tasks = c.taskIds.map((t) => t.toLowerCase());
      const ofTasks = tasks.length === 0 ? "" : ` OR (task_id IN (${tasks.map(() => "?").join(", ")}) AND requested_at >= ?)`;
      return tellActions(db, { sql: `(cause_id = ?${ofTasks})`, params: [c.id, ...(tasks.length === 0 ? [] : [...tasks, c.since])] }, eventId);
    },
  };
}

/** The action's run is the one of the session given (a start that named none: any run). */
const OWN_RUN = "(execution_id IS NULL OR LOWER(execution_id) = ?)";

/** The event whose messages are built ends a run of `taskId` (a failure, a success, a recovery). */
export interface RunEnd {
  taskId: string;
  /** QRS's execution session of the run that ended. */
  executionId: string;
  /** Its incident's recovery: it also ends a chain's start that ran through the task. */
  recovered: boolean;
}

/**
 * See `tell` above: `which` narrows the actions (an incident's, a cause's). An action told while its run had not ended
 * is told again once it has (its outcome), by the next event's messages; its run's own end takes it even before the
 * bus has closed it (status still started): each of that event's deliveries is built on its own, and one built in
 * that gap would leave the outcome out while those built after the close told it (one receiver of three untold).
 * Those deliveries are also built at once, each in its own statement: on PostgreSQL the mark (an UPDATE) of the one
 * that commits first makes the others' wait for the row and then find it marked, while what they read besides sees the
 * rows as they were before that commit. So the UPDATE also takes the rows this event told already (their mark kept):
 * a statement that waited re-reads the row, and returns it (issue 101's nights on PostgreSQL: Reload Stock's retry
 * told to one mail of three, the other mail and Teams built in the same instant without the line).
 */
async function tellActions(db: SqlDb, which: { sql: string; params: Array<string | number> }, eventId: string, runEnd?: RunEnd): Promise<RemediationAction[]> {
  const running = `${TOLD_RUNNING}${eventId}`;
  const ownEnd = runEnd
    ? ` OR (status = 'started' AND kind <> 'reload' AND ((task_id = ? AND ${OWN_RUN})${runEnd.recovered ? " OR kind = 'chain'" : ""}))`
    : "";
  const endParams = runEnd ? [runEnd.taskId.toLowerCase(), runEnd.executionId.toLowerCase()] : [];
  const markable = `(told_event_id IS NULL OR (told_event_id LIKE '${TOLD_RUNNING}%' AND (status IN ('ended', 'failed', 'skipped')${ownEnd})))
     AND status IN ('started', 'ended', 'failed', 'skipped') AND NOT (kind = 'reload' AND status = 'started')`;
  const mark = `UPDATE remediation_actions SET told_event_id = CASE WHEN ${markable} THEN (CASE WHEN status = 'started' THEN ? ELSE ? END) ELSE told_event_id END
     WHERE ${which.sql} AND ((${markable}) OR told_event_id IN (?, ?))`;
  const params = [...endParams, running, eventId, ...which.params, ...endParams, eventId, running];
  // Asked for every message of every incident's event, mostly of incidents with no action: on PostgreSQL one round
  // trip, every row this event tells coming from RETURNING.
  if (db.dialect === "postgres")
    return (await db.all<Record<string, unknown>>(`WITH told AS (${mark} RETURNING *) SELECT * FROM told ORDER BY id`, params)).map(rowOf);
  await db.run(mark, params);
  return (
    await db.all<Record<string, unknown>>(`SELECT * FROM remediation_actions WHERE ${which.sql} AND told_event_id IN (?, ?) ORDER BY id`, [
      ...which.params,
      eventId,
      running,
    ])
  ).map(rowOf);
}
