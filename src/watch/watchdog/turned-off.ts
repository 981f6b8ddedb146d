// Which tasks stopped being able to run on their own since the last look, and how: the task disabled or deleted,
// its last trigger disabled, expired or deleted, or the upstream task its only chain waits for deleted. Judged by
// comparing what QRS shows now with what Steward saw before (kept in the store), so a task already off when
// watching began is history, not news. Pure: the caller keeps the snapshot and opens the conditions.
import type { TurnedOff } from "./watchdog-event";
import type { TaskFacts, TriggerFacts, TurnOffFacts } from "./turned-off-facts";

interface SeenTrigger {
  id: string;
  name: string;
  kind: "schedule" | "chain";
  upstreamIds: string[];
}

export interface SeenTask {
  name: string;
  appId?: string;
  /** Enabled and with at least one trigger that still fires: it runs without anyone starting it. */
  runnable: boolean;
  live: SeenTrigger[];
  /** When the plan that showed it was read. */
  seenAtMs: number;
}

export type Seen = Record<string, SeenTask>;

export interface TurnedOffChange {
  taskId: string;
  taskName: string;
  appId?: string;
  turnedOff: TurnedOff;
  trigger?: string;
  upstreamTask?: string;
  changedBy?: string;
  changedAtMs?: number;
  lastSeenAtMs?: number;
  /** disabled-by-qlik: the failed runs in a row before it. */
  failures?: number;
  /** Qlik Cloud: the task's metadata.disabledCode, when Qlik gives one. */
  disabledCode?: string;
}

/** The triggers that still start the task by themselves (recurring schedules not expired, chains whose upstreams all exist). */
export function liveTriggers(t: TaskFacts, all: ReadonlyMap<string, TaskFacts>, nowMs: number): TriggerFacts[] {
  return t.triggers.filter(
    (tr) =>
      tr.enabled && !tr.once && tr.expiresMs > nowMs && (tr.kind === "schedule" || (tr.upstreamIds.length > 0 && tr.upstreamIds.every((u) => all.has(u)))),
  );
}

/** How a task that still exists and is enabled lost its last live trigger (the first explanation of its former ones). */
function whyNoTrigger(t: TaskFacts, before: SeenTask, prev: Seen, facts: TurnOffFacts, nowMs: number): Omit<TurnedOffChange, "taskId" | "taskName"> {
  for (const old of before.live) {
    const gone = old.kind === "chain" ? old.upstreamIds.find((u) => !facts.tasks.has(u)) : undefined;
    if (gone !== undefined)
      return {
        turnedOff: "upstream-deleted",
        trigger: old.name,
        upstreamTask: prev[gone]?.name ?? gone,
        ...(prev[gone] ? { lastSeenAtMs: prev[gone].seenAtMs } : {}),
      };
  }
  for (const old of before.live) {
    const now = t.triggers.find((x) => x.id === old.id);
    const by = now?.modifiedBy ? { changedBy: now.modifiedBy } : {};
    if (now && !now.enabled)
      return { turnedOff: "trigger-disabled", trigger: old.name, ...by, ...(now.modifiedMs !== undefined ? { changedAtMs: now.modifiedMs } : {}) };
    if (now && now.expiresMs <= nowMs) return { turnedOff: "trigger-expired", trigger: old.name, ...by, changedAtMs: now.expiresMs };
    if (now && now.kind === "chain" && now.upstreamIds.includes("(deleted)")) return { turnedOff: "upstream-deleted", trigger: old.name };
  }
  const first = before.live[0];
  return { turnedOff: "trigger-deleted", ...(first ? { trigger: first.name } : {}), lastSeenAtMs: before.seenAtMs };
}

/** The same task as seen before, apart from when (asked for every task at every look, so without serialising both). */
function sameButSeen(a: SeenTask, b: SeenTask): boolean {
  if (a.name !== b.name || a.appId !== b.appId || a.runnable !== b.runnable || a.live.length !== b.live.length) return false;
  return a.live.every((x, i) => {
    const y = b.live[i]!;
    return (
      x.id === y.id &&
      x.name === y.name &&
      x.kind === y.kind &&
      x.upstreamIds.length === y.upstreamIds.length &&
      x.upstreamIds.every((u, j) => u === y.upstreamIds[j])
    );
  });
}

/** "Last seen" moves on at most this often while nothing else changes, so the stored snapshot is not rewritten every look. */
const SEEN_STEP_MS = 60 * 60_000;

export function judgeTurnedOff(prev: Seen | undefined, facts: TurnOffFacts, readAtMs: number, nowMs: number): { changes: TurnedOffChange[]; seen: Seen } {
  const seen: Seen = {};
  for (const t of facts.tasks.values()) {
    const live = liveTriggers(t, facts.tasks, nowMs);
    const entry: SeenTask = {
      name: t.name,
      ...(t.appId ? { appId: t.appId } : {}),
      runnable: t.enabled && live.length > 0,
      live: live.map((x) => ({ id: x.id, name: x.name, kind: x.kind, upstreamIds: x.upstreamIds })),
      seenAtMs: readAtMs,
    };
    const old = prev?.[t.id];
    if (old && readAtMs - old.seenAtMs < SEEN_STEP_MS && sameButSeen(old, entry)) entry.seenAtMs = old.seenAtMs;
    seen[t.id] = entry;
  }
  const changes: TurnedOffChange[] = [];
  if (!prev) return { changes, seen };
  for (const [id, before] of Object.entries(prev)) {
    const t = facts.tasks.get(id);
    if (!t && !facts.complete) {
      seen[id] = before; // not in a list Steward could not read: still known, not deleted
      continue;
    }
    if (!before.runnable || seen[id]?.runnable) continue;
    if (t?.enabled && !facts.complete) {
      seen[id] = before; // its trigger may be a row Steward could not read: not "turned off"
      continue;
    }
    const base = { taskId: id, taskName: t?.name ?? before.name, ...((t?.appId ?? before.appId) ? { appId: t?.appId ?? before.appId } : {}) };
    if (!t) changes.push({ ...base, turnedOff: "task-deleted", lastSeenAtMs: before.seenAtMs });
    else if (!t.enabled)
      changes.push({
        ...base,
        turnedOff: "task-disabled",
        ...(t.modifiedBy ? { changedBy: t.modifiedBy } : {}),
        ...(t.modifiedMs !== undefined ? { changedAtMs: t.modifiedMs } : {}),
      });
    else changes.push({ ...base, ...whyNoTrigger(t, before, prev, facts, nowMs) });
  }
  return { changes, seen };
}
