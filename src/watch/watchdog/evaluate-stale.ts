// The watchdog's look at apps: one whose last successful reload is older than its plan (or, without one, its
// usual interval between reloads) allows is stale.
import { isQueued, STATUS } from "./observations";
import type { Plan, WatchedTask } from "./qrs-plan";
import { staleByPlan } from "./stale-plan";
import { type Look, median } from "./evaluation-look";
import { lastRun } from "./run-list";
import { type AppStaleFacts, staleMemoFor } from "./stale-memo";

/** Per app judged: its last successful reload and how long after it the next one is expected. */
export type StaleFacts = Map<string, { lastMs?: number; withinMs?: number }>;

/** The tasks a success chain of `task` waits for, and theirs, up the chain (QMC chains are a handful deep). */
function upstreamOf(look: Look, task: WatchedTask): WatchedTask[] {
  const seen = new Map<string, WatchedTask>();
  const walk = (t: WatchedTask, depth: number) => {
    if (depth >= 12) return;
    for (const c of t.chains) {
      if (!c.ruleStates.every((r) => r === 1)) continue;
      for (const id of c.upstreamIds) {
        const up = look.plan.tasks.get(id);
        if (!up || seen.has(id) || id === task.id) continue;
        seen.set(id, up);
        walk(up, depth + 1);
      }
    }
  };
  walk(task, 0);
  return [...seen.values()];
}

/**
 * Why an app past its due time is not paged now, if it is not (issue 59): a reload of it is running or in a retry
 * the Scheduler announced (its end decides), its run was already paged as running long, a start of its task (or one
 * up its chain) did not come and that page named the app, or its only task was turned
 * off and task.disabled said the data ages until it runs again. The deadline counts each task of its chain at its
 * usual duration (issue 64), so a night on which the chain is merely slow is told by the chain itself: a task up the
 * chain still running, or one that has just succeeded and whose downstream task starts within grace. Once the
 * reason ends, the page comes if still due.
 */
function staleHeldBack(look: Look, tasks: readonly WatchedTask[]): string | undefined {
  const { runningByTask, runsByTask, i, isOpen, nowMs, graceOf } = look;
  // A reload waiting in the Scheduler's queue holds the page back only as long as a backlog takes to page on its own
  // (watchdog.queue.backlogAfter): past that, the queue's page (scheduler.queue_backlog) is the cause and this app its
  // symptom. A queue that does not drain never silences the app (issue 66), and one that drains soon pages nothing.
  const queuedOf = (t: WatchedTask) =>
    i.cfg.queue.enabled ? i.running.find((e) => e.taskId === t.id && isQueued(e.status) && nowMs - e.createdMs < i.cfg.queue.backlogAfter) : undefined;
  for (const t of tasks) {
    if ((runningByTask.get(t.id) ?? []).length > 0) return `a reload is running (task "${t.name}")`;
    const held = i.remediationHeld?.get(t.id.toLowerCase());
    if (held) return held;
    if (queuedOf(t))
      return `a reload is waiting in the Scheduler's queue (task "${t.name}"); if the queue lasts, its own page (scheduler.queue_backlog) names it`;
    const last = lastRun(runsByTask.get(t.id));
    const retrying = isOpen("retrying", t.id) || last?.status === STATUS.Retry || i.changed.some((e) => e.taskId === t.id && e.status === STATUS.Retry);
    if (retrying) return `the Scheduler is retrying the reload (task "${t.name}")`;
    if (isOpen("running_long", t.id)) return `the reload was already paged as running long (task "${t.name}")`;
  }
  // A task up its chain whose retry a rule or a person asked for (issue 101): the chain runs again if the retry heals
  // it; if it fails, the rule's page, or this app's at the next look, names the app among what the chain leaves stale.
  for (const t of tasks)
    for (const up of upstreamOf(look, t)) {
      const held = i.remediationHeld?.get(up.id.toLowerCase());
      if (held) return `up its chain, ${held}`;
    }
  // A start that did not come, of its task or one up its chain, is the cause, and its page (task.missed,
  // task.chain_broken) names the app: the app past its due time is that page's consequence, not a second page.
  for (const t of tasks)
    for (const c of [t, ...upstreamOf(look, t)]) {
      const named = c === t ? "named this app" : "was paged; this app waits for it, after it in the chain";
      if (isOpen("missed", c.id)) return `task "${c.name}" did not start when planned, and task.missed ${named}`;
      if (isOpen("chain_broken", c.id)) return `the chain stopped at task "${c.name}", and task.chain_broken ${named}`;
    }
  for (const t of tasks) {
    for (const up of upstreamOf(look, t)) {
      if ((runningByTask.get(up.id) ?? []).length > 0 || queuedOf(up))
        return `a task up its chain is still running (task "${up.name}"); the chain's end decides`;
      const ended = look.lastSuccessEndOf(up.id);
      if (ended !== undefined && ended <= nowMs && nowMs - ended <= graceOf(t))
        return `task "${up.name}" up its chain has just succeeded; the tasks after it start within grace`;
    }
  }
  if (tasks.every((t) => isOpen("disabled", t.id)))
    return `its task was turned off, and task.disabled (or, for a schedule that ended as set, task.notice) said the data ages until it runs again`;
  return undefined;
}

