// SQL of a job's cause after the job checked in: what it feeds, listed as waiting, now awaits a reload of the new data
// (state 'awaiting', since the check-in: last_at) and holds the cause open until such a reload succeeds (issue 76).
import type { SqlDb } from "../../platform/store/sql";
import { low, type Row } from "./cause-rows";
import { closeIfSettled, type RecoveredEntry, recoverSymptom } from "./symptom-recovery";

/** An entry of an open job's cause awaiting a reload: its parent, subject, task, app and since when (the check-in). */
export interface AwaitingRow {
  parentId: number;
  subject: string;
  taskId: string | null;
  appId: string | null;
  appName: string | null;
  since: number;
}

export function awaitingData(db: SqlDb, lock: string) {
  return {
    /** The job checked in at `at`: these entries of the parent (waiting, or awaiting since an earlier check-in) await a reload from then. */
    async awaitReloads(parentId: number, subjects: readonly string[], at: number): Promise<void> {
      if (subjects.length === 0) return;
      await db.transaction(async (tx) => {
        for (const subject of subjects)
          await tx.run("UPDATE cause_symptoms SET state = 'awaiting', last_at = ? WHERE parent_id = ? AND subject = ? AND state IN ('waiting', 'awaiting')", [
            at,
            parentId,
            subject,
          ]);
      });
    },
    /** Entries of open job causes (`checkin:` keys) awaiting a reload of this task, or of this app. */
    async awaitingFor(taskId: string, app: { id?: string; name?: string }): Promise<AwaitingRow[]> {
      const rows = await db.all<Row>(
        `SELECT s.parent_id, s.subject, s.task_id, s.app_id, s.app_name, s.last_at FROM cause_symptoms s JOIN cause_parents p ON p.id = s.parent_id
         WHERE p.status = 'open' AND p.cause_key LIKE 'checkin:%' AND s.state = 'awaiting'
           AND (s.task_id = ? OR (s.subject LIKE 'app:%' AND (s.app_id = ? OR LOWER(s.app_name) = ?)))`,
        [low(taskId), low(app.id) ?? "", app.name?.toLowerCase() ?? ""],
      );
      return rows.map((r) => ({
        parentId: Number(r.parent_id),
        subject: String(r.subject),
        taskId: r.task_id === null ? null : String(r.task_id),
        appId: r.app_id === null ? null : String(r.app_id),
        appName: r.app_name === null ? null : String(r.app_name),
        since: Number(r.last_at),
      }));
    },
    /** The task ids still awaiting a reload in the parent. */
    async awaitingTasks(parentId: number): Promise<Set<string>> {
      const rows = await db.all<{ task_id: string }>(
        "SELECT task_id FROM cause_symptoms WHERE parent_id = ? AND state = 'awaiting' AND task_id IS NOT NULL AND subject LIKE 'task:%'",
        [parentId],
      );
      return new Set(rows.map((r) => String(r.task_id)));
    },
    /**
     * These entries were reloaded: recovered, and the parent closed when nothing in it is open or awaiting any more;
     * `closed` only for the call that closed it (so its recovered page is sent once).
     */
    async reloaded(parentId: number, subjects: readonly string[], now: number): Promise<RecoveredEntry> {
      return db.transaction(async (tx) => {
        await tx.get(`SELECT p.id FROM cause_parents p WHERE p.id = ?${lock}`, [parentId]);
        for (const subject of subjects) await recoverSymptom(tx, parentId, subject, "awaiting", now);
        return closeIfSettled(tx, parentId, now);
      });
    },
  };
}
