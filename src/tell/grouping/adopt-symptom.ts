// A symptom taken into a cause that opened after it (issue 102: a promise's earlier warning joins the cause that
// explains it), as one claim in the store. Two causes opening at once on two Stewards both looked for a cause already
// holding the warning, found none, and both took it in: two pages naming it, its breach and recovery counted twice.
import type { SqlDb } from "../../platform/store/sql";
import { low, type SymptomInput } from "./cause-rows";

/** Arbitrary, fixed: the class of the advisory lock taken per subject while it is adopted (27 is the incidents'). */
const ADOPT_LOCK_CLASS = 28;

/**
 * Takes the subject into the open parent unless an open parent already holds it open; false when another did first
 * or the parent closed. The subject is locked for the transaction on PostgreSQL (SQLite runs one transaction at a
 * time), and the check and the insert are inside it.
 */
export function adoptSymptom(db: SqlDb, parentId: number, s: SymptomInput, now: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const postgres = tx.dialect === "postgres";
    if (postgres) await tx.get("SELECT pg_advisory_xact_lock(?, hashtext(?)) AS locked", [ADOPT_LOCK_CLASS, s.subject]);
    const parent = await tx.get(`SELECT p.id FROM cause_parents p WHERE p.id = ? AND p.status = 'open'${postgres ? " FOR UPDATE OF p" : ""}`, [parentId]);
    if (!parent) return false;
    const held = await tx.get(
      "SELECT 1 AS x FROM cause_symptoms s JOIN cause_parents p ON p.id = s.parent_id WHERE s.subject = ? AND s.state = 'open' AND p.status = 'open'",
      [s.subject],
    );
    if (held) return false;
    await tx.run(
      `INSERT INTO cause_symptoms (parent_id, subject, task_name, app_name, stream, kind, event_id, state, first_at, last_at, task_id, app_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)
       ON CONFLICT (parent_id, subject) DO UPDATE SET state = 'open', kind = excluded.kind, event_id = excluded.event_id, last_at = excluded.last_at, recovered_at = NULL`,
      [parentId, s.subject, s.taskName ?? null, s.appName ?? null, s.stream ?? null, s.kind, s.eventId, now, now, low(s.taskId), low(s.appId)],
    );
    await tx.run("UPDATE cause_parents SET last_at = ? WHERE id = ?", [now, parentId]);
    return true;
  });
}
