// The watchdog's look at runs: past what their task usually takes while they run, skipped by the Scheduler, or
// (when asked for) in Retry.
import { isFinal, runStartMs, STATUS } from "./observations";
import type { Look } from "./evaluation-look";
import type { WatchedTask } from "./qrs-plan";

/**
 * Runs past what their task usually takes, while they run. While its limit is still being learned (few runs seen) a
 * run past it is a notice, and only a clear hang is paged (issue 64): the notice and the page are two conditions,
 * so a run that goes on from one to the other still pages.
 */
export function runsPastUsual(look: Look): void {
  const { i, cfg, plan, nowMs, usualByTask, settingsOf, watched, open } = look;
  for (const e of i.running) {
    const t = plan.tasks.get(e.taskId);
    if (!watched(t)) continue;
    const s = settingsOf(t);
    const usual = usualByTask.get(t.id);
    // A run waiting in the Scheduler's queue is not timed until it leaves it.
    const start = runStartMs(e);
    if (start === undefined) continue;
    const learned = s.maxDurationMs === undefined && cfg.runningLong.enabled ? look.limitOfRun(t.id, start) : undefined;
    const limit = s.maxDurationMs ?? learned?.limitMs;
    const ran = nowMs - start;
    const base = {
      taskId: t.id,
      ...(t.appId ? { appId: t.appId } : {}),
      openedMs: start,
    };
    const usualMs = usual ? { usualMs: Math.round(usual.medianMs) } : {};
    if (limit !== undefined && ran > limit) {
      open({
        ...base,
        key: `long:${t.id}:${e.executionId}`,
        type: "running_long",
        details: { startedAtMs: start, executionId: e.executionId, limitMs: limit, limitFrom: s.maxDurationFrom ?? "learned", ...usualMs },
      });
    } else if (learned?.noticeMs !== undefined && ran > learned.noticeMs) {
      open({
        ...base,
        key: `long-notice:${t.id}:${e.executionId}`,
        type: "running_long",
        notice: true,
        details: {
          startedAtMs: start,
          executionId: e.executionId,
          noticeMs: learned.noticeMs,
          limitMs: learned.limitMs,
          limitFrom: "learned",
          ...(usual ? { runsSeen: usual.samples } : {}),
          ...usualMs,
        },
      });
    }
  }
}

/**
 * Skipped runs (QRS only; no datagram says so) and, when asked for, runs in Retry. Only what is news (issue 64): a
 * run skipped before the watchdog began watching is history, and a retry is announced only while its run may still
 * be going: an attempt of a run still in progress, or one that just failed with no final result of its run yet. The
 * first look after a start reads days of results; a run that ended hours ago is not "retrying".
 */
export function skippedAndRetrying(look: Look): void {
  const { i, cfg, plan, nowMs, watched, open } = look;
  const runningExec = new Set(i.running.map((e) => e.executionId));
  const endedExec = new Set(i.changed.filter((e) => isFinal(e.status)).map((e) => e.executionId));
  // Qlik waits a little between attempts: a failed attempt this recent may still be followed by the next one.
  const recentMs = Math.max(cfg.grace, 2 * cfg.interval);
  for (const e of i.changed) {
    const t = plan.tasks.get(e.taskId);
    if (!watched(t)) continue;
    if (e.status === STATUS.Skipped) {
      if (e.createdMs < i.watchingSinceMs) continue;
      if (foldedIntoLongRun(look, t, e.createdMs)) continue;
      open({
        key: `skipped:${t.id}:${e.resultId}`,
        type: "skipped",
        taskId: t.id,
        ...(t.appId ? { appId: t.appId } : {}),
        openedMs: e.createdMs,
        details: { expectedAtMs: e.createdMs },
      });
    } else if (e.status === STATUS.Retry && cfg.retrying) {
      const goingOn = runningExec.has(e.executionId) || (!endedExec.has(e.executionId) && nowMs - (e.stopMs ?? e.modifiedMs) <= recentMs);
      if (!goingOn) continue;
      // The run's outcome is paged, not its attempts (issue 76): a retry is a notice, and the final failure pages.
      open({
        key: `retry:${t.id}:${e.executionId}`,
        type: "retrying",
        notice: true,
        taskId: t.id,
        ...(t.appId ? { appId: t.appId } : {}),
        openedMs: e.createdMs,
        details: { executionId: e.executionId, startedAtMs: e.startMs ?? e.createdMs },
      });
    }
  }
}

/**
 * A start the Scheduler skipped because the task's previous run was still going is part of that run's running-long
 * condition, not a page of its own (issue 76: one slow run, one page and one back-on-track). Folded when the run is
 * already paged as running long; when it is not yet, the skip is what shows it runs long, and opens that condition.
 */
function foldedIntoLongRun(look: Look, t: WatchedTask, skippedAtMs: number): boolean {
  if (look.isOpen("running_long", t.id)) return true;
  const run = look.i.running.find((r) => r.taskId === t.id && r.createdMs < skippedAtMs && runStartMs(r) !== undefined);
  if (!run) return false;
  const usual = look.usualByTask.get(t.id);
  look.open({
    key: `long:${t.id}:${run.executionId}`,
    type: "running_long",
    taskId: t.id,
    ...(t.appId ? { appId: t.appId } : {}),
    openedMs: runStartMs(run)!,
    details: {
      startedAtMs: runStartMs(run)!,
      executionId: run.executionId,
      skippedAtMs,
      ...(usual ? { usualMs: Math.round(usual.medianMs) } : {}),
    },
  });
  return true;
}
