// One look at the site: from the plan (tasks and their triggers), the runs QRS recorded and the runs in progress,
// which conditions open (a start that did not come, a chain that stopped, a run past its usual time, an app whose
// data went stale, a skipped or retrying run) and which open ones are over. Pure: the service does the I/O.
import { nextExpectedStart, type ScheduleTrigger, watchOf } from "./schedule";
import { closedConditions } from "./evaluate-closes";
import { isQueued } from "./observations";
import { runsPastUsual, skippedAndRetrying } from "./evaluate-runs";
import { brokenChains, missedStarts } from "./evaluate-starts";
import { staleApps } from "./evaluate-stale";
import { createLook, type Look } from "./evaluation-look";
import { type KeptRun, lastRun } from "./run-list";
import type { Evaluation, EvaluationInput, TaskView } from "./evaluation-types";

export type { CloseCondition, Evaluation, EvaluationInput, KnownCondition, OpenCondition, TaskView, TriggerView } from "./evaluation-types";

export function evaluate(i: EvaluationInput): Evaluation {
  const look = createLook(i);
  // In this order, so the conditions of one look are listed as before: starts, chains, runs, skips, apps.
  missedStarts(look);
  brokenChains(look);
  runsPastUsual(look);
  skippedAndRetrying(look);
  const staleOf = staleApps(look);
  const closes = closedConditions(look, staleOf);
  // What the page shows of each task is built when it is asked for (the watchdog's page, /metrics), once per look, not
  // at every look: 15-30 ms of each look on the ×50 site (5,800 tasks) for a page nobody may open. Each task's last
  // run is taken now, so the view is the look's even though the kept lists take new runs after it.
  const lastRuns = new Map<string, KeptRun>();
  for (const [id, list] of look.runsByTask) {
    const last = lastRun(list);
    if (last) lastRuns.set(id, last);
  }
  let views: TaskView[] | undefined;
  return {
    opens: look.opens,
    closes,
    get tasks() {
      views ??= taskViews(look, lastRuns);
      return views;
    },
    latencies: look.latencies,
  };
}

/** What the look knows of each task, for the watchdog's page. */
function taskViews(look: Look, lastRuns: ReadonlyMap<string, KeptRun>): TaskView[] {
  const { plan, nowMs, runningByTask, usualByTask, watched, settingsOf, staleHeld, graceOf } = look;
  const queued = new Map<string, (typeof look.i.running)[number]>();
  for (const e of look.i.running) if (isQueued(e.status) && !queued.has(e.taskId)) queued.set(e.taskId, e);
  return [...plan.tasks.values()].map((t) => {
    const last = lastRuns.get(t.id);
    // A task disabled in the QMC is not started by its triggers: no next start is expected of it.
    const next = t.enabled ? t.schedules.map((tr) => nextExpectedStart(tr, nowMs)).filter((x): x is number => x !== undefined) : [];
    const runningNow = runningByTask.get(t.id)?.[0];
    // A run waiting for an engine is not running yet, nor did its task fail to start (src/watch/freshness/chain-eta.ts).
    const waiting = runningNow ? undefined : queued.get(t.id);
    const due = t.enabled && !runningNow && !waiting ? dueWithinGrace(t.schedules, nowMs - graceOf(t), nowMs, last?.stopMs) : undefined;
    const usual = usualByTask.get(t.id);
    const triggers = t.schedules.map((tr) => {
      const watch = watchOf(tr);
      return {
        name: tr.name,
        watch,
        ...(watch === "qrs" || watch === "not-watched" ? { reason: tr.unreadable ?? "Steward's reading and QRS's time differ" } : {}),
      };
    });
    const off = !t.enabled ? "the task is disabled in the QMC" : watched(t) ? undefined : (settingsOf(t).watchOffBy ?? "by choice");
    const notWatched = [
      ...triggers.filter((x) => x.watch === "not-watched").map((x) => `trigger "${x.name}": ${x.reason}; QRS states no next execution`),
      ...(t.unreadableTriggers ?? []).map((e) => `${e}; this trigger is not watched`),
    ];
    return {
      id: t.id,
      name: t.name,
      ...(t.appId ? { appId: t.appId } : {}),
      watched: watched(t),
      ...(off ? { offReason: off } : {}),
      ...(notWatched.length ? { notWatched } : {}),
      ...(t.disabledTriggers ? { disabledTriggers: t.disabledTriggers } : {}),
      ...(t.appId && staleHeld.has(t.appId) ? { staleHeldBack: staleHeld.get(t.appId)! } : {}),
      ...(triggers.length ? { triggers } : {}),
      ...(next.length ? { nextExpectedMs: Math.min(...next) } : {}),
      ...(due !== undefined ? { dueMs: due } : {}),
      ...(usual ? { usual } : {}),
      ...(last ? { lastRunMs: last.stopMs, lastStatus: last.status } : {}),
      ...(runningNow ? { runningSinceMs: runningNow.startMs ?? runningNow.createdMs } : {}),
      ...(waiting
        ? { waitingSinceMs: waiting.createdMs, ...(look.i.cfg.queue.enabled ? { backlogAtMs: waiting.createdMs + look.i.cfg.queue.backlogAfter } : {}) }
        : {}),
      ...(t.chains.length ? { after: t.chains.map((c) => ({ upstreamIds: c.upstreamIds, onSuccess: c.ruleStates.every((r) => r === 1) })) } : {}),
    };
  });
}

/** The earliest schedule start due in (fromMs, nowMs] that no run has answered yet (none ended since it fell due). */
function dueWithinGrace(schedules: readonly ScheduleTrigger[], fromMs: number, nowMs: number, lastStopMs: number | undefined): number | undefined {
  const dues = schedules.map((tr) => nextExpectedStart(tr, fromMs)).filter((x): x is number => x !== undefined && x <= nowMs);
  const first = dues.length ? Math.min(...dues) : undefined;
  return first !== undefined && (lastStopMs === undefined || lastStopMs < first) ? first : undefined;
}
