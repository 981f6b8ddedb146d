// One look at the site: from the plan (tasks and their triggers), the runs QRS recorded and the runs in progress,
// which conditions open (a start that did not come, a chain that stopped, a run past its usual time, an app whose
// data went stale, a skipped or retrying run) and which open ones are over. Pure: the service does the I/O.
import type { WatchdogConfig } from "../config/sections/watchdog";
import type { WatchCondition } from "../events/types";
import { spanText } from "../notify/time-format";
import { type Execution, STATUS } from "./observations";
import type { Plan, WatchedTask } from "./qrs-plan";
import { nextExpectedStart } from "./schedule";
import { settingsFor, type TaskSettings } from "./task-settings";
import { DEFAULT_USUAL, learnUsualDuration, type UsualDuration } from "./usual";
import type { WatchDetails } from "./watchdog-event";
import type { RunRow } from "./watch-store";

export interface OpenCondition {
  key: string;
  type: WatchCondition;
  taskId?: string;
  appId?: string;
  /** Deterministic (from QRS's own times), so a restart or a second Steward derives the same occurrence. */
  openedMs: number;
  details: WatchDetails;
}

export interface CloseCondition {
  key: string;
  resolution: string;
}

export interface KnownCondition {
  key: string;
  type: string;
  taskId?: string;
  appId?: string;
  openedMs: number;
  details: WatchDetails;
}

export interface TaskView {
  id: string;
  name: string;
  appId?: string;
  watched: boolean;
  nextExpectedMs?: number;
  usual?: UsualDuration;
  lastRunMs?: number;
  lastStatus?: number;
  runningSinceMs?: number;
}

export interface EvaluationInput {
  cfg: WatchdogConfig;
  plan: Plan;
  nowMs: number;
  /** Due times whose grace ended at or before this were judged by an earlier look. */
  checkedUntilMs: number;
  /** When the watchdog first looked at this site: earlier due times and chain ends are history, not judged. */
  watchingSinceMs: number;
  /** Finished runs (and skipped, retried attempts) in the learning window, oldest first. */
  runs: readonly RunRow[];
  running: readonly Execution[];
  /** Results QRS changed since the last look (for Skipped and Retry). */
  changed: readonly Execution[];
  open: readonly KnownCondition[];
  /** How late starts usually are on this site (learned), added to the configured grace. */
  startLatencyMs: number;
}

export interface Evaluation {
  opens: OpenCondition[];
  closes: CloseCondition[];
  tasks: TaskView[];
  /** Start delays seen this look (a due time and the start that answered it), to learn the site's latency. */
  latencies: number[];
}

/** Starts before a due time by this much still answer it (node clocks differ a little). */
const EARLY_MS = 60_000;
/** Bound on due times examined per trigger per look (an every-minute trigger after a long outage). */
const MAX_DUE_PER_TRIGGER = 500;

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

