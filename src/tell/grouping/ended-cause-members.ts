// The ended cause a still-open task incident belongs to: a cause can end (the queue emptied, the node came back) while a
// task it failed stays failed until its next run. Its incident is still that cause's, not a cause of its own: found by
// the run the cause recorded (cause_runs) or the event it held as a symptom. SQL written once for SQLite and PostgreSQL.
import type { SqlDb, SqlValue } from "../../platform/store/sql";
import { type ParentRow, type Row, toParent } from "./cause-rows";

/** Incidents looked up at once (a dashboard page). */
const MAX_REFS = 500;

/** An open incident's last failure: its subject, its event's id and its run's id. */
export interface FailureRef {
  subject: string;
  eventId: string;
  runId: string;
}

export interface EndedCauseMembers {
  /** For each subject, the newest ended cause that recorded its last failure (as a run or as a symptom's event). */
  endedCausesOf(refs: readonly FailureRef[]): Promise<Map<string, ParentRow>>;
  /** What an ended cause recorded: the runs and the symptoms' events, to find which open incidents are its. */
  recorded(parentId: number): Promise<{ runIds: Set<string>; eventIds: Set<string> }>;
}

const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");

export function createEndedCauseMembers(db: SqlDb): EndedCauseMembers {
  return {
    async endedCausesOf(refs) {
      const list = refs.slice(0, MAX_REFS);
      const out = new Map<string, ParentRow>();
      if (list.length === 0) return out;
      const bySubject = new Map<string, ParentRow>();
      const runs = [...new Set(list.map((r) => r.runId.toLowerCase()))];
      const byRun = await db.all<Row>(
        `SELECT r.run_id AS member_run, p.* FROM cause_runs r JOIN cause_parents p ON p.id = r.parent_id
         WHERE p.status = 'closed' AND r.run_id IN (${marks(runs.length)}) ORDER BY p.id DESC`,
        runs,
      );
      const runParent = new Map<string, ParentRow>();
      for (const r of byRun) if (!runParent.has(String(r.member_run))) runParent.set(String(r.member_run), toParent(r));
      const events = list.map((r) => r.eventId);
      const subjects = [...new Set(list.map((r) => r.subject))];
      const args: SqlValue[] = [...subjects, ...events];
      const bySymptom = await db.all<Row>(
        `SELECT s.subject AS member_subject, s.event_id AS member_event, p.* FROM cause_symptoms s JOIN cause_parents p ON p.id = s.parent_id
         WHERE p.status = 'closed' AND s.subject IN (${marks(subjects.length)}) AND s.event_id IN (${marks(events.length)}) ORDER BY p.id DESC`,
        args,
      );
      for (const r of bySymptom) {
        const key = `${String(r.member_subject)}\n${String(r.member_event)}`;
        if (!bySubject.has(key)) bySubject.set(key, toParent(r));
      }
      for (const ref of list) {
        const found = runParent.get(ref.runId.toLowerCase()) ?? bySubject.get(`${ref.subject}\n${ref.eventId}`);
        if (found) out.set(ref.subject, found);
      }
      return out;
    },
    async recorded(parentId) {
      const runs = await db.all<{ run_id: string }>("SELECT run_id FROM cause_runs WHERE parent_id = ?", [parentId]);
      const events = await db.all<{ event_id: string }>("SELECT event_id FROM cause_symptoms WHERE parent_id = ?", [parentId]);
      return { runIds: new Set(runs.map((r) => String(r.run_id))), eventIds: new Set(events.map((e) => String(e.event_id))) };
    },
  };
}
