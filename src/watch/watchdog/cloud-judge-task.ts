// The watchdog's judgement of one Qlik Cloud task in a look: what it knows of the task (for the page), each due
// time of its schedule whose grace ended with no start (task.missed), and a run past its usual time
// (task.running_long).
import { CloudApiError } from "../../hear/cloud/cloud-client";
import { nextOccurrence, RecurrenceBudgetError, type StepBudget, MAX_STEPS_PER_SEARCH } from "../../platform/core/rrule";
import { type CloudPlanTask, readCloudTask } from "./cloud-plan";
import type { CloudWatchTenant } from "./cloud-task-list";
import { type CloudJudgeDeps, EARLY_MS, iso, type TenantLook } from "./cloud-tenant-look";
import type { TaskSettings } from "./task-settings";
import { DEFAULT_USUAL, learnUsualDuration, type UsualDuration } from "./usual";

const MAX_DUE_PER_TASK = 500;
/** RRULE steps one task may use per look (a few searches); a rule that needs more is a problem, not a hang. */
const TASK_STEPS_PER_LOOK = 3 * MAX_STEPS_PER_SEARCH;

type Running = ReturnType<TenantLook["runs"]["running"]>;

export async function judgeTask(deps: CloudJudgeDeps, look: TenantLook, task: CloudPlanTask): Promise<void> {
  const { t, prefix, now, view, costly, judged } = look;
  const { ends } = look.runs;
  const { cfg, settingsOf } = deps;
  const tooCostly = deps.costly;
  const costKey = `${prefix}${task.id}@${task.updatedAt}`;
  const known = tooCostly.get(costKey);
  if (known) costly.push(known);
  const budget: StepBudget = { left: TASK_STEPS_PER_LOOK };
  /** The schedule's next time after `after` within this task's budget; past it the task is a problem, unwatched. */
  const nextDue = (after: number): number | undefined => {
    if (!task.schedule || tooCostly.has(costKey)) return undefined;
    try {
      return nextOccurrence(task.schedule, after, budget);
    } catch (err) {
      if (!(err instanceof RecurrenceBudgetError)) throw err;
      // Over what was left of this look's share, not over one search's budget: many due times to check (a
      // catch-up after Steward was away), not a costly rule. Said for this look only; the next one goes on.
      if (err.steps < MAX_STEPS_PER_SEARCH) {
        costly.push(
          `task "${task.name}" (Qlik Cloud, ${t.name}): due times after ${iso(after)} were not checked in this look (its share of the look was spent); the next look goes on`,
        );
        return undefined;
      }
      costly.push(tooCostly.mark(costKey, t, task, err));
      return undefined;
    }
  };
  const s = settingsOf(task);
  const watched = task.enabled && s.watch && task.schedule !== undefined && !known;
  const offReason = cloudOffReason(task, s, known !== undefined);
  const grace = s.graceMs ?? cfg.grace;
  const durations = (ends.get(task.id) ?? []).filter((r) => r.status === 7).map((r) => r.stopMs - (r.startMs ?? r.createdMs));
  const usual = learnUsualDuration(durations, {
    ...DEFAULT_USUAL,
    minSamples: cfg.runningLong.minRuns,
    learnRuns: cfg.runningLong.learnRuns,
    floorMs: cfg.runningLong.floor,
  });
  const now1 = look.runs.running(task);
  const lastEnded = (ends.get(task.id) ?? []).at(-1);
  const next = task.enabled ? nextDue(now) : undefined;
  view.push({
    id: `${prefix}${task.id}`,
    name: `${task.name} (Qlik Cloud, ${t.name})`,
    ...(task.appId ? { appId: task.appId } : {}),
    watched,
    ...(offReason ? { offReason } : {}),
    ...(task.schedule ? { triggers: [{ name: task.scheduleText ?? "its schedule", watch: "arithmetic" as const }] } : {}),
    ...(next !== undefined ? { nextExpectedMs: next } : {}),
    ...(usual ? { usual } : {}),
    ...(lastEnded ? { lastRunMs: lastEnded.stopMs, lastStatus: lastEnded.status } : {}),
    ...(now1 ? { runningSinceMs: now1.startedMs } : {}),
  });
  if (!watched || tooCostly.has(costKey)) return;
  const longest = durations.length ? Math.max(...durations) : undefined;
  judged.set(task.id, { grace, limit: usual?.limitMs ?? (longest !== undefined ? Math.max(2 * longest, cfg.runningLong.floor) : undefined) });

  await openMissed(deps, look, task, grace, nextDue, now1);
  await openRunningLong(deps, look, task, s, usual, now1);
}

