// The watchdog's loop: at each interval (on the Steward holding the watchdog lease in a cluster) it reads what
// changed in QRS, keeps the finished runs it learns from, evaluates the plan against them, and announces each
// condition it opens and closes exactly once: the decision is stored first, the event handed to the notifier
// (whose outbox ignores an event id it already has), then marked announced, so a crash in between repeats nothing.
import type { Logger } from "pino";
import type { WatchdogConfig } from "./config";
import type { Clock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import { createLoop } from "../../platform/core/loop";
import { type LookPace, lookPace } from "./look-pace";
import type { MetricsRegistry } from "../../platform/core/metrics";
import { WATCH_CONDITIONS, type WatchCondition, type WatchdogEvent } from "../../platform/events/types";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { createAnnouncer, isNotice } from "./announcer";
import { inSiteZone } from "./site-zone";
import { type CloudTenantWatchState, type CloudWatch, type CloudWatchDeps, type CloudWatchTenant, createCloudWatch } from "./cloud-watch";
import type { TaskView } from "./evaluate";
import { acknowledged } from "./acknowledge";
import { createQrsLook, type QrsLookDeps } from "./qrs-look";
import type { KeptPlan } from "./plan-update";
import { detailsOf } from "./stored-details";
import { type TriggerWatch, watchOf } from "./schedule";
import type { WatchStore } from "./watch-store";
import { watchdogEvent } from "./watchdog-event";

export interface WatchdogDeps {
  cfg: WatchdogConfig;
  /** Qlik Sense Enterprise (QRS triggers and execution results); absent on a Qlik Cloud-only Steward. */
  qrs?: QrsClient;
  /** Qlik Cloud tenants whose Scheduling Tasks are watched too. */
  cloudTenants?: CloudWatchTenant[];
  store: WatchStore;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  emit(e: WatchdogEvent): Promise<void>;
  /** The Qlik Sense host, for events whose node is unknown. */
  host: string;
  /** Times in what people read, in the site's zone (ISO-8601 when not given). */
  formatTime?: (ms: number) => string;
  /**
   * Per app, the end of its last successful reload outside the Scheduler since `sinceMs` (src/hear/engine): fresh data
   * the stale judgement counts at once, before QRS's lastReloadTime is read again with the plan.
   */
  reloadsOutside?: (sinceMs: number) => Promise<ReadonlyMap<string, number>>;
  /** A QRS plan read anew: grouping keeps its chains (wired by the root). */
  planRead?: QrsLookDeps["planRead"];
  /** Each Qlik Cloud tenant's Scheduling Tasks after a look at them: grouping keeps their chains (wired by the root). */
  cloudTasksRead?: CloudWatchDeps["tasksRead"];
  /** The runs Steward started itself (remediation's, wired by the root): never a queue backlog waiting alone. */
  ownRuns?: QrsLookDeps["ownRuns"];
  /** Per task, a remediation rule retrying its failure (wired by the root): its app is not paged stale meanwhile. */
  remediationHolds?: QrsLookDeps["remediationHolds"];
}

export interface WatchdogStatus {
  lastLookAt?: string;
  /** The look interval, the last look's start and duration, and whether looks fall behind it. */
  pace: LookPace;
  lastError?: string;
  planReadAt?: string;
  problems: string[];
  tasks: TaskView[];
  /** Each Qlik Cloud tenant's last look at its Scheduling Tasks. */
  cloud: CloudTenantWatchState[];
}

export interface Watchdog extends Component {
  /** One look now (the interval's work); resolves when its events are handed over. */
  look(): Promise<void>;
  status(): WatchdogStatus;
  /** The plan read from QRS (tasks, their task-event triggers, apps); undefined before the first read. */
  plan(): KeptPlan | undefined;
}

/** The watchdog's gauges on /metrics: what it watches, how its starts are expected, what it holds, what is open. */
function registerGauges(metrics: MetricsRegistry, store: WatchStore, qrsLook: ReturnType<typeof createQrsLook>): void {
  metrics.gaugeFn(
    "steward_watchdog_tasks_watched",
    "Enabled tasks the watchdog watches (not StewardWatch=off).",
    () => qrsLook.tasks().filter((t) => t.watched).length,
  );
  metrics.gaugeFn(
    "steward_watchdog_runs_held",
    "Past runs the watchdog holds in memory, those of the last two days and each task's newest (0 on PostgreSQL, where each look reads the store).",
    () => store.keptRunsHeld(),
  );
  metrics.gaugeFn(
    "steward_watchdog_runs_held_bytes",
    "Bytes of memory the watchdog's past runs take: the runs held and what it keeps of all of keepRuns to learn from (0 on PostgreSQL).",
    () => {
      const s = store.keptRunsSize();
      return s ? s.bytes + s.learnedBytes : 0;
    },
  );
  metrics.gaugeFn(
    "steward_watchdog_triggers",
    "Enabled schema triggers of enabled tasks by how their starts are expected: arithmetic (Steward's reading, agreeing with QRS), qrs (QRS's stated times alone), qrs-never (QRS states none), not-watched (neither: see /ui/watchdog).",
    () => {
      const counts = new Map<TriggerWatch, number>([
        ["arithmetic", 0],
        ["qrs", 0],
        ["qrs-never", 0],
        ["not-watched", 0],
      ]);
      for (const t of qrsLook.plan()?.tasks.values() ?? []) {
        if (!t.enabled) continue;
        for (const s of t.schedules) counts.set(watchOf(s), counts.get(watchOf(s))! + 1);
        counts.set("not-watched", counts.get("not-watched")! + (t.unreadableTriggers?.length ?? 0));
      }
      return [...counts].map(([watch, value]) => ({ labels: { watch }, value }));
    },
  );
  metrics.gaugeFnAsync(
    "steward_watchdog_open_conditions",
    "Open watchdog conditions by type (missed, chain_broken, running_long, stale, queue_backlog, …).",
    async () => {
      const open = await store.openConditions();
      const counts = new Map<string, number>();
      for (const c of open) counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
      return WATCH_CONDITIONS.map((type) => ({
        labels: { type },
        value: counts.get(type) ?? 0,
      }));
    },
  );
}

export function createWatchdog(d: WatchdogDeps): Watchdog {
  const { cfg, qrs, store, clock, log } = d;
  let lastLook: number | undefined;
  let lastError: string | undefined;
  let lookStarted: number | undefined;
  let lastDuration: number | undefined;
  let runningSince: number | undefined;

  const looks = d.metrics.counter("steward_watchdog_looks_total", "Watchdog looks at QRS, by result (ok, failed).");
  const raised = d.metrics.counter("steward_watchdog_events_total", "Watchdog events announced, by kind.");
  const announcer = createAnnouncer(store, d.emit, raised, d.formatTime ? (e) => inSiteZone(e, d.formatTime!) : undefined);
  const qrsLook = createQrsLook({
    cfg,
    store,
    log,
    announcer,
    host: d.host,
    ...(d.reloadsOutside ? { reloadsOutside: d.reloadsOutside } : {}),
    ...(d.planRead ? { planRead: d.planRead } : {}),
    ...(d.ownRuns ? { ownRuns: d.ownRuns } : {}),
    ...(d.remediationHolds ? { remediationHolds: d.remediationHolds } : {}),
  });
  registerGauges(d.metrics, store, qrsLook);

  const cloud: CloudWatch | undefined = d.cloudTenants?.length
    ? createCloudWatch({
        cfg,
        tenants: d.cloudTenants,
        store,
        clock,
        log,
        metrics: d.metrics,
        sink: { open: announcer.open, close: announcer.close },
        ...(d.cloudTasksRead ? { tasksRead: d.cloudTasksRead } : {}),
      })
    : undefined;

  /** Conditions someone acknowledged (POST /v4/watchdog/conditions/{key}/acknowledge): closed once, here, under the lease. */
  async function closeAcknowledged(): Promise<void> {
    const now = clock.now();
    for (const { row, resolution } of await acknowledged(store, await store.openConditions())) {
      const e = row.openEvent;
      const event = watchdogEvent({
        kind: "task.on_track",
        condition: { type: row.type as WatchCondition, key: row.key, openedAtMs: row.openedMs, closedAtMs: now },
        nowMs: now,
        host: e.host,
        ...(e.task ? { task: e.task } : {}),
        ...(e.app ? { app: e.app } : {}),
        details: { ...detailsOf(e), resolution },
      });
      for (const k of ["source", "tenant", "space"]) if (e.data[k] !== undefined) event.data[k] = e.data[k]!;
      await announcer.close(row.key, now, event, { notice: isNotice(row.openEvent) });
    }
  }

  /** One look: QRS (when configured), then each Qlik Cloud tenant (each reports its own errors); a QRS error is the look's. */
  async function lookOnce(): Promise<void> {
    await announcer.announcePending();
    await closeAcknowledged();
    let failure: unknown;
    if (qrs) await qrsLook.look(qrs, clock.now()).catch((err) => void (failure = err));
    if (cloud) await cloud.look();
    if (failure) throw failure;
  }

  const loop = createLoop(
    "watchdog",
    () => {
      const started = clock.now();
      runningSince = started;
      const timed = () => {
        runningSince = undefined;
        lookStarted = started;
        lastDuration = clock.now() - started;
      };
      return lookOnce()
        .finally(timed)
        .then(() => {
          lastLook = clock.now();
          lastError = undefined;
          looks.inc({ result: "ok" });
        })
        .catch((err) => {
          lastError = describeError(err);
          looks.inc({ result: "failed" });
          log.warn({ err: lastError }, "watchdog look failed; the next look is at the usual time and catches up");
        });
    },
    () => cfg.interval,
    clock,
  );

  return {
    name: "watchdog",
    start: () => loop.start(),
    stop: (budgetMs) => loop.stop(budgetMs),
    look: () => loop.runNow(),
    plan: () => qrsLook.plan(),
    status: () => {
      const plan = qrsLook.plan();
      return {
        ...(lastLook !== undefined ? { lastLookAt: new Date(lastLook).toISOString() } : {}),
        pace: lookPace({
          intervalMs: cfg.interval,
          ...(lookStarted !== undefined ? { lastStartedMs: lookStarted } : {}),
          ...(lastDuration !== undefined ? { lastDurationMs: lastDuration } : {}),
          ...(runningSince !== undefined ? { runningSinceMs: runningSince } : {}),
          nowMs: clock.now(),
        }),
        ...(lastError ? { lastError } : {}),
        ...(plan ? { planReadAt: new Date(plan.readAtMs).toISOString() } : {}),
        problems: [...(plan?.problems ?? []), ...(cloud?.status().problems ?? [])],
        tasks: [...qrsLook.tasks(), ...(cloud?.status().tasks ?? [])],
        cloud: cloud?.status().tenants ?? [],
      };
    },
  };
}
