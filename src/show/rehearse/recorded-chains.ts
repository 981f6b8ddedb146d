// The Qlik chains a rehearsed "fresh by" promise's data must come through (issue 102's rule, rehearsed: issue 105): the
// task-event triggers of the watchdog's plan as the store keeps it (cause_chain_plan), and the recorded runs of the
// tasks upstream of another's (watchdog_runs). At each moment the rehearsal judges, the tasks are seen as the watchdog
// saw them then (each one's last run and whether it was running), so a reload of old inputs after its chain's head
// failed is not fresh data in the rehearsal either. SELECTs only, bounded.
import type { SqlDb } from "../../platform/store/sql";
import type { TaskView } from "../../watch/watchdog/evaluate";

/** QRS composite rule state 1: the task waits for the upstream's success (2 would be its failure). */
const ON_SUCCESS = 1;

interface PlanTask {
  id: string;
  name: string;
  enabled: boolean;
  appId?: string;
  chains: Array<{ upstreamIds: string[]; ruleStates: number[] }>;
}

interface TaskRun {
  status: number;
  startMs?: number;
  stopMs: number;
}

export interface RecordedChains {
  tasks: ReadonlyArray<{ id: string; name: string; appId?: string; after: Array<{ upstreamIds: string[]; onSuccess: boolean }> }>;
  /** The recorded runs of each task some other task waits for, by ended time. */
  runs: ReadonlyMap<string, readonly TaskRun[]>;
  /** Set when the read hit its bound: runs ended after it are not known. */
  truncatedAt?: number;
}

type Num = number | string | null;

/** The stored plan's chains and their upstream tasks' runs that ended in [from, to]; undefined without a plan. */
export async function readRecordedChains(db: SqlDb, from: number, to: number, limit: number): Promise<RecordedChains | undefined> {
  const row = await db.get<{ plan: string }>("SELECT plan FROM cause_chain_plan WHERE site = ?", ["qrs"]);
  if (!row) return undefined;
  const plan = JSON.parse(row.plan) as { tasks: PlanTask[] };
  const tasks = plan.tasks
    .filter((t) => t.enabled)
    .map((t) => ({
      id: t.id.toLowerCase(),
      name: t.name,
      ...(t.appId ? { appId: t.appId.toLowerCase() } : {}),
      after: t.chains.map((c) => ({ upstreamIds: c.upstreamIds.map((u) => u.toLowerCase()), onSuccess: c.ruleStates.every((s) => s === ON_SUCCESS) })),
    }));
  const upstream = new Set(tasks.flatMap((t) => t.after.flatMap((a) => a.upstreamIds)));
  if (upstream.size === 0) return { tasks, runs: new Map() };
  const rows = await db.all<{ task_id: string; status: Num; start_ms: Num; stop_ms: Num }>(
    "SELECT task_id, status, start_ms, stop_ms FROM watchdog_runs WHERE stop_ms >= ? AND stop_ms <= ? ORDER BY stop_ms LIMIT ?",
    [from, to, limit],
  );
  const runs = new Map<string, TaskRun[]>();
  for (const r of rows) {
    const id = r.task_id.toLowerCase();
    if (!upstream.has(id)) continue;
    const run = { status: Number(r.status), ...(r.start_ms !== null ? { startMs: Number(r.start_ms) } : {}), stopMs: Number(r.stop_ms) };
    (runs.get(id) ?? runs.set(id, []).get(id)!).push(run);
  }
  return { tasks, runs, ...(rows.length === limit ? { truncatedAt: Number(rows.at(-1)!.stop_ms) } : {}) };
}

/** The tasks as the watchdog saw them at `t`: each one's last run ended by then, and the run going on then. */
export function tasksAt(chains: RecordedChains, t: number): TaskView[] {
  return chains.tasks.map((task) => {
    const runs = chains.runs.get(task.id) ?? [];
    // The last run ended by `t` (runs are by ended time; a task runs once at a time), and the one after it if it had begun.
    let lo = 0;
    let hi = runs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (runs[mid]!.stopMs <= t) lo = mid + 1;
      else hi = mid;
    }
    const last = runs[lo - 1];
    const next = runs[lo];
    const running = next?.startMs !== undefined && next.startMs <= t ? next : undefined;
    return {
      id: task.id,
      name: task.name,
      ...(task.appId ? { appId: task.appId } : {}),
      watched: true,
      ...(last ? { lastRunMs: last.stopMs, lastStatus: last.status } : {}),
      ...(running?.startMs !== undefined ? { runningSinceMs: running.startMs } : {}),
      ...(task.after.length > 0 ? { after: task.after } : {}),
    };
  });
}
