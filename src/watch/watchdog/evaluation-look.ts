// The facts one look of the watchdog works from, indexed once: runs and starts per task, each task's settings
// and grace, its usual duration, and the list the look's new conditions are gathered in.
import { STATUS } from "./observations";
import type { WatchedTask } from "./qrs-plan";
import { settingsFor, type TaskSettings } from "./task-settings";
import { DEFAULT_USUAL, learnUsualDuration, type UsualDuration } from "./usual";
import type { EvaluationInput, OpenCondition } from "./evaluation-types";

/** Starts before a due time by this much still answer it (node clocks differ a little). */
export const EARLY_MS = 60_000;

export type Look = ReturnType<typeof createLook>;

function groupBy<T>(items: Iterable<T>, keyOf: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of items) {
    const key = keyOf(x);
    const list = out.get(key);
    if (list) list.push(x);
    else out.set(key, [x]);
  }
  return out;
}

export function createLook(i: EvaluationInput) {
  const { cfg, plan } = i;
  const opens: OpenCondition[] = [];
  const latencies: number[] = [];
  const openByKey = new Map(i.open.map((c) => [c.key, c]));
  const runsByTask = i.runsByTask ?? groupBy(i.runs, (r) => r.taskId);
  const runningByTask = groupBy(i.running, (e) => e.taskId);
  // Starts also count from changed results still in progress (a run that started after the read of runs in progress).
  const startedByTask = new Map<string, number[]>();
  for (const e of [...i.running, ...i.changed.filter((x) => x.status >= STATUS.Triggered && x.status <= STATUS.Aborting)])
    (startedByTask.get(e.taskId) ?? startedByTask.set(e.taskId, []).get(e.taskId)!).push(e.createdMs);
  const settings = new Map<string, TaskSettings>();
  const settingsOf = (t: WatchedTask) => {
    let s = settings.get(t.id);
    if (!s) settings.set(t.id, (s = settingsFor(cfg, t, t.appId ? plan.apps.get(t.appId) : undefined)));
    return s;
  };
  const graceOf = (t: WatchedTask) => settingsOf(t).graceMs ?? Math.max(cfg.grace, i.startLatencyMs);
  const watched = (t: WatchedTask | undefined): t is WatchedTask => Boolean(t?.enabled && settingsOf(t).watch);
  /** Every start of the task we know (when the Scheduler triggered it): finished runs (not skips), then runs in progress. */
  const startsOf = (taskId: string): number[] => [
    ...(runsByTask.get(taskId) ?? []).filter((r) => r.status !== STATUS.Skipped).map((r) => r.createdMs),
    ...(startedByTask.get(taskId) ?? []),
  ];
  const runningAt = (taskId: string, at: number) =>
    (runsByTask.get(taskId) ?? []).some((r) => r.status !== STATUS.Skipped && r.createdMs < at && r.stopMs > at) ||
    (runningByTask.get(taskId) ?? []).some((e) => e.createdMs < at);
  const open = (c: OpenCondition) => {
    if (!openByKey.has(c.key)) opens.push(c);
  };
  /** Conditions already open, by type and task ("running_long:<taskId>"). */
  const openTypes = new Set(i.open.flatMap((c) => (c.taskId ? [`${c.type}:${c.taskId}`] : [])));
  const isOpen = (type: string, taskId: string) => openTypes.has(`${type}:${taskId}`);
  /** Apps whose staleness is not paged now, and why (a run in progress, a retry, a page that already said it). */
  const staleHeld = new Map<string, string>();

  const usualByTask = new Map<string, UsualDuration | undefined>();
  const longestByTask = new Map<string, number>();
  for (const t of plan.tasks.values()) {
    const durations = (runsByTask.get(t.id) ?? []).filter((r) => r.status === STATUS.Success && r.startMs !== undefined).map((r) => r.stopMs - r.startMs!);
    usualByTask.set(t.id, learnUsualDuration(durations, { ...DEFAULT_USUAL, minSamples: cfg.runningLong.minRuns, floorMs: cfg.runningLong.floor }));
    if (durations.length > 0) longestByTask.set(t.id, Math.max(...durations));
  }

  return {
    i,
    cfg,
    plan,
    nowMs: i.nowMs,
    opens,
    latencies,
    runsByTask,
    runningByTask,
    usualByTask,
    longestByTask,
    settingsOf,
    graceOf,
    watched,
    startsOf,
    runningAt,
    open,
    isOpen,
    staleHeld,
  };
}
