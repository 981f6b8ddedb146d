// Where each task last ran, from the task events: a node's cause lists what that node runs (what it would have run
// while down), and a missed start, which the watchdog cannot place on a node, is put on the node its task last ran
// on. Written only when a task's node or names change (a cache per Steward), so a steady site costs no writes.
import type { TaskEvent } from "../../platform/events/types";
import type { SqlDb } from "../../platform/store/sql";
import type { SymptomInput } from "./cause-store";

/** Tasks a node's cause lists at most (the count on the dashboard says when a node runs more). */
const MAX_LISTED = 2_000;
/** Tasks remembered per Steward to skip unchanged writes; past it the cache starts again (a write each, no harm). */
const MAX_CACHED = 20_000;

export type TaskNodes = ReturnType<typeof createTaskNodes>;

export function createTaskNodes(db: SqlDb) {
  const seen = new Map<string, string>();
  return {
    async note(node: string, e: TaskEvent, now: number): Promise<void> {
      const id = e.task.id.toLowerCase();
      const sig = `${node}|${e.task.name}|${e.app?.id ?? ""}|${e.app?.name ?? ""}|${e.app?.stream ?? ""}`;
      if (seen.get(id) === sig) return;
      await db.run(
        `INSERT INTO cause_task_nodes (task_id, node, task_name, app_id, app_name, stream, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (task_id) DO UPDATE SET node = excluded.node, task_name = excluded.task_name, app_id = excluded.app_id,
           app_name = excluded.app_name, stream = excluded.stream, seen_at = excluded.seen_at`,
        [id, node, e.task.name.slice(0, 500), e.app?.id.toLowerCase() ?? null, e.app?.name ?? null, e.app?.stream ?? null, now],
      );
      if (seen.size >= MAX_CACHED) seen.clear();
      seen.set(id, sig);
    },
    async nodeOf(taskId: string): Promise<string | undefined> {
      const r = await db.get<{ node: string }>("SELECT node FROM cause_task_nodes WHERE task_id = ?", [taskId.toLowerCase()]);
      return r ? String(r.node) : undefined;
    },
    /** What the node runs, as waiting entries of its cause. */
    async waitingOn(node: string, eventId: string): Promise<SymptomInput[]> {
      const rows = await db.all<Record<string, string | null>>("SELECT * FROM cause_task_nodes WHERE node = ? ORDER BY task_name LIMIT ?", [node, MAX_LISTED]);
      return rows.map((r) => ({
        subject: `task:${r.task_id}`,
        kind: "task.waiting",
        eventId,
        taskName: String(r.task_name),
        taskId: String(r.task_id),
        ...(r.app_id ? { appId: r.app_id } : {}),
        ...(r.app_name ? { appName: r.app_name } : {}),
        ...(r.stream ? { stream: r.stream } : {}),
      }));
    },
  };
}
