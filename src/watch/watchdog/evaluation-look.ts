// The facts one look of the watchdog works from, indexed once: runs and starts per task, each task's settings
// and grace, its usual duration, and the list the look's new conditions are gathered in.
import { isQueued, STATUS } from "./observations";
import type { WatchedTask } from "./qrs-plan";
import { settingsFor } from "./task-settings";
import { DEFAULT_USUAL, learnUsualDuration, limitFor, type RunLimit, type UsualDuration } from "./usual";
import { durationBucketOf } from "./duration-buckets";
import type { EvaluationInput, EvaluationMemo, Learned, OpenCondition } from "./evaluation-types";
import { NO_RUNS, type RunList, runAt, runListsOf } from "./run-list";
import { RunLearner } from "./run-learner";
import type { Plan } from "./qrs-plan";
import { createStaleMemo } from "./stale-memo";

/** Starts before a due time by this much still answer it (node clocks differ a little). */
export const EARLY_MS = 60_000;

export type Look = ReturnType<typeof createLook>;

/** The median of `xs` (not sorted; left as it is), undefined when empty. */
export function median(xs: readonly number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

const gapsOf = (ends: readonly number[]) => ends.slice(1).map((e, k) => e - ends[k]!);

export const createEvaluationMemo = (): EvaluationMemo => ({ settings: new WeakMap(), learned: new Map(), stale: createStaleMemo() });

/** A task with no run kept: always the same, so what was learned of it is not learned again. */
const NO_LEARNER = new RunLearner("UTC");

/** A learner fed every run of `runs` (a list read afresh, PostgreSQL's, or kept ones to be counted in another zone). */
function learnerOfList(runs: RunList, zone: string): RunLearner {
  const l = new RunLearner(zone);
  for (let k = 0; k < runs.length; k++) l.add(runAt(runs, k));
  return l;
}

/**
 * Each plan's zones as worked out (a plan read anew has a new task map): a look asks for every task's, and walking a
 * chain-only task's upstream tasks for all 5,800 tasks of the x50 site at every look cost about 15 ms.
 */
const zonesOfPlan = new WeakMap<ReadonlyMap<string, WatchedTask>, Map<string, string>>();

/** The zone a task's days are counted in (its month-end, its Mondays): its own trigger's, else the first up its chain's. */
export function taskZone(plan: Pick<Plan, "tasks">, t: WatchedTask): string {
  let zones = zonesOfPlan.get(plan.tasks);
  if (!zones) zonesOfPlan.set(plan.tasks, (zones = new Map()));
  let zone = zones.get(t.id);
  if (zone === undefined) zones.set(t.id, (zone = zoneUpChain(plan, t, 0)));
  return zone;
}

function zoneUpChain(plan: Pick<Plan, "tasks">, t: WatchedTask, depth: number): string {
  const own = t.schedules.find((s) => s.schedule)?.schedule?.timeZone;
  if (own || depth >= 12) return own ?? "UTC";
  for (const c of t.chains)
    for (const id of c.upstreamIds) {
      const up = plan.tasks.get(id);
      if (up) return zoneUpChain(plan, up, depth + 1);
    }
  return "UTC";
}

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

/** What a task's runs teach: its usual duration and the typical one (its successful ends stay with the learner). */
function learnFrom(source: RunLearner, cfg: EvaluationInput["cfg"]): Learned {
  const { durations, buckets } = source.durationsKept();
  const usual = learnUsualDuration(
    durations,
    { ...DEFAULT_USUAL, minSamples: cfg.runningLong.minRuns, learnRuns: cfg.runningLong.learnRuns, floorMs: cfg.runningLong.floor },
    buckets,
  );
  return {
    source,
    version: source.version,
    usual,
    ...(durations.length > 0 ? { typicalMs: median(durations.slice(-DEFAULT_USUAL.window))! } : {}),
  };
}

export function createLook(i: EvaluationInput) {
  const { cfg, plan } = i;
  const opens: OpenCondition[] = [];
  const latencies: number[] = [];
  const openByKey = new Map(i.open.map((c) => [c.key, c]));
  const runsByTask: ReadonlyMap<string, RunList> = i.runsByTask ?? runListsOf(i.runs);
  // Started runs: a run waiting in the Scheduler's queue is in progress (runningAt) but has not started, so it neither
  // shows as running nor holds back its app's staleness (a queue that does not drain must not silence the app).
  const inProgressByTask = groupBy(i.running, (e) => e.taskId);
  const runningByTask = groupBy(
    i.running.filter((e) => !isQueued(e.status)),
    (e) => e.taskId,
  );
  // Starts also count from changed results still in progress (a run that started after the read of runs in progress).
  const startedByTask = new Map<string, number[]>();
  for (const e of [...i.running, ...i.changed.filter((x) => x.status >= STATUS.Triggered && x.status <= STATUS.Aborting)])
    (startedByTask.get(e.taskId) ?? startedByTask.set(e.taskId, []).get(e.taskId)!).push(e.createdMs);
  const memo = i.memo ?? createEvaluationMemo();
  const settings = memo.settings;
  const settingsOf = (t: WatchedTask) => {
    let s = settings.get(t);
    if (!s) settings.set(t, (s = settingsFor(cfg, t, t.appId ? plan.apps.get(t.appId) : undefined)));
    return s;
  };
  const graceOf = (t: WatchedTask) => settingsOf(t).graceMs ?? Math.max(cfg.grace, i.startLatencyMs);
  const watched = (t: WatchedTask | undefined): t is WatchedTask => Boolean(t?.enabled && settingsOf(t).watch);
  /** Every start of the task we know (when the Scheduler triggered it): finished runs (not skips), then runs in progress. */
  const startsOf = (taskId: string): number[] => {
    const runs = runsByTask.get(taskId) ?? NO_RUNS;
    const starts: number[] = [];
    for (let k = 0; k < runs.length; k++) if (runs.status(k) !== STATUS.Skipped) starts.push(runs.createdMs(k));
    starts.push(...(startedByTask.get(taskId) ?? []));
    return starts;
  };
  const ranOver = (runs: RunList, at: number) => {
    for (let k = 0; k < runs.length; k++) if (runs.status(k) !== STATUS.Skipped && runs.createdMs(k) < at && runs.stopMs(k) > at) return true;
    return false;
  };
  const runningAt = (taskId: string, at: number) =>
    ranOver(runsByTask.get(taskId) ?? NO_RUNS, at) || (inProgressByTask.get(taskId) ?? []).some((e) => e.createdMs < at);
  /**
   * Conditions open, by type and task ("running_long:<taskId>"): before this look, or opened by it, so an app judged
   * after its task's missed start in the same look sees that start.
   */
  const openTypes = new Set(i.open.flatMap((c) => (c.taskId ? [`${c.type}:${c.taskId}`] : [])));
  const open = (c: OpenCondition) => {
    if (openByKey.has(c.key)) return;
    opens.push(c);
    if (c.taskId) openTypes.add(`${c.type}:${c.taskId}`);
  };
  const isOpen = (type: string, taskId: string) => openTypes.has(`${type}:${taskId}`);
  /** Apps whose staleness is not paged now, and why (a run in progress, a retry, a page that already said it). */
  const staleHeld = new Map<string, string>();

  const zoneOf = (t: WatchedTask) => taskZone(plan, t);
  /**
   * What the task's runs teach: kept as they came (SQLite), unless kept in another zone than its trigger's now (then
   * learned from its runs here, until the look's caller made it again); else learned from its runs (PostgreSQL).
   */
  const learnerOf = (t: WatchedTask, zone: string): RunLearner => {
    const kept = i.learners ? (i.learners.get(t.id) ?? NO_LEARNER) : undefined;
    if (kept && (kept.zone === zone || kept === NO_LEARNER)) return kept;
    return learnerOfList(runsByTask.get(t.id) ?? NO_RUNS, zone);
  };
  const learned = new Map<string, Learned>();
  for (const t of plan.tasks.values()) {
    const source = learnerOf(t, zoneOf(t));
    let l = memo.learned.get(t.id);
    if (!l || l.source !== source || l.version !== source.version) l = learnFrom(source, cfg);
    learned.set(t.id, l);
  }
  // Only the plan's tasks are remembered for the next look.
  memo.learned = learned;
  // Read from what was learned, not copied into maps of their own: three more entries per task at every look.
  const usualByTask = { get: (taskId: string): UsualDuration | undefined => learned.get(taskId)?.usual };
  const typicalByTask = { get: (taskId: string): number | undefined => learned.get(taskId)?.typicalMs };
  /** The zone a task's kinds of day are counted in, for a task whose usual duration has them. */
  const zoneOfUsual = (taskId: string): string | undefined => {
    const t = learned.get(taskId)?.usual?.buckets ? plan.tasks.get(taskId) : undefined;
    return t ? zoneOf(t) : undefined;
  };
  /** When the task's successful runs ended, oldest first (the newest SUCCESS_ENDS of them). */
  const successEndsOf = (taskId: string): readonly number[] => learned.get(taskId)?.source.ends() ?? [];
  /** When its last successful run ended. */
  const lastSuccessEndOf = (taskId: string): number | undefined => learned.get(taskId)?.source.lastEnd();
  /** How many of its successful ends are kept. */
  const successCountOf = (taskId: string): number => learned.get(taskId)?.source.endCount ?? 0;
  /** The median gap between the task's successful ends, remembered with what was learned of it. */
  const gapMedianOf = (taskId: string): number | undefined => {
    const l = learned.get(taskId);
    if (!l) return undefined;
    if (l.gapMedian === undefined) l.gapMedian = median(gapsOf(l.source.ends())) ?? null;
    return l.gapMedian ?? undefined;
  };

  return {
    i,
    cfg,
    plan,
    memo,
    /** What the look learned of the task (the same object as the last look's while its runs did not change). */
    learnedOf: (taskId: string): Learned | undefined => learned.get(taskId),
    nowMs: i.nowMs,
    opens,
    latencies,
    runsByTask,
    runningByTask,
    usualByTask,
    typicalByTask,
    /** The limits for a run of the task that started at `startMs` (its kind of day may take longer). */
    limitOfRun: (taskId: string, startMs: number): RunLimit | undefined => {
      const u = usualByTask.get(taskId);
      if (!u) return undefined;
      const zone = zoneOfUsual(taskId);
      return limitFor(u, zone === undefined ? undefined : durationBucketOf(startMs, zone));
    },
    successEndsOf,
    lastSuccessEndOf,
    successCountOf,
    gapMedianOf,
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
