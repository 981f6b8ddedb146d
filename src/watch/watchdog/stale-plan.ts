// When an app's data is stale by its plan: the first reload its triggers expected after the last success (a schedule
// of its own, or a chain of task-event triggers leading back to one), plus that task's usual duration and grace.
// Office hours, weekdays and monthly triggers leave gaps in which nothing is expected, so nothing is stale there.
import { nextExpectedStart } from "./schedule";
import type { Plan, WatchedTask } from "./qrs-plan";

export interface StaleByPlan {
  /** The app's reloads come from triggers (directly or through a chain); the learned interval is not used. */
  planned: boolean;
  /** The first start the plan expected after the last success, if one is known. */
  expectedAtMs?: number;
  /** When a success was due at the latest: expected start + usual duration + grace. */
  deadlineMs?: number;
}

export interface StalePlanDeps {
  plan: Plan;
  /** A task's usual successful duration, or undefined while none was seen (then its app is not judged yet). */
  usualMsOf(taskId: string): number | undefined;
  graceOf(task: WatchedTask): number;
}

/** Chains deeper than this are not followed (QMC chains on real sites are a handful deep). */
const MAX_CHAIN_DEPTH = 12;

/** Whether the task starts from triggers: a schedule of its own, or a success chain from a task that does. */
export function hasPlan(plan: Plan, task: WatchedTask, depth = 0): boolean {
  if (task.schedules.some((s) => s.enabled)) return true;
  if (depth >= MAX_CHAIN_DEPTH) return false;
  return task.chains.some(
    (c) =>
      c.ruleStates.every((s) => s === 1) &&
      c.upstreamIds.every((id) => {
        const up = plan.tasks.get(id);
        return up?.enabled === true && hasPlan(plan, up, depth + 1);
      }),
  );
}

/**
 * The first start the plan expects for the task after `afterMs`: its own schedules, or the end of the upstream runs
 * a success chain waits for (each upstream's first expected start after `afterMs`, ending a usual duration later).
 * An upstream run already under way at `afterMs` may feed the chain sooner; counting from the next one errs late,
 * never early, so a chain is never called stale before its data was due. Undefined when nothing is expected or a
 * duration on the way is not known yet.
 */
export function expectedStartAfter(d: StalePlanDeps, task: WatchedTask, afterMs: number, depth = 0): number | undefined {
  let best: number | undefined;
  for (const tr of task.schedules) {
    const n = nextExpectedStart(tr, afterMs);
    if (n !== undefined && (best === undefined || n < best)) best = n;
  }
  if (depth >= MAX_CHAIN_DEPTH) return best;
  for (const c of task.chains) {
    if (!c.ruleStates.every((s) => s === 1)) continue; // a chain on failure is not an expected reload
    let at: number | undefined = Number.NEGATIVE_INFINITY;
    for (const id of c.upstreamIds) {
      const up = d.plan.tasks.get(id);
      const usual = up ? d.usualMsOf(up.id) : undefined;
      const start = up?.enabled && usual !== undefined ? expectedStartAfter(d, up, afterMs, depth + 1) : undefined;
      if (start === undefined || usual === undefined) {
        at = undefined;
        break;
      }
      at = Math.max(at, start + usual); // all rules must be met: the last upstream's end
    }
    if (at !== undefined && at > afterMs && (best === undefined || at < best)) best = at;
  }
  return best;
}

/**
 * Per plan, whether each of its tasks starts from triggers: the plan alone says so (a rebuilt plan is a new object),
 * so each look does not walk every app's chains again (about 7 ms of a look on the ×50 site, issue 78). Held weakly:
 * gone with the plan.
 */
const plannedOf = new WeakMap<Plan, Map<string, boolean>>();

function isPlanned(plan: Plan, task: WatchedTask): boolean {
  let known = plannedOf.get(plan);
  if (!known) plannedOf.set(plan, (known = new Map()));
  let planned = known.get(task.id);
  if (planned === undefined) known.set(task.id, (planned = hasPlan(plan, task)));
  return planned;
}

/** The app's plan-based deadline after its last success: the earliest of its tasks' expected reloads. */
export function staleByPlan(d: StalePlanDeps, tasks: readonly WatchedTask[], lastSuccessMs: number | undefined): StaleByPlan {
  const planned = tasks.filter((t) => (d.plan.tasks.get(t.id) === t ? isPlanned(d.plan, t) : hasPlan(d.plan, t)));
  if (planned.length === 0) return { planned: false };
  if (lastSuccessMs === undefined) return { planned: true };
  let out: StaleByPlan = { planned: true };
  for (const t of planned) {
    const usual = d.usualMsOf(t.id);
    if (usual === undefined) return { planned: true }; // a task with no successful run seen yet: not judged
    const at = expectedStartAfter(d, t, lastSuccessMs);
    if (at === undefined) continue;
    const deadline = at + usual + d.graceOf(t);
    if (out.deadlineMs === undefined || deadline < out.deadlineMs) out = { planned: true, expectedAtMs: at, deadlineMs: deadline };
  }
  return out;
}
