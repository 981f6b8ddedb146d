// The watchdog's look at runs: past what their task usually takes while they run, skipped by the Scheduler, or
// (when asked for) in Retry.
import { runStartMs, STATUS } from "./observations";
import type { Look } from "./evaluation-look";

/** Runs past what their task usually takes, while they run. */
export function runsPastUsual(look: Look): void {
  const { i, cfg, plan, nowMs, usualByTask, settingsOf, watched, open } = look;
  for (const e of i.running) {
    const t = plan.tasks.get(e.taskId);
    if (!watched(t)) continue;
    const s = settingsOf(t);
    const usual = usualByTask.get(t.id);
    const limit = s.maxDurationMs ?? (cfg.runningLong.enabled ? usual?.limitMs : undefined);
    // A run waiting in the Scheduler's queue is not timed until it leaves it.
    const start = runStartMs(e);
    if (limit === undefined || start === undefined || nowMs - start <= limit) continue;
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
}

/** Skipped runs (QRS only; no datagram says so) and, when asked for, runs in Retry. */
export function skippedAndRetrying(look: Look): void {
  const { i, cfg, plan, watched, open } = look;
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
}
