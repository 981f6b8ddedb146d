// What the watchdog knows of one Qlik Cloud tenant's runs in a look: the starts and finished runs of each task,
// from the task list's last runs, the runs kept from earlier looks, and (when the last run alone cannot tell) the
// task's recent runs read from the tenant, a bounded number of tasks per look.
import type { WatchdogConfig } from "./config";
import { type CloudPlanTask, readRuns, runStatusCode } from "./cloud-plan";
import { type CloudWatchTenant, MAX_SINGLE_CALLS } from "./cloud-task-list";
import type { KeptRun } from "./run-list";
import type { RunRow, WatchStore } from "./watch-store";

export interface TenantRuns {
  /** Start times per task id (without the tenant prefix). */
  starts: Map<string, number[]>;
  /** Finished runs per task id, oldest first. */
  ends: Map<string, KeptRun[]>;
  /** Tasks whose recent runs were read this look. */
  fetched: Set<string>;
  /** Reads the task's recent runs (once per look, within the look's bound on single calls). */
  fetchRuns(task: CloudPlanTask): Promise<void>;
  /** The task's run in progress, if its last run has not ended. */
  running(task: CloudPlanTask): CloudPlanTask["last"] | undefined;
}

export async function readTenantRuns(
  t: CloudWatchTenant,
  tasks: CloudPlanTask[],
  store: WatchStore,
  cfg: WatchdogConfig,
  prefix: string,
  now: number,
): Promise<TenantRuns> {
  // What the list says of each task's last run: a finished one is kept to learn durations from.
  const rowOf = (task: CloudPlanTask, run: { id?: string; startedMs: number; endedMs: number; status: string }): RunRow => ({
    resultId: `${prefix}${task.id}:${run.id ?? run.startedMs}`,
    taskId: `${prefix}${task.id}`,
    ...(task.appId ? { appId: task.appId } : {}),
    status: runStatusCode(run.status),
    createdMs: run.startedMs,
    startMs: run.startedMs,
    stopMs: run.endedMs,
  });
  await store.addRuns(tasks.flatMap((task) => (task.last?.endedMs !== undefined ? [rowOf(task, { ...task.last, endedMs: task.last.endedMs })] : [])));
  // Only this tenant's tasks matter, read from the store (memory holds only the recent runs, kept-runs.ts).
  const runs = await store.runsWithPrefix(prefix, now - cfg.keepRuns);
  const starts = new Map<string, number[]>();
  const ends = new Map<string, KeptRun[]>();
  for (const [taskId, list] of runs) {
    const id = taskId.slice(prefix.length);
    starts.set(
      id,
      list.map((r) => r.createdMs),
    );
    ends.set(id, list);
  }
  for (const task of tasks) if (task.last) (starts.get(task.id) ?? starts.set(task.id, []).get(task.id)!).push(task.last.startedMs);
  const running = (task: CloudPlanTask) => (task.last && task.last.endedMs === undefined ? task.last : undefined);
  let single = 0;
  const fetched = new Set<string>();
  /** The task's recent runs (when the last one alone cannot tell whether a due time was met). */
  const fetchRuns = async (task: CloudPlanTask) => {
    if (fetched.has(task.id) || single >= MAX_SINGLE_CALLS) return;
    fetched.add(task.id);
    single++;
    const got = readRuns(await t.client.taskRuns(task.id, 100));
    for (const r of got) (starts.get(task.id) ?? starts.set(task.id, []).get(task.id)!).push(r.startedMs);
    for (const r of got)
      if (r.endedMs !== undefined) (ends.get(task.id) ?? ends.set(task.id, []).get(task.id)!).push(rowOf(task, { ...r, endedMs: r.endedMs }));
    await store.addRuns(got.flatMap((r) => (r.endedMs !== undefined ? [rowOf(task, { ...r, endedMs: r.endedMs })] : [])));
  };

  return { starts, ends, fetched, fetchRuns, running };
}
