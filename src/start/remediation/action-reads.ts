// Reads of remediation actions that count or list them (budgets, an incident's actions, the morning report's line).
import type { SqlDb } from "../../platform/store/sql";
import { nodeOf } from "../../tell/grouping/node-down";
import { type RemediationAction, rowOf, TOLD_RUNNING } from "./action-row";

export function createActionReads(db: SqlDb) {
  return {
    /**
     * Automatic retries and re-runs (requested by a rule) asked since `since`: of the task, of the node, of the site. A
     * node is one by its short name (nodeOf): a retry records the host its run named, a queue's re-run the queue
     * cause's short name, and both count against the one budget. The retries that followed a cause's probe once it
     * succeeded (follows_id) count as one attempt of that cause for the node and the site, and each for its own task.
     */
    async ruleCounts(since: number, taskId: string, node: string | null): Promise<{ task: number; node: number; site: number }> {
      const rows = await db.all<Record<string, unknown>>(
        `SELECT node, follows_id, COUNT(*) AS n, SUM(CASE WHEN task_id = ? THEN 1 ELSE 0 END) AS task
         FROM remediation_actions WHERE requested_from = 'rule' AND requested_at >= ? GROUP BY node, follows_id`,
        [taskId.toLowerCase(), since],
      );
      const self = node === null ? undefined : nodeOf(node);
      const counts = { task: 0, node: 0, site: 0 };
      // A probe's follow-ups: one attempt, once for the site and once for each node their tasks ran on.
      const site = new Set<number>();
      const here = new Set<number>();
      for (const r of rows) {
        const follows = Number(r.follows_id ?? 0);
        const mine = self !== undefined && typeof r.node === "string" && nodeOf(r.node) === self;
        counts.task += Number(r.task ?? 0);
        if (follows !== 0) {
          site.add(follows);
          if (mine) here.add(follows);
          continue;
        }
        counts.site += Number(r.n);
        if (mine) counts.node += Number(r.n);
      }
      counts.site += site.size;
      counts.node += here.size;
      return counts;
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
    /** A re-run's actions, one per cancelled run, in the order they run (at most 200: a queue cancels that many at most in practice). */
    async ofCause(causeId: number): Promise<RemediationAction[]> {
      const rows = await db.all<Record<string, unknown>>("SELECT * FROM remediation_actions WHERE cause_id = ? ORDER BY id LIMIT 200", [causeId]);
      return rows.map(rowOf);
    },
    /**
     * The execution sessions of the runs remediation started that have not ended (a retry, a re-run, a chain's start;
     * an Engine reload is no run of a task): the watchdog's queue look leaves them out, as Steward's own waiting runs.
     */
    async startedRuns(): Promise<Set<string>> {
      const rows = await db.all<{ execution_id: string }>(
        "SELECT execution_id FROM remediation_actions WHERE status = 'started' AND kind <> 'reload' AND execution_id IS NOT NULL LIMIT 1000",
      );
      return new Set(rows.map((r) => String(r.execution_id).toLowerCase()));
    },
    /**
     * Whether the run is one remediation started (a retry, a re-run, a chain's start), whatever the action's state
     * now: read when Qlik cancels a run in the queue (few a night), so a look at every action is no cost.
     */
    async isOwnRun(executionId: string): Promise<boolean> {
      const r = await db.get("SELECT 1 AS x FROM remediation_actions WHERE kind <> 'reload' AND lower(execution_id) = ? LIMIT 1", [executionId.toLowerCase()]);
      return r !== undefined;
    },
    /**
     * Whether the task has an action a person asked for (not a rule's, not an Engine reload) that started a run and
     * whose outcome no message told yet: the task's next run end is that run's, and tells it.
     */
    async untoldRunOf(taskId: string): Promise<boolean> {
      const r = await db.get(
        `SELECT 1 AS x FROM remediation_actions WHERE task_id = ? AND requested_from <> 'rule' AND kind <> 'reload' AND status IN ('started', 'ended')
         AND (told_event_id IS NULL OR told_event_id LIKE '${TOLD_RUNNING}%') LIMIT 1`,
        [taskId.toLowerCase()],
      );
      return r !== undefined;
    },
    /**
     * The cause a re-run of the task was asked under (the queue's, by its id), when that re-run started a run whose
     * outcome no message told yet; 0 for none. The cause may have closed since: its page's receivers still wait for the
     * answer, a person's press as a [queue] rule's (its on-call alert waits for it: alert-holds.ts).
     */
    async untoldRunCause(taskId: string): Promise<number> {
      const r = await db.get<{ cause_id: number | string }>(
        `SELECT cause_id FROM remediation_actions WHERE task_id = ? AND kind = 'rerun' AND cause_id > 0 AND status IN ('started', 'ended')
         AND (told_event_id IS NULL OR told_event_id LIKE '${TOLD_RUNNING}%') ORDER BY id DESC LIMIT 1`,
        [taskId.toLowerCase()],
      );
      return r === undefined ? 0 : Number(r.cause_id);
    },
    /** The causes whose re-run is still pending (asked for, not yet all ended): runs cancelled since join them. */
    async pendingRerunCauses(): Promise<number[]> {
      const rows = await db.all<{ cause_id: number | string }>(
        "SELECT DISTINCT cause_id FROM remediation_actions WHERE kind = 'rerun' AND cause_id > 0 AND status IN ('pending', 'claimed', 'started') ORDER BY cause_id LIMIT 20",
      );
      return rows.map((r) => Number(r.cause_id));
    },
    async ofIncident(incidentId: number): Promise<RemediationAction[]> {
      const rows = await db.all<Record<string, unknown>>("SELECT * FROM remediation_actions WHERE incident_id = ? ORDER BY id", [incidentId]);
      return rows.map(rowOf);
    },
  };
}
