// The finished runs a look learns from, kept in memory on the SQLite file. Each look reads every run of the last
// keepRuns (35 days: about 14,000 rows on a site with 400 runs a day), so the read grew with the history and became
// most of a look's cost. The file is held by one process (an exclusive lock) and every write of watchdog_runs goes
// through the watch store, so the runs read once stay true if each write and prune is applied here too. On
// PostgreSQL other Stewards write as well: there each look reads the store.
//
// Only what the statistics read is kept, as columns of numbers per task (task-runs.ts): at 5,800 tasks 35 days are
// about 700,000 runs, which as objects with their ids and names grew the heap by megabytes a day (issue 78). Which
// runs are new is the store's answer (its insert ignores a run it has), so no run id is held here.
//
// What the statistics learn from is kept beside them per task, as the runs are added and pruned (run-learner.ts): a
// look learns a task from at most a few hundred numbers, however many runs it kept.
import type { RunList } from "./run-list";
import type { KeptRun } from "./run-list";
import { RunLearner } from "./run-learner";
import { createPrefixRuns } from "./prefix-runs";
import { createTaskRuns, type TaskRuns } from "./task-runs";

export interface KeptRuns {
  /**
   * The runs per task with a stop at or after `sinceMs` (each list oldest first); undefined when they reach back less
   * far. A list is the kept one itself when the whole of it is asked for, read-only, so a look copies nothing.
   */
  byTask(sinceMs: number): Map<string, RunList> | undefined;
  /**
   * Before a read of the store whose rows are to be loaded: a token that `load` accepts only if no write began or
   * ended in between (a read a write overtook would lose that write's runs).
   */
  readToken(): number;
  /** Everything the store holds from `sinceMs` on, as just read from it (oldest first); false when not kept. */
  load(token: number, sinceMs: number, rows: readonly KeptRun[]): boolean;
  /** Around each write of the runs (insert or prune), so a read running beside it is not kept. */
  writing(): () => void;
  /** Runs the store has just inserted (new to it: a run it already had is not among them). */
  added(rows: readonly KeptRun[]): void;
  /**
   * The store dropped the runs that stopped before `beforeMs`. The runs themselves are held from `holdFromMs` on
   * (and each task's newest run): what the learners keep of them goes back to `beforeMs`.
   */
  pruned(beforeMs: number, holdFromMs?: number): void;
  /** The runs themselves are held from `fromMs` on (and each task's newest run); the store and the learners keep theirs. */
  hold(fromMs: number): void;
  /**
   * The runs held per task, each list complete from `fromMs` on (oldest first) and holding the task's newest run
   * however old: read-only, the kept lists themselves. Undefined until a first load.
   */
  recent(): { fromMs: number; byTask: ReadonlyMap<string, RunList> } | undefined;
  /**
   * How many runs are held, and the bytes their columns take (what memory they cost, the lists' capacity included);
   * `learnedBytes`: what the learners keep of them.
   */
  size(): { runs: number; bytes: number; learnedBytes: number };
  /**
   * What each task's runs that stopped at or after `sinceMs` teach, kept as they come (a task with no run kept has
   * none); undefined until a first load or when they reach back less far.
   */
  learners(sinceMs: number): ReadonlyMap<string, RunLearner> | undefined;
  /** The time zone each task's kinds of day are counted in, for the learners made from now on (UTC when not known). */
  setZones(zoneOf: (taskId: string) => string | undefined): void;
  /** The task's learner made again in `zone` from every run the store holds of it (`rows`); false as `load`. */
  relearn(token: number, taskId: string, zone: string, rows: readonly KeptRun[]): boolean;
  /**
   * Per task whose id starts with `prefix` (a Qlik Cloud tenant's), its runs since `sinceMs`, oldest stop first, over
   * all of keepRuns (prefix-runs.ts); undefined until `loadPrefix` kept them from that far back.
   */
  prefixRuns(prefix: string, sinceMs: number): Map<string, KeptRun[]> | undefined;
  /** Everything the store holds of the prefix's tasks from `sinceMs` on, as just read from it; false as `load`. */
  loadPrefix(token: number, prefix: string, sinceMs: number, rows: readonly KeptRun[]): boolean;
  /** How many runs of the Qlik Cloud tenants are kept (prefixRuns). */
  prefixRunsHeld(): number;
}

