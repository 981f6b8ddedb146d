// When an app will now be fresh, from the chain of Qlik tasks that ends in its reload (the watchdog's plan: schedule
// triggers, task-event triggers and each task's usual duration) and what ran this cycle: a task running finishes at
// its start plus its usual duration, a chained task starts when all its upstream tasks have succeeded, a scheduled one
// at its next start. A run that failed this cycle stops the chain there, and is named as the cause; so does a chained
// task that did not start when its upstream tasks ended (its node was down, its trigger missed): nothing will start it
// before its upstream runs again, so the chain is stopped there, not "expected at now + its duration" at every look.
// What is pending keeps a chain going (issue 102): a retry or re-run that is due (remediation's actions), a run waiting
// in the Scheduler's queue for an engine (waiting, not stopped, until the queue watch calls it a backlog). A time is
// *known* only when it follows from what runs or is due today; a waiting run's start, or a failed task's next scheduled
// run after the deadline, bounds the estimate but is no time to tell anyone. A preview's run (issue 105) may wait for
// its node to have an engine free and for the run before it in a re-run to end (engine-free.ts).
import type { TaskView } from "../watchdog/evaluate";
import { engineFreeAt, type NodeEngines } from "./engine-free";
import { OWN_RELOAD, type OwnReload, ownReloadFinish } from "./own-reloads";

/**
 * What went wrong upstream this cycle: a run that failed, one running past its usual limit, or a chained task that did
 * not start when its upstream ended (`atMs`: when that was; `after`: the upstream task that ended last).
 */
export interface ChainProblem {
  task: string;
  /** The task's Qlik id: the cause that holds it (stop-cause.ts) is found by it. */
  taskId?: string;
  /** `queued`: its run has waited for an engine longer than the queue watch's backlogAfter (the queue's cause holds it). */
  state: "failed" | "running_long" | "stopped" | "queued";
  atMs: number;
  after?: string;
}

/** The cause (src/tell/grouping) that holds a task of the chain up: named by stop-cause.ts. */
export interface StopCause {
  id: number;
  title: string;
  /** What kind of trouble, for the business reader's words (no node or task names there). */
  kind: "node" | "upstream" | "job" | "queue" | "other";
  openedMs: number;
  /** When it ended; absent while it is open. */
  closedMs?: number;
  /** The task of the chain it holds. */
  task: string;
  /** "cause #3 (Qlik services down on reload01, since 05:20)", times in the site's zone. */
  text: string;
}

/** A run of a task of the chain that is due: a retry or re-run remediation will start at `dueMs` (src/start/remediation). */
export interface PendingRun {
  taskId: string;
  dueMs: number;
  /** It starts only once this node has an engine free: started into a full node it waits in Qlik's queue (a preview's). */
  engines?: NodeEngines;
  /** It starts once these tasks' runs (due too) have ended: a re-run starts its runs one after the other, a chain's follow their upstream. */
  afterTaskIds?: readonly string[];
}

/** What keeps the chain going that has not started yet: said on the administrator's page and in the alerts. */
export interface ChainPending {
  task: string;
  /**
   * `retry`: a retry or re-run is due at atMs; `waiting`: its run waits for an engine since atMs; `reload`: Steward's own
   * Engine reload of the app starts (or started) at atMs.
   */
  kind: "retry" | "waiting" | "reload";
  atMs: number;
}

export interface ChainEta {
  /** When the app's reload is expected to finish (never before now); absent when the chain cannot tell. */
  expectedMs?: number;
  /**
   * The earliest it can finish when that is not known (a run waits for an engine, the next run is after the deadline):
   * enough to say a deadline cannot be kept, never a time to tell. Absent when expectedMs is given or nothing bounds it.
   */
  earliestMs?: number;
  /** What is pending along the chain (a retry due, a run waiting for an engine): while it can make the deadline, no breach is certain. */
  pending?: ChainPending[];
  /** The tasks from the chain's head to the app's reload along the path that gives expectedMs. */
  via: string[];
  /** The same tasks' Qlik ids. */
  viaIds: string[];
  problems: ChainProblem[];
  /** The cause (src/tell/grouping) that holds the task where the chain stopped, when one does (stop-cause.ts). */
  cause?: StopCause;
}

/**
 * `done`: the task ran and succeeded this cycle (atMs is when), not a projection. `guess`: atMs is only the earliest
 * (it rests on a start whose time nobody knows, or on a scheduled run after the deadline).
 */