/** Why a Qlik Cloud task is not watched, in the words of the watchdog's page; undefined when it is. */
export function cloudOffReason(task: CloudPlanTask, s: TaskSettings, tooCostly: boolean): string | undefined {
  if (!task.enabled) return "the task is disabled in Qlik Cloud";
  if (!s.watch) return s.watchOffBy ?? "by choice";
  if (tooCostly) return COSTLY_REASON;
  if (task.schedule) return undefined;
  if (task.trigger?.kind === "task") return "it starts after another task (an event trigger): Steward times only scheduled Qlik Cloud tasks";
  if (task.trigger?.kind === "dataset") return "it starts when a dataset changes: there is no time to expect it at";
  return "it has no schedule Steward can read";
}

export const COSTLY_REASON = "its schedule takes too long to work out (see What Steward found in the plan)";

/** Due times whose grace ended since the last look, each answered by a start within [due − 1 min, due + grace]. */
async function openMissed(
  deps: CloudJudgeDeps,
  look: TenantLook,
  task: CloudPlanTask,
  grace: number,
  nextDue: (after: number) => number | undefined,
  now1: Running,
): Promise<void> {
  const { t, prefix, now, openKeys } = look;
  const { starts, ends, fetchRuns } = look.runs;
  const { cfg, event } = deps;
  const { checkedUntil, watchingSince } = look;
  const missedKey = `${prefix}missed:${task.id}`;
  // Due times before the task last changed (re-enabled, a new schedule) are not judged: it may have been off then.
  const changed = Date.parse(task.updatedAt);
  let due = nextDue(
    Math.max(checkedUntil - grace, now - cfg.keepRuns, watchingSince - 1, (task.createdMs ?? 0) - 1, Number.isFinite(changed) ? changed - 1 : 0),
  );
  for (let n = 0; due !== undefined && due + grace <= now && n < MAX_DUE_PER_TASK && !openKeys.has(missedKey); n++) {
    const answered = () => (starts.get(task.id) ?? []).some((x) => x >= due! - EARLY_MS && x <= due! + grace);
    const later = () => (starts.get(task.id) ?? []).some((x) => x > due! + grace);
    if (!answered() && later()) await fetchRuns(task); // the list shows only the newest run
    const busy = (ends.get(task.id) ?? []).some((r) => r.createdMs < due! && r.stopMs > due!) || (now1 !== undefined && now1.startedMs < due);
    if (!answered() && !busy && (await stillAsRead(t, task))) {
      const event0 = await event(t, task, {
        kind: "task.missed",
        type: "missed",
        key: missedKey,
        openedMs: due + grace,
        details: { expectedAtMs: due, ...(task.scheduleText ? { trigger: task.scheduleText } : {}), graceMs: grace },
      });
      await deps.sink.open({
        key: missedKey,
        type: "missed",
        taskId: task.id,
        ...(task.appId ? { appId: task.appId } : {}),
        openedMs: due + grace,
        event: event0,
      });
      openKeys.add(missedKey);
    }
    due = nextDue(due);
  }
}

/** A run past what this task usually takes, while it runs. */
async function openRunningLong(
  deps: CloudJudgeDeps,
  look: TenantLook,
  task: CloudPlanTask,
  s: TaskSettings,
  usual: UsualDuration | undefined,
  now1: Running,
): Promise<void> {
  const { t, prefix, now, openKeys } = look;
  const { cfg, event } = deps;
  const limit = s.maxDurationMs ?? (cfg.runningLong.enabled ? usual?.limitMs : undefined);
  if (now1 && limit !== undefined && now - now1.startedMs > limit) {
    const key = `${prefix}long:${task.id}:${now1.startedMs}`;
    if (!openKeys.has(key)) {
      const e = await event(t, task, {
        kind: "task.running_long",
        type: "running_long",
        key,
        openedMs: now1.startedMs,
        details: {
          startedAtMs: now1.startedMs,
          limitMs: limit,
          limitFrom: s.maxDurationFrom ?? "learned",
          ...(usual ? { usualMs: Math.round(usual.medianMs) } : {}),
        },
      });
      await deps.sink.open({ key, type: "running_long", taskId: task.id, ...(task.appId ? { appId: task.appId } : {}), openedMs: now1.startedMs, event: e });
    }
  }
}

/** Asked once more before a task is called missed: it still exists, is enabled and has the definition judged. */
async function stillAsRead(t: CloudWatchTenant, task: CloudPlanTask): Promise<boolean> {
  try {
    const r = readCloudTask(await t.client.getTask(task.id));
    return r.ok && r.task.enabled && r.task.updatedAt === task.updatedAt;
  } catch (err) {
    if (err instanceof CloudApiError && err.kind === "not-found") return false;
    throw err;
  }
}