export function createKeptRuns(): KeptRuns {
  /** From when on every run of the store is learned from; undefined until a first load. */
  let from: number | undefined;
  /** From when on every run of the store is held (each task's newest as well); not before `from`. */
  let heldFrom = Number.NEGATIVE_INFINITY;
  const tasks = new Map<string, TaskRuns>();
  const learners = new Map<string, RunLearner>();
  const prefixes = createPrefixRuns();
  let zoneOf: (taskId: string) => string | undefined = () => undefined;
  /** Writes begun and ended; odd-free bookkeeping: `busy` counts those in flight. */
  let writes = 0;
  let busy = 0;

  const keep = (r: KeptRun) => {
    let own = tasks.get(r.taskId);
    if (!own) tasks.set(r.taskId, (own = createTaskRuns(r.taskId)));
    own.insert(r);
    let learner = learners.get(r.taskId);
    if (!learner) learners.set(r.taskId, (learner = new RunLearner(zoneOf(r.taskId) ?? "UTC")));
    learner.add(r);
  };
  const unchanged = (token: number) => token >= 0 && token === writes && busy === 0;

  const hold = (fromMs: number) => {
    if (from === undefined) return;
    for (const runs of tasks.values()) if (runs.length > 0 && runs.stopMs(0) < fromMs) runs.dropBefore(fromMs, true);
    heldFrom = Math.max(heldFrom, fromMs);
  };

  return {
    byTask(sinceMs) {
      if (from === undefined || sinceMs < from || sinceMs < heldFrom) return undefined;
      const out = new Map<string, RunList>();
      for (const [taskId, runs] of tasks) {
        // Mostly the whole list: the prune after each look leaves little before the next look's window.
        const list = runs.from(sinceMs);
        if (list) out.set(taskId, list);
      }
      return out;
    },
    readToken: () => (busy > 0 ? -1 : writes),
    load(token, sinceMs, rows) {
      if (!unchanged(token)) return false;
      tasks.clear();
      learners.clear();
      for (const r of rows) keep(r);
      from = sinceMs;
      heldFrom = sinceMs;
      return true;
    },
    writing() {
      writes++;
      busy++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        writes++;
        busy--;
      };
    },
    added(rows) {
      prefixes.added(rows);
      if (from === undefined) return;
      for (const r of rows) if (r.stopMs >= from) keep(r);
    },
    pruned(beforeMs, holdFromMs = beforeMs) {
      prefixes.pruned(beforeMs);
      if (from === undefined) return;
      for (const [taskId, runs] of tasks) {
        // Only the tasks whose oldest run went are touched (a look prunes a few runs at a time).
        if (runs.length > 0 && runs.stopMs(0) >= beforeMs) continue;
        runs.dropBefore(beforeMs);
        if (runs.length === 0) tasks.delete(taskId);
      }
      for (const [taskId, learner] of learners) {
        learner.dropBefore(beforeMs);
        if (learner.empty && !tasks.has(taskId)) learners.delete(taskId);
      }
      from = Math.max(from, beforeMs);
      hold(Math.max(beforeMs, holdFromMs));
    },
    hold,
    recent: () => (from === undefined ? undefined : { fromMs: Math.max(from, heldFrom), byTask: tasks }),
    size() {
      let runs = 0;
      let bytes = 0;
      for (const t of tasks.values()) {
        runs += t.length;
        bytes += t.bytes();
      }
      let learnedBytes = 0;
      for (const l of learners.values()) learnedBytes += l.bytes();
      return { runs, bytes, learnedBytes };
    },
    learners(sinceMs) {
      if (from === undefined || sinceMs < from) return undefined;
      // As a look's lists start at its `since` (a few minutes past the last prune), so do what the learners teach.
      for (const l of learners.values()) l.dropBefore(sinceMs);
      return learners;
    },
    setZones(fn) {
      zoneOf = fn;
    },
    relearn(token, taskId, zone, rows) {
      if (from === undefined || !unchanged(token)) return false;
      if (!tasks.has(taskId)) return true;
      const learner = new RunLearner(zone);
      for (const r of rows) if (r.taskId === taskId && r.stopMs >= from) learner.add(r);
      learners.set(taskId, learner);
      return true;
    },
    prefixRuns: (prefix, sinceMs) => prefixes.get(prefix, sinceMs),
    loadPrefix(token, prefix, sinceMs, rows) {
      if (!unchanged(token)) return false;
      prefixes.load(prefix, sinceMs, rows);
      return true;
    },
    prefixRunsHeld: () => prefixes.size(),
  };
}
