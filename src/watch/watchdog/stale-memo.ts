// What an app's stale judgement works out before it looks at the clock: its last success, how long after it the next
// one is due (its plan's deadline or its learned interval) and the start its plan expects. The same inputs give the
// same facts, so a look reuses the last look's for an app none of whose inputs changed: the plan, the configuration,
// the start latency, the reloads outside the Scheduler, and what the runs of its reload tasks and of the tasks up
// their chains teach. On the ×50 site (5,800 apps) working them out for every app was a quarter of a look's CPU, for
// the hundred or so apps whose tasks ran since the look before (issue 89).
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
  /** The app's reload tasks that are watched, all of them (else the app is not judged: `facts` undefined). */
  live: readonly WatchedTask[];
  facts: AppStaleFacts | undefined;
  /**
   * The tasks whose learning the facts read (the live ones and those up their chains), and what each had learned
   * then: the look learns a task again only when its runs changed, so the same object is the same learning.
   */
  ids: readonly string[];
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

/** The live tasks and every task up their chains (any rule, enabled or not: more than the facts read never misleads). */
function tasksRead(plan: Plan, live: readonly WatchedTask[]): { ids: string[]; reusable: boolean } {
  const seen = new Map<string, WatchedTask>();
  const walk = (t: WatchedTask, depth: number) => {
    if (seen.has(t.id)) return;
    seen.set(t.id, t);
    if (depth >= MAX_CHAIN_DEPTH) return;
    for (const c of t.chains)
      for (const id of c.upstreamIds) {
        const up = plan.tasks.get(id);
        if (up) walk(up, depth + 1);
      }
  };
  for (const t of live) walk(t, 0);
  const tasks = [...seen.values()];
  return { ids: tasks.map((t) => t.id), reusable: tasks.every((t) => t.schedules.every((s) => s.schedule && !s.judgedByQrs)) };
}

/**
 * The memo of one look: `facts` answers the last look's facts for an app when nothing they read changed, `keep`
 * remembers what this look worked out. A new plan, configuration or start latency forgets every app.
 */
export function staleMemoFor(memo: StaleMemo, plan: Plan, cfg: WatchdogConfig, startLatencyMs: number, learnedOf: (taskId: string) => object | undefined) {
  if (memo.plan !== plan || memo.cfg !== cfg || memo.startLatencyMs !== startLatencyMs) {
    memo.plan = plan;
    memo.cfg = cfg;
    memo.startLatencyMs = startLatencyMs;
    memo.byApp = new Map();
  }
  return {
    /** The entry kept for the app if still good: its live tasks and facts. */
    reuse(appId: string, outside: number | undefined): { live: readonly WatchedTask[]; facts: AppStaleFacts | undefined } | undefined {
      const e = memo.byApp.get(appId);
      if (!e?.reusable || e.outside !== outside) return undefined;
      for (let k = 0; k < e.ids.length; k++) if (learnedOf(e.ids[k]!) !== e.learned[k]) return undefined;
      return e;
    },
    keep(appId: string, live: readonly WatchedTask[], facts: AppStaleFacts | undefined, outside: number | undefined): void {
      const { ids, reusable } = facts ? tasksRead(plan, live) : { ids: [], reusable: true };
      memo.byApp.set(appId, { live, facts, ids, learned: ids.map(learnedOf), outside, reusable });
    },
  };
}
