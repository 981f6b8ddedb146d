// A node down that QRS does not report (its Scheduler alive to the Repository, yet starting nothing): the node's
// datagrams stopped and two or more of the tasks that last ran there miss their starts close together (issue 64).
// The second missed start opens the node's cause ("no task starts on …") and is its page; the first joins it. The
// first run heard from the node again ends it. Needs the node's datagrams: a node never heard is never judged so.
import type { SqlDb } from "../../platform/store/sql";
import type { WatchdogEvent } from "../../platform/events/types";

/** Missed starts this close together count as one look's (the watchdog's interval and grace, with room). */
const TOGETHER_MS = 15 * 60_000;
/** Tasks of one node that must miss their starts together. */
const MIN_TASKS = 2;
/** A node's last-heard time is written at most this often per Steward. */
const WRITE_EVERY_MS = 60_000;
/** Missed starts remembered per node at most. */
const MAX_PER_NODE = 500;

export interface MissedOnNode {
  taskId: string;
  dueMs: number;
  event: WatchdogEvent;
}

export type SilentNodes = ReturnType<typeof createSilentNodes>;

export function createSilentNodes(db: SqlDb) {
  const written = new Map<string, number>();
  const missed = new Map<string, MissedOnNode[]>();
  return {
    /** A run was heard from `node` (a task event its Scheduler sent). */
    async heard(node: string, now: number): Promise<void> {
      missed.delete(node);
      if (now - (written.get(node) ?? Number.NEGATIVE_INFINITY) < WRITE_EVERY_MS) return;
      written.set(node, now);
      await db.run("INSERT INTO cause_node_heard (node, heard_at) VALUES (?, ?) ON CONFLICT (node) DO UPDATE SET heard_at = excluded.heard_at", [node, now]);
    },
    /**
     * A start missed by a task that last ran on `node`. Returns the missed starts that make the node silent (this
     * one last) when two or more tasks missed theirs together and nothing was heard from the node since the first
     * was due; else undefined (this one is remembered).
     */
    async missedOn(node: string, e: WatchdogEvent): Promise<MissedOnNode[] | undefined> {
      const due = Date.parse(String(e.data.expectedAt ?? e.condition.openedAt));
      if (!e.task || !Number.isFinite(due)) return undefined;
      const recent = (missed.get(node) ?? []).filter((m) => Math.abs(due - m.dueMs) <= TOGETHER_MS && m.taskId !== e.task!.id);
      const all = [...recent, { taskId: e.task.id, dueMs: due, event: e }].slice(-MAX_PER_NODE);
      missed.set(node, all);
      if (new Set(all.map((m) => m.taskId)).size < MIN_TASKS) return undefined;
      const r = await db.get<{ heard_at: number }>("SELECT heard_at FROM cause_node_heard WHERE node = ?", [node]);
      if (!r) return undefined;
      const first = Math.min(...all.map((m) => m.dueMs));
      if (Number(r.heard_at) >= first) return undefined;
      missed.delete(node);
      return all;
    },
  };
}