/** Per plan, its reload tasks by app (held weakly, gone with the plan): the same for every look at that plan. */
const reloadTasksOf = new WeakMap<Plan, Map<string, WatchedTask[]>>();

function reloadTasksByApp(plan: Plan): Map<string, WatchedTask[]> {
  let byApp = reloadTasksOf.get(plan);
  if (byApp) return byApp;
  byApp = new Map();
  for (const t of plan.tasks.values()) if (t.taskType === 0 && t.appId) (byApp.get(t.appId) ?? byApp.set(t.appId, []).get(t.appId)!).push(t);
  reloadTasksOf.set(plan, byApp);
  return byApp;
}

/** Apps whose last successful reload is older than their plan (or, without one, their usual interval) allows. */
export function staleApps(look: Look): StaleFacts {
  const { i, cfg, plan, nowMs, settingsOf, open } = look;
  const staleOf: StaleFacts = new Map();
  if (cfg.stale.enabled) {
    const memo = staleMemoFor(look.memo.stale, plan, cfg, i.startLatencyMs, look.learnedOf);
    for (const [appId, tasks] of reloadTasksByApp(plan)) {
      const outside = i.reloadsOutside?.get(appId);
      let kept = memo.reuse(appId, tasks, outside);
      if (!kept) {
        // A disabled task's app is still judged: turned off is not up to date (task.disabled says why). StewardWatch=off
        // on one of its tasks silences the app.
        const watchedTasks = tasks.filter((t) => settingsOf(t).watch);
        // The plan's own list when all are watched (the usual case): the memo keeps no copy of it per app.
        const live = watchedTasks.length === tasks.length ? tasks : watchedTasks;
        kept = { live, facts: live.length === 0 || live.length < tasks.length ? undefined : factsOf(look, appId, live, outside) };
        memo.keep(appId, tasks, kept.live, kept.facts, outside);
      }
      const { live, facts } = kept;
      if (!facts) continue;
      staleOf.set(appId, facts);
      const { lastMs, withinMs } = facts;
      if (withinMs === undefined || lastMs === undefined || nowMs - lastMs <= withinMs) continue;
      const held = staleHeldBack(look, live);
      if (held) {
        look.staleHeld.set(appId, held);
        continue;
      }
      open({
        key: `stale:${appId}`,
        type: "stale",
        appId,
        openedMs: lastMs,
        details: {
          lastSuccessAtMs: lastMs,
          expectWithinMs: withinMs,
          ...(facts.expectedAtMs !== undefined ? { expectedAtMs: facts.expectedAtMs } : {}),
        },
      });
    }
  }
  return staleOf;
}

/** The app's last success and how long after it the next one is due, by its plan or its learned interval. */
function factsOf(look: Look, appId: string, live: readonly WatchedTask[], outside: number | undefined): AppStaleFacts {
  const { i, cfg, plan, typicalByTask, settingsOf, graceOf } = look;
  /**
   * How long a reload of the chain takes when all is well: the median of the task's recent successful runs, not its
   * running-long limit (issue 64: a failed upstream's apps were paged 2 h after they would have been refreshed). A
   * slow night does not page: a task of the chain still running holds the page back (staleHeldBack).
   */
  const staleUsualOf = (id: string) => typicalByTask.get(id);
  const app = plan.apps.get(appId);
  // One task (the usual case): its ends and their median gap as the look remembers them; else merged here.
  const one = live.length === 1 ? live[0]!.id : undefined;
  // Its ends are read only for an app of several tasks (merged here): one task's last end and count are at hand.
  const ends = one !== undefined ? undefined : live.flatMap((t) => look.successEndsOf(t.id)).sort((a, b) => a - b);
  const endCount = ends ? ends.length : look.successCountOf(one!);
  // A reload outside the Scheduler (the hub, the Engine API) refreshed the data as well as a task's would.
  const last = Math.max(
    (ends ? ends[ends.length - 1] : look.lastSuccessEndOf(one!)) ?? Number.NEGATIVE_INFINITY,
    app?.lastReloadMs ?? Number.NEGATIVE_INFINITY,
    outside ?? Number.NEGATIVE_INFINITY,
  );
  const lastMs = Number.isFinite(last) ? last : undefined;
  const set = live.map((t) => settingsOf(t).expectSuccessWithinMs).find((v) => v !== undefined);
  // Apps reloaded by triggers are judged by their plan; the learned interval only for apps without one.
  const byPlan = staleByPlan({ plan, usualMsOf: staleUsualOf, graceOf }, live, lastMs);
  const usualGap = endCount >= cfg.stale.minRuns ? (ends ? median(ends.slice(1).map((e, k) => e - ends[k]!)) : look.gapMedianOf(one!)) : undefined;
  const learned = usualGap !== undefined && usualGap > 0 ? Math.round(usualGap * cfg.stale.factor + Math.max(cfg.grace, i.startLatencyMs)) : undefined;
  const planned = byPlan.deadlineMs !== undefined && lastMs !== undefined ? byPlan.deadlineMs - lastMs : undefined;
  const withinMs = set ?? (byPlan.planned ? planned : learned);
  return {
    ...(lastMs !== undefined ? { lastMs } : {}),
    ...(withinMs !== undefined ? { withinMs } : {}),
    ...(set === undefined && byPlan.expectedAtMs !== undefined ? { expectedAtMs: byPlan.expectedAtMs } : {}),
  };
}