type Option = { atMs: number; via: string[]; ids: string[]; done?: true; guess?: true };
type Finish = Option | undefined;
const SUCCEEDED = 7;
/**
 * A chained task not started this long after its upstream ended did not start at all: the Scheduler starts it at once
 * (the watchdog's default grace for a stopped chain).
 */
export const STOP_GRACE_MS = 5 * 60_000;
const MAX_DEPTH = 20;

/** What else the projection knows: the deadline it is about, and the retries and re-runs that are due. */
export interface ChainEtaOptions {
  /** A scheduled start after it is no estimate for this deadline (the next day's run is not "expected at"). */
  deadlineMs?: number;
  pending?: readonly PendingRun[];
  /** Steward's own Engine reloads of the app to come (own-reloads.ts) and the app's usual reload time: they end at the app. */
  own?: { reloads: readonly OwnReload[]; usualMs?: number };
}

/** Of two ways to finish, the earlier; a known time before a guess at the same time. */
const earlier = (m: Option, o: Option): Option => (o.atMs < m.atMs || (o.atMs === m.atMs && m.guess && !o.guess) ? o : m);

/** `seenAtMs`: when the view of the tasks was taken (the watchdog's last look): a start after it is not in the view yet. */
export function chainEta(
  appId: string,
  tasks: readonly TaskView[],
  cycleStartMs: number,
  nowMs: number,
  seenAtMs = nowMs,
  opts: ChainEtaOptions = {},
): ChainEta | undefined {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const byLowerId = new Map(tasks.map((t) => [t.id.toLowerCase(), t]));
  const dueOf = new Map<string, PendingRun>();
  for (const r of opts.pending ?? []) {
    const id = r.taskId.toLowerCase();
    const known = dueOf.get(id);
    if (!known || r.dueMs < known.dueMs) dueOf.set(id, r);
  }
  const usualMsOf = (id: string) => byLowerId.get(id.toLowerCase())?.usual?.medianMs;
  const pending = new Map<string, ChainPending>();
  const reloads = tasks.filter((t) => t.appId?.toLowerCase() === appId.toLowerCase());
  // Steward's own Engine reload of the app: it ends the chain at the app (no trigger follows it), from its start.
  const own = opts.own && ownReloadFinish(appId, tasks, opts.own.reloads, nowMs, opts.own.usualMs);
  if (reloads.length === 0 && !own) return undefined;
  if (own) pending.set(OWN_RELOAD, { task: OWN_RELOAD, kind: "reload", atMs: own.startMs });
  const memo = new Map<string, Finish>();
  const problems = new Map<string, ChainProblem>();

  const finish = (t: TaskView, depth: number, path: ReadonlySet<string>): Finish => {
    if (memo.has(t.id)) return memo.get(t.id);
    // A loop of task-event triggers, or a chain deeper than any real one: no estimate through it.
    if (path.has(t.id) || depth > MAX_DEPTH) return undefined;
    const usual = t.usual?.medianMs;
    const ranThisCycle = t.lastRunMs !== undefined && t.lastRunMs >= cycleStartMs;
    let out: Finish;
    const run = dueOf.get(t.id.toLowerCase());
    if (t.runningSinceMs !== undefined) {
      if (t.usual && nowMs - t.runningSinceMs > t.usual.limitMs)
        problems.set(t.id, { task: t.name, taskId: t.id, state: "running_long", atMs: t.runningSinceMs });
      out = usual === undefined ? undefined : { atMs: Math.max(nowMs, t.runningSinceMs + usual), via: [t.name], ids: [t.id] };
    } else if (t.waitingSinceMs !== undefined) {
      // Waiting for an engine: it starts when one is free, nobody knows when. Past backlogAfter the queue is the cause.
      pending.set(t.id, { task: t.name, kind: "waiting", atMs: t.waitingSinceMs });
      if (t.backlogAtMs !== undefined && seenAtMs >= t.backlogAtMs) problems.set(t.id, { task: t.name, taskId: t.id, state: "queued", atMs: t.waitingSinceMs });
      out = usual === undefined ? undefined : { atMs: nowMs + usual, via: [t.name], ids: [t.id], guess: true };
    } else if (ranThisCycle && t.lastStatus === SUCCEEDED) {
      // Run again (a chain started again from it): what follows waits for that run, not for the one that succeeded.
      out = (run && dueRunFinish(run, usual, depth, path)) ?? { atMs: t.lastRunMs!, via: [t.name], ids: [t.id], done: true };
      if (run) pending.set(t.id, { task: t.name, kind: "retry", atMs: run.dueMs });
    } else {
      if (ranThisCycle) problems.set(t.id, { task: t.name, taskId: t.id, state: "failed", atMs: t.lastRunMs! });
      const options: Option[] = [];
      // A retry or re-run that is due: remediation starts it then (a person asked, or a rule did).
      if (run !== undefined) {
        pending.set(t.id, { task: t.name, kind: "retry", atMs: run.dueMs });
        const o = dueRunFinish(run, usual, depth, path);
        if (o) options.push(o);
      }
      if (usual !== undefined && t.nextExpectedMs !== undefined) {
        const afterDeadline = opts.deadlineMs !== undefined && t.nextExpectedMs > opts.deadlineMs;
        options.push({ atMs: t.nextExpectedMs + usual, via: [t.name], ids: [t.id], ...(afterDeadline ? { guess: true as const } : {}) });
      }
      // Its start fell due moments ago and has not shown yet: it is starting, not tomorrow's.
      if (usual !== undefined && t.dueMs !== undefined && !ranThisCycle) options.push({ atMs: Math.max(nowMs, t.dueMs) + usual, via: [t.name], ids: [t.id] });
      const inner = new Set(path).add(t.id);
      for (const a of usual === undefined || ranThisCycle ? [] : (t.after ?? [])) {
        if (!a.onSuccess) continue;
        const ups = a.upstreamIds.map((id) => {
          const u = byId.get(id);
          return u ? finish(u, depth + 1, inner) : undefined;
        });
        if (ups.some((u) => u === undefined)) continue;
        const last = ups.reduce((m, u) => (u!.atMs > m!.atMs ? u : m))!;
        // Its upstream ended and it did not start: the trigger's moment passed, nothing starts it this cycle.
        if (ups.every((u) => u!.done) && seenAtMs - last.atMs >= STOP_GRACE_MS) {
          problems.set(t.id, { task: t.name, taskId: t.id, state: "stopped", atMs: last.atMs, after: last.via.at(-1)! });
          continue;
        }
        options.push({
          atMs: Math.max(nowMs, last.atMs) + usual!,
          via: [...last.via, t.name],
          ids: [...last.ids, t.id],
          ...(ups.some((u) => u!.guess) ? { guess: true as const } : {}),
        });
      }
      out = options.length ? options.reduce(earlier) : undefined;
    }
    memo.set(t.id, out);
    return out;
  };

  /**
   * Where a due run ends: after its start (when due, once the node has an engine free, once the run before it ended)
   * plus its usual duration; only the earliest it can end (a guess) when one of those is not known.
   */
  const dueRunFinish = (run: PendingRun, usual: number | undefined, depth: number, path: ReadonlySet<string>): Option | undefined => {
    const t = byLowerId.get(run.taskId.toLowerCase())!;
    let start = Math.max(nowMs, run.dueMs);
    let known = usual !== undefined;
    let via = [t.name];
    let ids = [t.id];
    if (run.engines) {
      const free = engineFreeAt(run.engines, usualMsOf, nowMs);
      if (free === undefined) known = false;
      else start = Math.max(start, free);
    }
    let last: Option | undefined;
    for (const id of run.afterTaskIds ?? []) {
      const before = byLowerId.get(id.toLowerCase());
      const ended = before && finish(before, depth + 1, new Set(path).add(t.id));
      if (ended === undefined || ended.guess) known = false;
      if (ended && (!last || ended.atMs > last.atMs)) last = ended;
    }
    if (last) {
      start = Math.max(start, last.atMs);
      if (!last.done)
        [via, ids] = [
          [...last.via, t.name],
          [...last.ids, t.id],
        ];
    }
    // An unknown duration bounds nothing past its start: the app is not fresh before then, no time to tell.
    return { atMs: start + (usual ?? 0), via, ids, ...(known ? {} : { guess: true as const }) };
  };

  const found = reloads.map((t) => finish(t, 0, new Set())).filter((f) => f !== undefined);
  if (own) found.push({ atMs: own.atMs, via: [OWN_RELOAD], ids: [], ...(own.guess ? { guess: true as const } : {}) });
  const best = found.length ? found.reduce(earlier) : undefined;
  const atMs = best && Math.max(nowMs, best.atMs);
  return {
    ...(atMs !== undefined ? (best!.guess ? { earliestMs: atMs } : { expectedMs: atMs }) : {}),
    ...(pending.size > 0 ? { pending: [...pending.values()] } : {}),
    via: best?.via ?? [],
    viaIds: best?.ids ?? [],
    problems: [...problems.values()],
  };
}
