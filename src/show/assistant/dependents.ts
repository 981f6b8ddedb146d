// "What depends on X": the tasks downstream of a task, an app or a check-in job, walked over the chain the watchdog
// reads from QRS (each task's task-event triggers name what it waits for; check-ins name what they feed).
/** The part of GET /v4/watchdog the walk reads. */
export interface WatchdogView {
  enabled: boolean;
  open?: unknown[];
  recentlyClosed?: unknown[];
  tasks?: Array<{
    id: string;
    name: string;
    appId: string | null;
    afterTasks?: Array<{ id: string; name: string }>;
    afterCheckins?: string[];
    notWatchedReason?: string | null;
    /** Why no start of a watched task can be expected (no trigger, only disabled ones). */
    startsNotWatched?: string | null;
    notWatched?: unknown[];
  }>;
  checkins?: Array<{ name: string; feeds: { tasks: string[]; apps: string[] } }>;
}

type Task = NonNullable<WatchdogView["tasks"]>[number];

export interface Dependents {
  of: string;
  /** Found by the name or id given. */
  found: boolean;
  /** Every task downstream, nearest first: `depth` 1 waits for it directly. */
  downstream: Array<{ id: string; name: string; appId: string | null; depth: number; waitsFor: string[] }>;
}

/** A site's chains are small; the walk stops at this many tasks all the same (a cycle, a huge fan-out). */
const WALK_MAX = 500;

export function dependentsOf(view: WatchdogView, q: { task?: string; app?: string; checkin?: string }): Dependents {
  const tasks = view.tasks ?? [];
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  let start: Task[];
  let of: string;
  if (q.task) {
    start = tasks.filter((t) => t.id === q.task || same(t.name, q.task!));
    of = `task ${q.task}`;
  } else if (q.app) {
    start = tasks.filter((t) => t.appId !== null && same(t.appId, q.app!));
    of = `app ${q.app}`;
  } else {
    const name = q.checkin!;
    of = `check-in ${name}`;
    // The check-in's direct dependents are the tasks it names (or that reload an app it names), then their chains.
    const check = (view.checkins ?? []).find((c) => same(c.name, name));
    const fed = (t: Task) => (t.afterCheckins ?? []).some((c) => same(c, name));
    const first = tasks.filter(fed);
    if (!check && first.length === 0) return { of, found: false, downstream: [] };
    return { of, found: true, downstream: walk(tasks, first, 1, () => [name]) };
  }
  if (start.length === 0) return { of, found: false, downstream: [] };
  const startIds = new Set(start.map((t) => t.id));
  const direct = tasks.filter((t) => !startIds.has(t.id) && (t.afterTasks ?? []).some((a) => startIds.has(a.id)));
  return { of, found: true, downstream: walk(tasks, direct, 1, (t) => (t.afterTasks ?? []).filter((a) => startIds.has(a.id)).map((a) => a.name), startIds) };
}

function walk(tasks: readonly Task[], first: Task[], depth: number, firstWaits: (t: Task) => string[], seen = new Set<string>()) {
  const out: Dependents["downstream"] = [];
  let level = first.filter((t) => !seen.has(t.id));
  for (const t of level) seen.add(t.id);
  let waits = firstWaits;
  while (level.length > 0 && out.length < WALK_MAX) {
    const ids = new Set(level.map((t) => t.id));
    for (const t of level) out.push({ id: t.id, name: t.name, appId: t.appId, depth, waitsFor: waits(t) });
    const next = tasks.filter((t) => !seen.has(t.id) && (t.afterTasks ?? []).some((a) => ids.has(a.id)));
    for (const t of next) seen.add(t.id);
    waits = (t) => (t.afterTasks ?? []).filter((a) => ids.has(a.id)).map((a) => a.name);
    level = next;
    depth++;
  }
  return out.slice(0, WALK_MAX);
}
