// Wires the freshness promises into the app: every Steward records the reloads it handles (the task events on its
// bus) in the shared store; the judge runs under the cluster's watchdog lease, with the check-ins as the upstream
// of the apps they feed, so each warning, breach and recovery is announced once for the site.
import type { Logger } from "pino";
import { createCheckinStore } from "../checkins/checkin-store";
import { compileSchedule } from "../checkins/schedule";
import type { DutyGate } from "../../platform/cluster/gate";
import type { CheckinsConfig } from "../checkins/config";
import type { FreshnessConfig } from "./config";
import type { EventBus } from "../../platform/core/bus";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { DomainEvents, TaskEvent } from "../../platform/events/types";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { SqlDb } from "../../platform/store/sql";
import type { TaskView } from "../watchdog/evaluate";
import { compilePromise } from "./compile-promise";
import { createFreshnessStore, type FreshnessStore } from "./freshness-store";
import { type JudgedPromise, promises, STARTED_WITH_CHECKIN_MS, type Upstream, upstreamsOf } from "./judge";
import { createFreshnessService, type FreshnessService, type FreshnessServiceDeps, projectionRefreshMs, projectWith, type RunsToCome } from "./service";
import type { FreshnessProjection } from "./projection";
import { readProjections } from "./projection-store";
import { createRecordStore, type RecordStore } from "./record-store";
import { type FreshnessVerdict, readVerdicts } from "./verdicts";
import { type AutomationFeedSink, automationFeedSink } from "./automation-feed";
import type { HolderOfTasks } from "./stop-cause";
import type { PendingRun } from "./chain-eta";

export interface FreshnessSetupDeps {
  db: SqlDb;
  bus: EventBus<DomainEvents>;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  lifecycle: Lifecycle;
  steward: string;
  gate?: DutyGate;
  /** The check-ins, the upstream of the apps they feed. */
  checkins?: CheckinsConfig;
  qrs?: QrsClient;
  /** The watchdog's task view (same lease): the chains that end in the apps' reloads, for when an app is expected. */
  chainTasks?: () => readonly TaskView[];
  /** When the watchdog last looked (its view of the tasks is as of then), to tell a chain stopped from one not seen yet. */
  chainSeenAt?: () => number | undefined;
  /** The cause holding a task up (the grouping's, wired by the composition root): named as what stops a chain. */
  holderOf?: HolderOfTasks;
  /**
   * The runs Steward itself will start or runs (remediation's due retries and re-runs, its own Engine reloads; wired by
   * the composition root): a chain they continue is not stopped, an app they reload in time is not late.
   */
  pendingRuns?: () => Promise<RunsToCome>;
  /** How often promises are judged. */
  intervalMs?: number;
  /** Times inside the events' sentences, in the site's zone. */
  formatTime?: (ms: number) => string;
}

export interface Freshness {
  service: FreshnessService;
  store: FreshnessStore;
  /** Does a promise name this app? */
  promised(app: { appId: string; appName: string; stream?: string; tags: string[] }): boolean;
  /** The names of the promises that name this app. */
  promisesOf(app: { appId: string; appName: string; stream?: string; tags: string[] }): string[];
  /** The judge's latest projections (projection.ts), by projectionKey; none when it has not looked lately. */
  projections(nowMs: number): Promise<Map<string, FreshnessProjection>>;
  /** The judge's latest verdicts (verdicts.ts), by projectionKey: what every page's state is read from. */
  verdicts(nowMs: number): Promise<Map<string, FreshnessVerdict>>;
  /**
   * Each promised app's projection as of now with `extra` runs due (a remediation preview: what an action not approved
   * yet would change); reads only.
   */
  projectWith(extra: readonly PendingRun[]): Promise<FreshnessProjection[]>;
  /** Each deadline's judgement (record-store.ts): the promises' record on /status. */
  record: RecordStore;
  /** Qlik Automate automations a promise waits on: each seen, each run ended (src/hear/cloud's automation feed). */
  automations: AutomationFeedSink;
}

const lowerSet = (xs: readonly string[]) => new Set(xs.map((x) => x.toLowerCase()));
/** A check-in up to a day before a reload is the data that reload read (for the usual lag). */
const LAG_WINDOW_MS = 86_400_000;