export function evaluate(i: EvaluationInput): Evaluation {
  const { cfg, plan, nowMs } = i;
  const opens: OpenCondition[] = [];
  const closes: CloseCondition[] = [];
  const latencies: number[] = [];
  const openByKey = new Map(i.open.map((c) => [c.key, c]));
  const runsByTask = new Map<string, RunRow[]>();
  for (const r of i.runs) (runsByTask.get(r.taskId) ?? runsByTask.set(r.taskId, []).get(r.taskId)!).push(r);
  const runningByTask = new Map<string, Execution[]>();
  for (const e of i.running) (runningByTask.get(e.taskId) ?? runningByTask.set(e.taskId, []).get(e.taskId)!).push(e);
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

  const usualByTask = new Map<string, UsualDuration | undefined>();
  for (const t of plan.tasks.values()) {
    const durations = (runsByTask.get(t.id) ?? []).filter((r) => r.status === STATUS.Success && r.startMs !== undefined).map((r) => r.stopMs - r.startMs!);
    usualByTask.set(t.id, learnUsualDuration(durations, { ...DEFAULT_USUAL, minSamples: cfg.runningLong.minRuns, floorMs: cfg.runningLong.floor }));
  }

  // ── Starts that did not come: each due time of each enabled schedule trigger whose grace ended since the last look.
  for (const t of plan.tasks.values()) {
    if (!watched(t) || t.schedules.length === 0) continue;
    const grace = graceOf(t);
    const starts = startsOf(t.id);
    for (const tr of t.schedules) {
      let due = nextExpectedStart(tr, Math.max(i.checkedUntilMs - grace, nowMs - cfg.keepRuns) - 1);
      for (let n = 0; due !== undefined && due + grace <= nowMs && n < MAX_DUE_PER_TRIGGER; n++) {
        if (due + grace > i.checkedUntilMs && due >= i.watchingSinceMs) {
          const answer = starts.filter((s) => s >= due! - EARLY_MS && s <= due! + grace).sort((a, b) => a - b)[0];
          if (answer !== undefined) latencies.push(Math.max(0, answer - due));
          // A run still going when the trigger fell due makes the Scheduler skip it: QRS records that as Skipped.
          else if (!runningAt(t.id, due))
            open({
              key: `missed:${t.id}:${tr.id.toLowerCase()}`,
              type: "missed",
              taskId: t.id,
              ...(t.appId ? { appId: t.appId } : {}),
              openedMs: due + grace,
              details: { expectedAtMs: due, trigger: tr.name, graceMs: grace },
            });
        }
        due = nextExpectedStart(tr, due);
      }
    }
  }

  // ── Chains that stopped: an upstream ended as a task-event trigger waits for, and the downstream did not start.
  for (const t of plan.tasks.values()) {
    if (!watched(t) || t.chains.length === 0) continue;
    const grace = graceOf(t);
    const starts = startsOf(t.id);
    for (const c of t.chains) {
      const awaited = c.ruleStates.map((s) => (s === 2 ? STATUS.Fail : STATUS.Success));
      const endsOf = (k: number) => (runsByTask.get(c.upstreamIds[k]!) ?? []).filter((r) => r.status === awaited[k]).map((r) => r.stopMs);
      for (let k = 0; k < c.upstreamIds.length; k++) {
        for (const end of endsOf(k)) {
          if (end + grace > nowMs || end + grace <= i.checkedUntilMs || end < i.watchingSinceMs) continue;
          const window = c.constraintMs > 0 ? c.constraintMs : Number.POSITIVE_INFINITY;
          const allMet = c.upstreamIds.every((_, j) => j === k || endsOf(j).some((e) => e <= end && e >= end - window));
          if (!allMet) continue;
          if (starts.some((s) => s >= end - 5_000 && s <= end + grace) || runningAt(t.id, end)) continue;
          const up = plan.tasks.get(c.upstreamIds[k]!);
          open({
            key: `chain:${t.id}:${c.triggerName}`,
            type: "chain_broken",
            taskId: t.id,
            ...(t.appId ? { appId: t.appId } : {}),
            openedMs: end,
            details: {
              expectedAtMs: end,
              trigger: c.triggerName,
              graceMs: grace,
              upstreamTask: up?.name ?? c.upstreamIds[k]!,
              upstreamOutcome: awaited[k] === STATUS.Fail ? "failure" : "success",
            },
          });
        }
      }
    }
  }

  // ── Runs past what their task usually takes, while they run.
  for (const e of i.running) {
    const t = plan.tasks.get(e.taskId);
    if (!watched(t)) continue;
    const s = settingsOf(t);
    const usual = usualByTask.get(t.id);
    const limit = s.maxDurationMs ?? (cfg.runningLong.enabled ? usual?.limitMs : undefined);
    const start = e.startMs ?? e.createdMs;
    if (limit === undefined || nowMs - start <= limit) continue;
    open({
      key: `long:${t.id}:${e.executionId}`,
      type: "running_long",
      taskId: t.id,
      ...(t.appId ? { appId: t.appId } : {}),
      openedMs: start,
      details: {
        startedAtMs: start,
        executionId: e.executionId,
        limitMs: limit,
        limitFrom: s.maxDurationFrom ?? "learned",
        ...(usual ? { usualMs: Math.round(usual.medianMs) } : {}),
      },
    });
  }

  // ── Skipped runs (QRS only; no datagram says so) and, when asked for, runs in Retry.
  for (const e of i.changed) {
    const t = plan.tasks.get(e.taskId);
    if (!watched(t)) continue;
    if (e.status === STATUS.Skipped)
      open({
        key: `skipped:${t.id}:${e.resultId}`,
        type: "skipped",
        taskId: t.id,
        ...(t.appId ? { appId: t.appId } : {}),
        openedMs: e.createdMs,
        details: { expectedAtMs: e.createdMs },
      });
    else if (e.status === STATUS.Retry && cfg.retrying)
      open({
        key: `retry:${t.id}:${e.executionId}`,
        type: "retrying",
        taskId: t.id,
        ...(t.appId ? { appId: t.appId } : {}),
        openedMs: e.createdMs,
        details: { executionId: e.executionId, startedAtMs: e.startMs ?? e.createdMs },
      });
  }

  // ── Apps whose last successful reload is older than their usual interval allows.
  const staleOf = new Map<string, { lastMs?: number; withinMs?: number }>();
  if (cfg.stale.enabled) {
    const reloadTasks = new Map<string, WatchedTask[]>();
    for (const t of plan.tasks.values()) if (t.taskType === 0 && t.appId) (reloadTasks.get(t.appId) ?? reloadTasks.set(t.appId, []).get(t.appId)!).push(t);
    for (const [appId, tasks] of reloadTasks) {
      const live = tasks.filter(watched);
      if (live.length === 0 || live.length < tasks.filter((t) => t.enabled).length) continue; // StewardWatch=off on one silences the app
      const app = plan.apps.get(appId);
      const ends = live
        .flatMap((t) => runsByTask.get(t.id) ?? [])
        .filter((r) => r.status === STATUS.Success)
        .map((r) => r.stopMs)
        .sort((a, b) => a - b);
      const last = Math.max(ends[ends.length - 1] ?? Number.NEGATIVE_INFINITY, app?.lastReloadMs ?? Number.NEGATIVE_INFINITY);
      const lastMs = Number.isFinite(last) ? last : undefined;
      const set = live.map((t) => settingsOf(t).expectSuccessWithinMs).find((v) => v !== undefined);
      const gaps = ends.slice(1).map((e, k) => e - ends[k]!);
      const usualGap = gaps.length + 1 >= cfg.stale.minRuns ? median(gaps) : undefined;
      const withinMs =
        set ?? (usualGap !== undefined && usualGap > 0 ? Math.round(usualGap * cfg.stale.factor + Math.max(cfg.grace, i.startLatencyMs)) : undefined);
      staleOf.set(appId, { ...(lastMs !== undefined ? { lastMs } : {}), ...(withinMs !== undefined ? { withinMs } : {}) });
      if (withinMs === undefined || lastMs === undefined || nowMs - lastMs <= withinMs) continue;
      open({
        key: `stale:${appId}`,
        type: "stale",
        appId,
        openedMs: lastMs,
        details: { lastSuccessAtMs: lastMs, expectWithinMs: withinMs },
      });
    }
  }

  // ── What is over.
  const runningExec = new Set(i.running.map((e) => e.executionId));
  for (const c of i.open) {
    const t = c.taskId ? plan.tasks.get(c.taskId) : undefined;
    if (c.taskId && !t?.enabled) {
      closes.push({ key: c.key, resolution: t ? "the task was disabled" : "the task was deleted" });
      continue;
    }
    const firstStartAfter = (from: number) =>
      c.taskId
        ? startsOf(c.taskId)
            .filter((s) => s >= from)
            .sort((a, b) => a - b)[0]
        : undefined;
    switch (c.type) {
      case "missed":
      case "skipped":
      case "chain_broken": {
        const from = (c.details.expectedAtMs ?? c.openedMs) - (c.type === "chain_broken" ? 5_000 : c.type === "skipped" ? -1 : EARLY_MS);
        const s = firstStartAfter(from);
        if (s !== undefined)
          closes.push({
            key: c.key,
            resolution: `started at ${new Date(s).toISOString()}${c.details.expectedAtMs !== undefined && c.type !== "skipped" ? `, ${spanText(s - c.details.expectedAtMs)} after it was due` : ""}`,
          });
        break;
      }
      case "running_long":
      case "retrying": {
        const exec = c.details.executionId;
        if (exec && !runningExec.has(exec)) {
          const ended = (runsByTask.get(c.taskId ?? "") ?? [])
            .filter((r) => r.status !== STATUS.Retry && (r.startMs ?? 0) >= (c.details.startedAtMs ?? 0) - 1)
            .pop();
          const took = ended && c.details.startedAtMs !== undefined ? ` after ${spanText(ended.stopMs - c.details.startedAtMs)}` : "";
          const how = ended ? (ended.status === STATUS.Success ? "succeeded" : ended.status === STATUS.Fail ? "failed" : "ended") : "is no longer running";
          if (ended || c.type === "running_long") closes.push({ key: c.key, resolution: `the run ${how}${took}` });
        }
        break;
      }
      case "stale": {
        const s = c.appId ? staleOf.get(c.appId) : undefined;
        if (s?.lastMs !== undefined && s.lastMs > c.openedMs)
          closes.push({ key: c.key, resolution: `reloaded successfully at ${new Date(s.lastMs).toISOString()}` });
        else if (c.appId && !staleOf.has(c.appId) && !plan.apps.has(c.appId)) closes.push({ key: c.key, resolution: "the app was deleted" });
        break;
      }
    }
  }

  const tasks: TaskView[] = [...plan.tasks.values()].map((t) => {
    const runs = runsByTask.get(t.id) ?? [];
    const last = runs[runs.length - 1];
    const next = t.schedules.map((tr) => nextExpectedStart(tr, nowMs)).filter((x): x is number => x !== undefined);
    const runningNow = runningByTask.get(t.id)?.[0];
    const usual = usualByTask.get(t.id);
    return {
      id: t.id,
      name: t.name,
      ...(t.appId ? { appId: t.appId } : {}),
      watched: watched(t),
      ...(next.length ? { nextExpectedMs: Math.min(...next) } : {}),
      ...(usual ? { usual } : {}),
      ...(last ? { lastRunMs: last.stopMs, lastStatus: last.status } : {}),
      ...(runningNow ? { runningSinceMs: runningNow.startMs ?? runningNow.createdMs } : {}),
    };
  });
  return { opens, closes, tasks, latencies };
}
