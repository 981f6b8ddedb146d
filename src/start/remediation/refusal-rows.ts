// SQL of a refusal at asking (refusals.ts): the ask recorded on the incident as an action that ended without a run, so
// the outcomes' path tells it (outcome-rows.ts). One statement: the same person's ask of the same thing within the
// double-press window (their own first press, or the refusal just recorded) records nothing; nor does the two-person
// rule's refusal within that window of the ask it waits on (the same person again, through another path or key).
import type { SqlDb } from "../../platform/store/sql";
import type { NewAction } from "./action-row";

export function createRefusalRows(db: SqlDb) {
  return {
    /**
     * Records the refused ask; false when the same person asked for the same thing on the incident since `since`, or
     * (`samePerson`: the two-person rule refused them) an ask of it waiting for a second person was made since then.
     */
    async addRefused(a: NewAction, outcome: string, reason: string, since: number, samePerson: boolean): Promise<boolean> {
      const res = await db.run(
        `INSERT INTO remediation_actions (incident_id, task_id, task_name, node, kind, status, requested_by, requested_from, requested_ip, requested_at, due_at, ended_at, outcome, qlik_answer)
         SELECT ?, ?, ?, ?, ?, 'failed', ?, ?, ?, ?, ?, ?, ?, ?
         WHERE NOT EXISTS (SELECT 1 FROM remediation_actions WHERE incident_id = ? AND kind = ? AND (requested_by = ? OR (? = 1 AND status = 'awaiting')) AND requested_at >= ?)`,
        [
          a.incidentId,
          a.taskId.toLowerCase(),
          a.taskName,
          a.node?.toLowerCase() ?? null,
          a.kind,
          a.requestedBy,
          a.requestedFrom,
          a.requestedIp ?? null,
          a.requestedAt,
          a.dueAt,
          a.requestedAt,
          outcome,
          reason,
          a.incidentId,
          a.kind,
          a.requestedBy,
          samePerson ? 1 : 0,
          since,
        ],
      );
      return res.changes === 1;
    },
  };
}