export function setupFreshness(cfg: FreshnessConfig | undefined, deps: FreshnessSetupDeps): Freshness | undefined {
  if (!cfg?.enabled) return undefined;
  const promises_: JudgedPromise[] = Object.entries(cfg.promises).map(([name, p]) => compilePromise(name, p));
  const checks = deps.checkins?.enabled ? Object.entries(deps.checkins.checks).filter(([, c]) => c.enabled) : [];
  const upstreams: Upstream[] = checks.map(([name, c]) => {
    const compiled = compileSchedule(c.cron !== undefined ? { cron: c.cron, timeZone: c.timeZone } : { rrule: [c.rrule!].flat(), timeZone: c.timeZone });
    if (!compiled.ok) throw new Error(`checkins.checks.${name}: ${compiled.error}`);
    return { check: name, dueAtOrBefore: compiled.schedule.previous, appIds: lowerSet(c.feeds.appIds), appNames: lowerSet(c.feeds.appNames) };
  });
  const store = createFreshnessStore(deps.db);
  const record = createRecordStore(deps.db);
  const checkinStore = checks.length > 0 ? createCheckinStore(deps.db) : undefined;

  // Each run reaches the bus on one Steward of the site; the reload's outcome goes to the shared store from there.
  // Required: a store outage fails the run's handling, and the intake tries it again (nothing is lost).
  const recordRun = async (e: TaskEvent) => {
    // A datagram QRS did not confirm could be forged: it must not make an app look fresh.
    if (e.taskType !== "reload" || !e.app || e.unconfirmed) return;
    // A reload outside the Scheduler (src/hear/engine) is fresh data for the published app people read; a developer's
    // unpublished copy of the same name is not that app.
    if (e.source === "engine" && e.app.published !== true) return;
    const stop = e.execution?.stopTime ? Date.parse(e.execution.stopTime) : Number.NaN;
    const atMs = Number.isFinite(stop) ? stop : Date.parse(e.receivedAt);
    const start = e.execution?.startTime ? Date.parse(e.execution.startTime) : Number.NaN;
    const startMs = Number.isFinite(start) && start <= atMs ? start : undefined;
    const ok = e.outcome === "succeeded";
    let lagMs: number | undefined;
    if (ok && checkinStore) {
      const ups = upstreamsOf({ appId: e.app.id.toLowerCase(), appName: e.app.name, tags: [], lagsMs: [] }, upstreams);
      if (ups.length > 0) {
        const states = await checkinStore.states();
        // Only a check-in before the reload started is data it read (issue 88).
        const readBy = (startMs ?? atMs) + STARTED_WITH_CHECKIN_MS;
        const done = ups
          .map((u) => states.get(u.check)?.lastSuccessMs)
          .filter((t): t is number => t !== undefined && t <= Math.min(atMs, readBy) && atMs - t <= LAG_WINDOW_MS);
        if (done.length === ups.length) lagMs = atMs - Math.max(...done);
      }
    }
    await store.recordReload({
      appId: e.app.id.toLowerCase(),
      appName: e.app.name,
      ...(e.app.stream ? { stream: e.app.stream } : {}),
      tags: e.app.tags,
      ok,
      atMs,
      ...(startMs !== undefined ? { startMs } : {}),
      task: e.task.name,
      ...(lagMs !== undefined ? { lagMs } : {}),
    });
  };
  deps.bus.on("task.succeeded", recordRun, { required: true });
  deps.bus.on("task.failed", recordRun, { required: true });
  deps.bus.on("app.reload_succeeded", recordRun, { required: true });

  const serviceDeps: FreshnessServiceDeps = {
    promises: promises_,
    upstreams,
    feeds: new Map(checks.map(([name, c]) => [name, [...c.feeds.appNames, ...c.feeds.appIds]])),
    store,
    record,
    ...(checkinStore ? { checkins: checkinStore } : {}),
    ...(deps.qrs ? { qrs: deps.qrs } : {}),
    ...(deps.chainTasks ? { chainTasks: deps.chainTasks } : {}),
    ...(deps.chainSeenAt ? { chainSeenAt: deps.chainSeenAt } : {}),
    ...(deps.holderOf ? { holderOf: deps.holderOf } : {}),
    ...(deps.pendingRuns ? { pendingRuns: deps.pendingRuns } : {}),
    customProperty: cfg.customProperty,
    intervalMs: deps.intervalMs ?? 30_000,
    clock: deps.clock,
    log: deps.log.child({ module: "freshness" }),
    metrics: deps.metrics,
    host: deps.steward,
    emit: (e) => deps.bus.emit(e.kind, e),
    ...(deps.formatTime ? { formatTime: deps.formatTime } : {}),
  };
  const service = createFreshnessService(serviceDeps);
  deps.lifecycle.add(deps.gate ? deps.gate("watchdog", service) : service);
  // Older than three refreshes: the judging Steward stopped, and the projection is not shown as current.
  const maxAgeMs = 3 * projectionRefreshMs(deps.intervalMs ?? 30_000);
  return {
    service,
    store,
    promised: (app) => service.promises().some((p) => promises(p, app)),
    promisesOf: (app) => service.promises().flatMap((p) => (promises(p, app) ? [p.name] : [])),
    projections: (nowMs) => readProjections(store, nowMs, maxAgeMs),
    verdicts: (nowMs) => readVerdicts(store, nowMs, maxAgeMs),
    record,
    automations: automationFeedSink(store, () => service.promises()),
    projectWith: (extra) => projectWith(serviceDeps, service.promises(), extra),
  };
}
