// Acknowledging a cause: the parent records who is on it, and hands back the subjects it holds open, so the incidents
// service acknowledges each task's incident with it. One cause, one acknowledgement, whichever door it came through
// (the page's link, the dashboard, the API, the assistant). SQL written once for SQLite and PostgreSQL.
import type { SqlDb } from "../../platform/store/sql";
import { type ParentRow, type Row, toParent } from "./cause-rows";
import { createEndedCauseMembers, type EndedCauseMembers } from "./ended-cause-members";

/** Subjects looked up at once (a dashboard page of incidents). */
const MAX_SUBJECTS = 500;

/**
 * A task's incident is `task:<id>`; the cause may hold it under that subject (its failure) or under a watchdog
 * condition naming the task (its missed start, `watch:…` with the task's id), so both are matched.
 */
const taskIdOf = (subject: string) => (subject.startsWith("task:") ? subject.slice(5) : null);

export interface CauseAcknowledger extends EndedCauseMembers {
  /** The open causes holding the subject as an open symptom, oldest first. */
  openCausesOf(subject: string): Promise<ParentRow[]>;
  /** For each subject, the oldest open cause holding it open (the dashboard's incidents name it). */
  openCausesOfSubjects(subjects: readonly string[]): Promise<Map<string, ParentRow>>;
  /**
   * Marks an open cause acknowledged (the first acknowledgement is kept) and returns it with the subjects it holds
   * open; undefined when it is closed or unknown.
   */
  acknowledge(parentId: number, by: string, note: string | null, now: number): Promise<{ parent: ParentRow; subjects: string[] } | undefined>;
  /** The subjects an open cause holds open, tasks' and conditions' (a snooze of the cause holds each of their incidents). */
  openSubjects(parentId: number): Promise<string[]>;
  /** The open causes, oldest first (what needs someone now). */
  openCauses(limit: number): Promise<ParentRow[]>;
  /**
   * A person resolves an open cause: every symptom it holds open is marked recovered except `keep` (the task incidents
   * being resolved, whose recoveries close it with its recovered page); with nothing left open the cause closes here,
   * and `closed` says so. Undefined when the cause is closed or unknown.
   */
  resolve(parentId: number, keep: readonly string[], now: number): Promise<{ parent: ParentRow; closed: boolean } | undefined>;
  /** Whether the cause is open or closed; undefined when there is none of that id. */
  status(parentId: number): Promise<"open" | "closed" | undefined>;
}

export function createCauseAcknowledger(db: SqlDb): CauseAcknowledger {
  async function openSubjects(parentId: number): Promise<string[]> {
    const rows = await db.all<{ subject: string; task_id: string | null }>(
      "SELECT subject, task_id FROM cause_symptoms WHERE parent_id = ? AND state = 'open' ORDER BY subject",
      [parentId],
    );
    const subjects = new Set<string>();
    for (const row of rows) {
      // Every open symptom: a task's failure, and a condition (a missed start, a stopped service) that is an incident
      // of its own under the same subject (tell/incidents/condition-incidents.ts); a condition naming a task holds
      // that task's incident too.
      if (!String(row.subject).startsWith("app:")) subjects.add(String(row.subject));
      if (row.task_id) subjects.add(`task:${String(row.task_id)}`);
    }
    return [...subjects];
  }
  return {
    ...createEndedCauseMembers(db),
    async openCausesOf(subject) {
      const rows = await db.all<Row>(
        `SELECT DISTINCT p.* FROM cause_symptoms s JOIN cause_parents p ON p.id = s.parent_id
         WHERE (s.subject = ? OR s.task_id = ?) AND s.state = 'open' AND p.status = 'open' ORDER BY p.id`,
        [subject, taskIdOf(subject)],
      );
      return rows.map(toParent);
    },
    async openCausesOfSubjects(subjects) {
      const list = [...new Set(subjects)].slice(0, MAX_SUBJECTS);
      const out = new Map<string, ParentRow>();
      if (list.length === 0) return out;
      const marks = list.map(() => "?").join(", ");
      const ids = list.map(taskIdOf).filter((id): id is string => id !== null);
      const rows = await db.all<Row>(
        `SELECT s.subject AS symptom_subject, s.task_id AS symptom_task, p.* FROM cause_symptoms s JOIN cause_parents p ON p.id = s.parent_id
         WHERE s.state = 'open' AND p.status = 'open' AND (s.subject IN (${marks})${ids.length ? ` OR s.task_id IN (${ids.map(() => "?").join(", ")})` : ""})
         ORDER BY p.id`,
        [...list, ...ids],
      );
      const wanted = new Set(list);
      for (const r of rows) {
        const bySubject = String(r.symptom_subject);
        const byTask = r.symptom_task ? `task:${String(r.symptom_task)}` : undefined;
        for (const subject of [bySubject, byTask]) if (subject && wanted.has(subject) && !out.has(subject)) out.set(subject, toParent(r));
      }
      return out;
    },
    async acknowledge(parentId, by, note, now) {
      await db.run(
        "UPDATE cause_parents SET acknowledged_at = ?, acknowledged_by = ?, acknowledged_note = ? WHERE id = ? AND status = 'open' AND acknowledged_at IS NULL",
        [now, by.slice(0, 200), note === null ? null : note.slice(0, 500), parentId],
      );
      const r = await db.get<Row>("SELECT * FROM cause_parents WHERE id = ? AND status = 'open'", [parentId]);
      if (!r) return undefined;
      return { parent: toParent(r), subjects: await openSubjects(parentId) };
    },
    openSubjects,
    async resolve(parentId, keep, now) {
      const r = await db.get<Row>("SELECT * FROM cause_parents WHERE id = ? AND status = 'open'", [parentId]);
      if (!r) return undefined;
      const kept = [...new Set(keep)].slice(0, MAX_SUBJECTS);
      await db.run(
        `UPDATE cause_symptoms SET state = 'recovered', recovered_at = ? WHERE parent_id = ? AND state IN ('open', 'awaiting')${
          kept.length ? ` AND subject NOT IN (${kept.map(() => "?").join(", ")})` : ""
        }`,
        [now, parentId, ...kept],
      );
      // A kept incident the cause holds under another subject (a missed start, watch:…) leaves nothing open here.
      const left = await db.get("SELECT 1 AS x FROM cause_symptoms WHERE parent_id = ? AND state IN ('open', 'awaiting') LIMIT 1", [parentId]);
      if (left !== undefined) return { parent: toParent(r), closed: false };
      const closed = (
        await db.run("UPDATE cause_parents SET status = 'closed', closed_at = ?, last_at = ? WHERE id = ? AND status = 'open'", [now, now, parentId])
      ).changes;
      return { parent: toParent(r), closed: closed === 1 };
    },
    async status(parentId) {
      const r = await db.get<{ status: string }>("SELECT status FROM cause_parents WHERE id = ?", [parentId]);
      return r ? (String(r.status) === "open" ? "open" : "closed") : undefined;
    },
    async openCauses(limit) {
      return (await db.all<Row>("SELECT * FROM cause_parents WHERE status = 'open' ORDER BY id LIMIT ?", [limit])).map(toParent);
    },
  };
}
