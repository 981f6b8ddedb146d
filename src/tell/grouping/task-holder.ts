// Which cause holds a task up (issue 76): the freshness judge names the cause that stops a promised chain ("cannot be
// met until cause #3 is fixed") without reading the cause tables itself; the composition root hands it this lookup.
// An open cause holds a task it lists (a symptom, or waiting: a node's cause lists all the node runs), except one that
// only awaits a reload of data a job has since delivered (nothing holds it up now: a failure of it is its own cause);
// an ended one only a task it really held (a missed start, a stopped chain, a failed run), and only if it ended since.
import type { SqlDb, SqlValue } from "../../platform/store/sql";
import { MAX_LOOKUP } from "./cause-rows";

export interface TaskHolder {
  id: number;
  causeKey: string;
  title: string;
  openedAt: number;
  /** When it ended; null while it is open. */
  closedAt: number | null;
  /** The task it holds (the first of those asked about that it holds), lower case, and its name when known. */
  taskId: string;
  taskName: string | null;
}

/** At most this many (cause, task) pairs are read per question: enough to pick the first task asked about. */
const MAX_ROWS = 200;

export function createTaskHolders(db: SqlDb) {
  const pick = (rows: Array<Record<string, SqlValue>>, ids: readonly string[]): TaskHolder | undefined => {
    const rank = (r: Record<string, SqlValue>) => ids.indexOf(String(r.task_id));
    const best = [...rows].sort((a, b) => rank(a) - rank(b) || Number(a.id) - Number(b.id))[0];
    if (!best) return undefined;
    return {
      id: Number(best.id),
      causeKey: String(best.cause_key),
      title: String(best.title),
      openedAt: Number(best.opened_at),
      closedAt: best.closed_at === null || best.closed_at === undefined ? null : Number(best.closed_at),
      taskId: String(best.task_id),
      taskName: best.task_name === null || best.task_name === undefined ? null : String(best.task_name),
    };
  };
  return {
    /** The cause holding one of the tasks (earlier ids first): an open one, else one ended at or after `sinceMs`. */
    async holderOf(taskIds: readonly string[], sinceMs: number): Promise<TaskHolder | undefined> {
      const ids = [...new Set(taskIds.map((t) => t.toLowerCase()))].slice(0, MAX_LOOKUP);
      if (ids.length === 0) return undefined;
      const marks = ids.map(() => "?").join(", ");
      const cols = "p.id, p.cause_key, p.title, p.opened_at, p.closed_at, s.task_id, s.task_name";
      const open = await db.all<Record<string, SqlValue>>(
        `SELECT ${cols} FROM cause_symptoms s JOIN cause_parents p ON p.id = s.parent_id WHERE p.status = 'open' AND s.state <> 'awaiting' AND s.task_id IN (${marks}) ORDER BY p.id LIMIT ${MAX_ROWS}`,
        ids,
      );
      if (open.length > 0) return pick(open, ids);
      const ended = await db.all<Record<string, SqlValue>>(
        `SELECT ${cols} FROM cause_symptoms s JOIN cause_parents p ON p.id = s.parent_id
         WHERE p.status = 'closed' AND p.closed_at >= ? AND s.state <> 'waiting' AND s.kind NOT LIKE '%.waiting' AND s.task_id IN (${marks})
         ORDER BY p.closed_at DESC, p.id DESC LIMIT ${MAX_ROWS}`,
        [sinceMs, ...ids],
      );
      return pick(ended, ids);
    },
  };
}
