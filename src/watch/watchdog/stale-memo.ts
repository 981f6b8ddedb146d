// What an app's stale judgement works out before it looks at the clock: its last success, how long after it the next
// one is due (its plan's deadline or its learned interval) and the start its plan expects. The same inputs give the
// same facts, so a look reuses the last look's for an app none of whose inputs changed: the app and its tasks as the
// plan has them (a plan read again keeps the objects of what did not change), the tasks up their chains, what the
// runs of all of them teach, the reloads outside the Scheduler, the configuration and the start latency. On the ×50
// site (5,800 apps) working them out for every app was a quarter of a look's CPU, for the hundred or so apps whose
// tasks ran since the look before, and the hourly read of the plan (a thousand apps reloaded) kept the others (issue 89).
import type { WatchdogConfig } from "./config";
import type { Plan, WatchedTask } from "./qrs-plan";

/** What the stale judgement of one app knows before the clock: undefined fields are not known (not judged yet). */
export interface AppStaleFacts {
  lastMs?: number;
  withinMs?: number;
  /** The start the plan expected after the last success (an app judged by its plan). */
  expectedAtMs?: number;
}

interface Entry {
  /** The app and its reload tasks as the plan had them. */
  app: object | undefined;
  reloadTasks: readonly WatchedTask[];
  /** The app's reload tasks that are watched, all of them (else the app is not judged: `facts` undefined). */
  live: readonly WatchedTask[];
  facts: AppStaleFacts | undefined;
  /**
   * The tasks whose learning the facts read (the live ones and those up their chains), and what each had learned
   * then: the look learns a task again only when its runs changed, so the same object is the same learning.
   */
  ids: readonly string[];
  tasks: readonly (WatchedTask | undefined)[];
  learned: readonly (object | undefined)[];
  outside: number | undefined;
  /** A trigger judged by QRS's stated time is read again in place between looks: such an app is worked out each look. */
  reusable: boolean;
}

export interface StaleMemo {
  plan?: Plan;
  cfg?: WatchdogConfig;
  startLatencyMs?: number;
  byApp: Map<string, Entry>;
}

export const createStaleMemo = (): StaleMemo => ({ byApp: new Map() });

/** Chains deeper than this are not followed (as stale-plan.ts). */
const MAX_CHAIN_DEPTH = 12;

/**
 * The live tasks and every task up their chains (any rule, enabled or not: more than the facts read never misleads),
 * with an upstream id the plan does not have (undefined: its arrival changes the facts too).
 */
function tasksRead(plan: Plan, live: readonly WatchedTask[]): { ids: string[]; tasks: (WatchedTask | undefined)[]; reusable: boolean } {
  const seen = new Map<string, WatchedTask | undefined>();
  const walk = (id: string, depth: number) => {
    if (seen.has(id)) return;
    const t = plan.tasks.get(id);
    seen.set(id, t);
    if (!t || depth >= MAX_CHAIN_DEPTH) return;
    for (const c of t.chains) for (const up of c.upstreamIds) walk(up, depth + 1);
  };
  for (const t of live) walk(t.id, 0);
  const tasks = [...seen.values()];
  return {
    ids: [...seen.keys()],
    tasks,
    reusable: tasks.every((t) => !t || t.schedules.every((s) => s.schedule && !s.judgedByQrs)),
  };
}

/** The same objects in the same order. */
const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, k) => x === b[k]);

/**
 * The memo of one look: `reuse` answers the last look's facts for an app when nothing they read changed, `keep`
 * remembers what this look worked out. Another configuration or start latency forgets every app; a plan read anew
 * forgets the apps it no longer has.
 */
export function staleMemoFor(memo: StaleMemo, plan: Plan, cfg: WatchdogConfig, startLatencyMs: number, learnedOf: (taskId: string) => object | undefined) {
  if (memo.cfg !== cfg || memo.startLatencyMs !== startLatencyMs) {
    memo.cfg = cfg;
    memo.startLatencyMs = startLatencyMs;
    memo.byApp = new Map();
  }
  if (memo.plan !== plan) {
    memo.plan = plan;
    for (const appId of memo.byApp.keys()) if (!plan.apps.has(appId)) memo.byApp.delete(appId);
  }
  return {
    /** The entry kept for the app if still good: its live tasks and facts. */
    reuse(
      appId: string,
      reloadTasks: readonly WatchedTask[],
      outside: number | undefined,
    ): { live: readonly WatchedTask[]; facts: AppStaleFacts | undefined } | undefined {
      const e = memo.byApp.get(appId);
      if (!e?.reusable || e.outside !== outside || e.app !== plan.apps.get(appId) || !same(e.reloadTasks, reloadTasks)) return undefined;
      for (let k = 0; k < e.ids.length; k++) if (plan.tasks.get(e.ids[k]!) !== e.tasks[k] || learnedOf(e.ids[k]!) !== e.learned[k]) return undefined;
      return e;
    },
    keep(
      appId: string,
      reloadTasks: readonly WatchedTask[],
      live: readonly WatchedTask[],
      facts: AppStaleFacts | undefined,
      outside: number | undefined,
    ): void {
      const { ids, tasks, reusable } = facts ? tasksRead(plan, live) : { ids: [], tasks: [], reusable: true };
      memo.byApp.set(appId, { app: plan.apps.get(appId), reloadTasks, live, facts, ids, tasks, learned: ids.map(learnedOf), outside, reusable });
    },
  };
}
