// The data checks after a reload: a run per reload, claimed in the store (so a reload's checks are evaluated
// once, whichever Steward hears of it), queued and worked off a few apps at a time; each run evaluates its
// checks in one Engine session, stores the values and verdict, then raises its events. A run survives a crash:
// queued and running runs are evaluated again, evaluated ones announce their events again (same event ids, so
// the outbox sends each once). Follow-up tasks ask holdBack() whether the reload's checks let them start.
import type { Logger } from "pino";
import type { DataChecksConfig, DataCheckConfig } from "./config";
import { type Clock, type Timer, wallClock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import type { DataCheckEvent, TaskEvent } from "../../platform/events/types";
import type { EngineClient } from "../../platform/qlik/engine-client";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { applicableChecks, unknownSets } from "./applicability";
import type { CheckStore, RunDoc, RunRow } from "./check-store";
import { createCheckMetrics } from "./metrics";
import { announceRun, evaluateRun, type RunWork, waitForVerdict } from "./run-work";
import { lookUpApp, reloadInputOf, runIdOf, type ReloadInput } from "./reload-input";
import type { MetricsRegistry } from "../../platform/core/metrics";

export interface DataChecksDeps {
  cfg: DataChecksConfig;
  engine: EngineClient;
  /** The Engine node the checks run on (for events and logs). */
  engineHost: string;
  qrs?: QrsClient;
  store: CheckStore;
  emit(e: DataCheckEvent): Promise<void>;
  log: Logger;
  clock: Clock;
  metrics: MetricsRegistry;
  instanceId: string;
  /** The Steward instances alive in a cluster: the unfinished runs of the others are taken over (single: all others). */
  liveInstances?: () => Promise<readonly string[]>;
  /** Called with each finished run (the InfluxDB export), and now and then for runs not exported yet. */
  exporter?: { exportRun(run: RunRow): Promise<void>; retry(): Promise<void> };
  /** How often unfinished runs (this Steward's after a failed announcement, a dead Steward's) are looked for. */
  tickMs?: number;
}

export interface RunHandle {
  runId: string;
  /** Some applicable check has severity block: the follow-ups must wait for the verdict. */
  block: boolean;
}

export interface DataChecks extends Component {
  /** Starts (once per reload, cluster-wide) the checks that apply to this reload; undefined when none apply. */
  afterReload(input: ReloadInput): Promise<RunHandle | undefined>;
  /** A task event from the bus: a successful reload task run gets its checks. */
  onTaskEvent(e: TaskEvent): Promise<void>;
  /** Why the follow-ups of this reload must not start (a block check failed), or undefined; waits for the run. */
  holdBack(input: ReloadInput): Promise<string | undefined>;
  holdBackForTask(e: TaskEvent): Promise<string | undefined>;
  /** The run once its verdict is known, or undefined after maxWaitMs. */
  verdict(runId: string, maxWaitMs: number): Promise<RunRow | undefined>;
  /** Resolves when the queue is empty and nothing runs (tests, stop). */
  idle(): Promise<void>;
}

export function createDataChecks(deps: DataChecksDeps): DataChecks {
  const { cfg, store, log } = deps;
  const checksByName = new Map(cfg.checks.map((c) => [c.name, c]));
  const queue: Array<{ runId: string; appId: string }> = [];
  const running = new Map<string, { appId: string; done: Promise<void> }>();
  const starts = new Map<string, Promise<RunHandle | undefined>>();
  const waiters = new Map<string, Array<() => void>>();
  const appNames = new Map<string, string>();
  const metrics = createCheckMetrics(deps.metrics, store, appNames, () => queue.length + running.size);
  let accepting = false;
  let tick: Timer | undefined;
  const idleWaiters: Array<() => void> = [];

  const wake = (runId: string) => {
    for (const w of waiters.get(runId) ?? []) w();
    waiters.delete(runId);
  };
  const checksOf = (doc: RunDoc): DataCheckConfig[] => doc.checks.map((n) => checksByName.get(n)).filter((c): c is DataCheckConfig => c !== undefined);
  const w: RunWork = { ...deps, metrics, checksOf, wake, accepting: () => accepting };
  const verdict = (runId: string, maxWaitMs: number) => waitForVerdict(w, waiters, runId, maxWaitMs);

  function pump(): void {
    for (let i = 0; accepting && running.size < cfg.concurrency && i < queue.length; ) {
      const { runId, appId } = queue[i]!;
      // Two runs of one app never overlap: the second waits for the first (its previous value is the first's).
      if ([...running.values()].some((r) => r.appId === appId)) {
        i++;
        continue;
      }
      queue.splice(i, 1);
      const entry = { appId, done: Promise.resolve() };
      running.set(runId, entry);
      entry.done = work(runId)
        .catch((err) => log.error({ runId, err: describeError(err) }, "data check run failed; it is tried again later"))
        .finally(() => {
          running.delete(runId);
          wake(runId);
          pump();
          if (queue.length === 0 && running.size === 0) for (const w of idleWaiters.splice(0)) w();
        });
    }
  }

  function enqueue(runId: string, appId: string): void {
    if (!queue.some((q) => q.runId === runId) && !running.has(runId)) queue.push({ runId, appId: appId.toLowerCase() });
    pump();
  }

  async function work(runId: string): Promise<void> {
    const row = await store.getRun(runId);
    if (!row || row.owner !== deps.instanceId) return;
    appNames.set(row.appId, row.doc.app.name);
    if (row.status !== "done" && row.verdict === null) await evaluateRun(w, row);
    const after = await store.getRun(runId);
    if (after && after.status !== "done" && after.verdict !== null) await announceRun(w, after);
  }

  async function afterReload(input: ReloadInput): Promise<RunHandle | undefined> {
    const runId = runIdOf(input.reload);
    let start = starts.get(runId);
    if (!start) {
      start = beginRun(deps, runId, input, enqueue, () => starts.delete(runId));
      // A failed start (the store unreachable) is tried again by the next caller.
      start.catch(() => starts.delete(runId));
      starts.set(runId, start);
      if (starts.size > 1_000) starts.delete(starts.keys().next().value!);
    }
    return start;
  }

  async function holdBack(input: ReloadInput): Promise<string | undefined> {
    const handle = await afterReload(input);
    if (!handle?.block) return undefined;
    const row = await verdict(handle.runId, cfg.maxWait);
    if (!row)
      return cfg.holdOnError ? `the data checks of this reload did not finish within ${Math.round(cfg.maxWait / 60_000)} min (dataChecks.maxWait)` : undefined;
    return row.doc.holdBack;
  }

  /**
   * This Steward's unfinished runs, and those of Stewards that are gone: in a cluster the members not alive; on
   * a single Steward's own store every other owner (this Steward before its restart: each start has its own id).
   */
  async function resume(): Promise<void> {
    // App names for /metrics, also of runs other Stewards of a cluster made.
    for (const r of await store.runs({ limit: 500 })) if (!appNames.has(r.appId)) appNames.set(r.appId, r.doc.app.name);
    const mine = await store.unfinished(deps.instanceId);
    const adopted = await store.adopt(deps.instanceId, deps.liveInstances ? await deps.liveInstances() : []);
    if (adopted.length) log.warn({ runs: adopted.map((r) => r.runId) }, "took over data check runs of a Steward that is gone");
    for (const r of [...mine, ...adopted]) enqueue(r.runId, r.appId);
    await deps.exporter?.retry();
  }

  const scheduleTick = () => {
    tick = deps.clock.setTimeout(() => {
      void resume()
        .catch((err) => log.warn({ err: describeError(err) }, "could not look for unfinished data check runs"))
        .finally(() => {
          if (accepting) scheduleTick();
        });
    }, deps.tickMs ?? 30_000);
    tick.unref?.();
  };

  return {
    name: "data-checks",
    async start() {
      accepting = true;
      const purged = await store.purge(cfg.keep, deps.clock.now()).catch((err) => {
        log.warn({ err: describeError(err) }, "could not remove old data check values");
        return 0;
      });
      if (purged) log.info({ rows: purged }, "old data check values removed (dataChecks.keep)");
      await resume();
      scheduleTick();
    },
    async stop(budgetMs) {
      accepting = false;
      if (tick) deps.clock.clearTimeout(tick);
      queue.length = 0;
      // Runs in progress end within their own timeout; what is not done by then resumes at the next start.
      let timer: Timer | undefined;
      await Promise.race([
        Promise.allSettled([...running.values()].map((r) => r.done)),
        new Promise<void>((r) => (timer = wallClock.setTimeout(r, Math.max(0, budgetMs - 100)))),
      ]);
      wallClock.clearTimeout(timer);
    },
    afterReload,
    async onTaskEvent(e) {
      const input = reloadInputOf(e);
      if (input) await afterReload(input);
    },
    holdBack,
    holdBackForTask: async (e) => {
      const input = reloadInputOf(e);
      return input ? holdBack(input) : undefined;
    },
    verdict,
    idle: () => (queue.length === 0 && running.size === 0 ? Promise.resolve() : new Promise((r) => idleWaiters.push(r))),
  };
}

/**
 * Starts the data check run of a reload: the app read from QRS when the caller did not give it, the checks that
 * apply to it, and the run stored and queued (once: a run already stored is not queued again). Undefined when no
 * check applies or the app cannot be read.
 */
async function beginRun(
  deps: DataChecksDeps,
  runId: string,
  input: ReloadInput,
  enqueue: (runId: string, appId: string) => void,
  forgetStart: () => void,
): Promise<RunHandle | undefined> {
  const { cfg, store, log } = deps;
  let app = input.app;
  if (!app) {
    if (!deps.qrs) return undefined;
    try {
      app = await lookUpApp(deps.qrs, input.appId);
    } catch (err) {
      log.warn({ runId, appId: input.appId, err: describeError(err) }, "data checks skipped: the app could not be read from QRS");
      forgetStart();
      return undefined;
    }
  }
  const target = { app, ...(input.task ? { task: input.task } : {}) };
  const typos = unknownSets(cfg, target);
  if (typos.length)
    log.warn({ appId: app.id, app: app.name, values: typos, customProperty: cfg.customProperty }, "custom property names no check set and no check");
  const checks = applicableChecks(cfg, target);
  if (checks.length === 0) return undefined;
  const handle = { runId, block: checks.some((c) => c.severity === "block") };
  const inserted = await store.insertRun(
    { runId, reload: input.reload, app, ...(input.task ? { task: input.task } : {}), checks: checks.map((c) => c.name) },
    deps.instanceId,
    deps.clock.now(),
  );
  if (inserted) enqueue(runId, app.id);
  return handle;
}
