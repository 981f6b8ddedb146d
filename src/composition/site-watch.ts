// What watches the Qlik site and the host: the task-event intake, Butler's MQTT status, service monitors, New Relic,
// site monitors and Qlik Cloud tenants; then what did not happen (watchdog, check-ins, freshness) and the heartbeat.
import { createWatchStore } from "../watch/watchdog/watch-store";
import type { AuditLog } from "../platform/audit/audit-log";
import type { QlikNodes } from "../platform/security/qlik-nodes";
import { createCheckinChainView, createCheckinConditionsView } from "../watch/checkins/chain-view";
import { type Checkins, setupCheckins } from "../watch/checkins";
import { setupCloud } from "../hear/cloud";
import { type Freshness, registerFreshnessRoute, setupFreshness } from "../watch/freshness";
import { setupHeartbeat } from "../watch/heartbeat";
import type { HttpApp } from "../platform/http/app";
import { incidentsWantSuccessLogs } from "../tell/incidents";
import { routesWantSuccessLogs } from "../tell/notify/routing";
import { type EngineMessage, type EngineReloadMessage, setupIntake, type TaskIntake } from "../hear/intake";
import { createEngineReloads, createLinesCheck, type EngineReloads, type LinesCheck, registerEngineReloadRoutes } from "../hear/engine";
import type { TaskEvent } from "../platform/events/types";
import { wallClock } from "../platform/core/clock";
import { createButlerStatusPublisher } from "../start/mqtt/butler-status";
import { createPendingRuns } from "../start/remediation/pending-runs";
import { createReloadJobSuccesses, latestOf } from "../start/control/reload-job-successes";
import type { SqlDb } from "../platform/store/sql";
import { setupNewRelic } from "../tell/newrelic";
import { setupServiceMonitor } from "../watch/services";
import { setupSiteMonitors } from "../watch/site-monitor";
import { registerStatusRoutes, setupStatusSubscriptions } from "../show/status";
import { compileWindows } from "../tell/maintenance/windows";
import { effectiveActionLinks } from "../tell/ack-links";
import { setupWatchdog, type Watchdog } from "../watch/watchdog";
import type { RemediationReads } from "./remediation";
import type { Alerting } from "./alerting";
import type { TaskServices } from "./task-services";
import type { Wiring } from "./wiring";

type EngineLineSink = (m: EngineMessage | EngineReloadMessage, source: string) => void;

export interface SiteWatch {
  intake: TaskIntake;
  /** Reloads outside the Scheduler heard from the Engine; absent when engineReloads.enabled is off. */
  engineReloads?: EngineReloads;
  /** Whether each node's Engine lines keep coming; absent without QRS or with engineReloads off. */
  linesCheck?: LinesCheck;
  services: ReturnType<typeof setupServiceMonitor>;
  cloud: ReturnType<typeof setupCloud>;
}

export function wireSiteWatch(
  w: Wiring,
  audit: AuditLog,
  http: HttpApp,
  tasks: TaskServices,
  alerting: Alerting,
  udpPort: number | undefined,
  /** security.anonymous's resolver of the Qlik nodes: the same nodes may send datagrams (one instance for both). */
  nodes: QlikNodes,
): SiteWatch {
  const { config, loaded, log, lifecycle, clock, metrics, readiness, bus, shared, gate, memberDown, clusterWiring } = w;
  const { qrs, control, influxConflicts } = tasks;
  const { incidents } = alerting;
  // Before the intake: its socket hands the Engine's lines here, so this is ready before the socket opens.
  const engineReloads = config.engineReloads.enabled
    ? createEngineReloads(config.engineReloads, {
        db: shared.sql,
        bus,
        clock,
        log,
        metrics,
        ...(qrs ? { qrs } : {}),
        links: { qmcUrl: config.qlik?.qmcUrl, hubUrl: config.qlik?.hubUrl, appBaseUrl: config.qlik?.appBaseUrl },
        lookupTimeoutMs: config.intake.enrichment.lookupTimeoutMs,
        ...clusterWiring,
      })
    : undefined;
  if (engineReloads) lifecycle.add(engineReloads.component);
  registerEngineReloadRoutes(http.router, { ...(engineReloads ? { store: engineReloads.store } : {}), clock });
  // While udp.allowedSources is empty, the Qlik nodes (qlik.host and QRS's server nodes) may send; without qlik:, loopback.
  const qlikNodes = w.config.qlik ? nodes : undefined;
  const linesCheck = engineLinesCheck(w, alerting, engineReloads);
  const intake = setupIntake(config, {
    ...(engineReloads ? { engineLines: linesCheck ? linesCheck.hear(engineReloads.hear) : engineReloads.hear } : {}),
    ...(linesCheck ? { confirmedRun: linesCheck.confirmedRun } : {}),
    ...(qlikNodes ? { qlikNodes } : {}),
    ...clusterWiring,
    ...(w.pg ? { leaseMs: w.pg.leaseTtlMs } : {}),
    ...(gate ? { gate } : {}),
    ...(memberDown ? { memberDown, ...(w.peerPace ? { peerPace: w.peerPace } : {}) } : {}),
    ...(w.pg ? { peers: w.cluster } : {}),
    ...(incidents ? { annotate: incidents.annotate, prepareAnnotation: incidents.prepare } : {}),
    // A route that sends successful reloads' script logs, or the incidents' warnings, needs them read.
    successLogs: routesWantSuccessLogs(config.routes) || (incidents !== undefined && incidentsWantSuccessLogs(config)),
    bus,
    log,
    clock,
    db: shared.sql,
    metrics,
    qrs,
    lifecycle,
    readiness,
    udpPort,
    formatTime: alerting.formatTime,
  });
  // Butler's MQTT status messages (after the intake, so its socket listens when "start" is sent).
  if (control.mqtt && config.mqtt?.butlerStatus)
    lifecycle.add(createButlerStatusPublisher(config.mqtt.butlerStatus, { mqtt: control.mqtt, udp: intake.udp, log }));
  const services = setupServiceMonitor(config.serviceMonitor, { bus, log, clock, metrics, lifecycle });
  setupNewRelic(config.newRelic, { audit, router: http.router, clock, lifecycle });
  setupSiteMonitors(loaded, {
    ...(gate ? { gate } : {}),
    qrs,
    store: shared,
    audit,
    clock,
    log,
    metrics,
    lifecycle,
    router: http.router,
    emit: (e) => bus.emit(e.kind, e),
    influxConflicts,
  });
  const cloud = setupCloud(loaded, {
    ...(control.mqtt ? { mqtt: control.mqtt } : {}),
    db: shared.sql,
    bus,
    clock,
    log,
    metrics,
    lifecycle,
    readiness,
    router: http.router,
    audit,
    ...(gate ? { gate } : {}),
    ...(incidents ? { annotate: incidents.annotate } : {}),
  });
  return { intake, services, cloud, ...(engineReloads ? { engineReloads } : {}), ...(linesCheck ? { linesCheck: linesCheck.check } : {}) };
}

/**
 * When the run began, as early as either clock puts it: QRS's start time (the Qlik server's clock) or now less the
 * run's duration (Steward's). A Qlik server whose clock runs ahead, or a run announced late, then never makes lines
 * written during the run look older than it.
 */
function runStartOnOurClock(e: TaskEvent, now: number): number {
  const start = Date.parse(e.execution?.startTime ?? "");
  const stop = Date.parse(e.execution?.stopTime ?? "");
  const took = e.execution?.durationMs ?? (Number.isFinite(start) && Number.isFinite(stop) ? stop - start : 0);
  const ours = now - Math.max(0, took);
  return Number.isFinite(start) ? Math.min(start, ours) : ours;
}

/** The watchdog's last look as a time (its view of the tasks is as of then), if it looked yet. */
const lookedAt = (iso: string | undefined): number | undefined => (iso ? Date.parse(iso) : undefined);

/** Whether each node's Engine lines keep coming (src/hear/engine/lines-check.ts): with the Engine's lines heard and QRS to confirm runs. */
function engineLinesCheck(w: Wiring, alerting: Alerting, engineReloads: EngineReloads | undefined) {
  const { config, log, lifecycle, clock, readiness, bus, shared, instanceName } = w;
  const cfg = config.engineReloads.linesCheck;
  if (!engineReloads || !cfg.enabled || !config.qlik) return undefined;
  const check = createLinesCheck({
    db: shared.sql,
    clock,
    log,
    emit: (e) => void bus.emit(e.kind, e),
    formatTime: alerting.formatTime,
    instance: instanceName,
    withinMs: cfg.within,
    udpPort: config.udp.port,
  });
  readiness.register(check.readiness);
  lifecycle.add({
    name: "engine-lines-check",
    start() {},
    // The checks under way finish before the store closes (on wall time: it is about to close), within the budget.
    async stop(budgetMs) {
      check.stop();
      let timer: ReturnType<typeof wallClock.setTimeout> | undefined;
      await Promise.race([check.settled(), new Promise<void>((r) => (timer = wallClock.setTimeout(r, Math.max(100, budgetMs - 200))))]);
      wallClock.clearTimeout(timer);
    },
  });
  return {
    check,
    hear:
      (next: EngineLineSink): EngineLineSink =>
      (m, source) => {
        check.line(m.kind === "engine-reload" ? m.line.host : m.host);
        next(m, source);
      },
    // Only a reload that ended well is sure to have reached the Engine (a failed run may never have opened a session).
    confirmedRun(e: TaskEvent) {
      const host = e.execution?.executingNode;
      if (e.taskType !== "reload" || e.outcome !== "succeeded" || !host) return;
      check.schedulerReload({ host, taskName: e.task.name, startMs: runStartOnOurClock(e, clock.now()) });
    },
  };
}

export interface Expectations {
  watchdog?: Watchdog;
  checkins?: Checkins;
  freshness?: Freshness;
  beats: ReturnType<typeof setupHeartbeat>;
}

/**
 * After the Cloud tenants: the watchdog reads their Scheduling Tasks with the same clients. `fromRemediation`: the runs
 * remediation started (its queue look never pages them waiting alone) and the tasks a rule or a person is retrying
 * (their apps and the apps down their chains are not paged stale meanwhile).
 */
export function wireExpectations(
  w: Wiring,
  http: HttpApp,
  tasks: TaskServices,
  alerting: Alerting,
  site: SiteWatch,
  fromRemediation?: RemediationReads,
): Expectations {
  const { config, loaded, log, lifecycle, clock, metrics, bus, shared, gate, cluster, startedAt } = w;
  const { qrs, influxConflicts } = tasks;
  const watchdog = setupWatchdog(config.watchdog, {
    db: shared.sql,
    qrs,
    cloudTenants: site.cloud.tenants,
    qlikHost: config.qlik?.host ?? "",
    bus,
    clock,
    log,
    metrics,
    lifecycle,
    router: http.router,
    ...(gate ? { gate } : {}),
    checkins: createCheckinChainView(config.checkins, shared.sql),
    checkinConditions: createCheckinConditionsView(config.checkins, shared.sql),
    formatTime: alerting.formatTime,
    ...withReloadsOutside(reloadsOutside(site, tasks, shared.sql)),
    // Through the store: in a cluster the Steward hearing a failure may not be the watchdog's.
    planRead: alerting.alertGates.grouping.notePlan,
    cloudTasksRead: alerting.alertGates.grouping.noteCloudTasks,
    ...(fromRemediation ? { ownRuns: fromRemediation.ownRuns } : {}),
    ...(fromRemediation ? { remediationHolds: fromRemediation.remediationHolds } : {}),
  });
  const checkins = setupCheckins(config.checkins, {
    db: shared.sql,
    bus,
    clock,
    log,
    metrics,
    lifecycle,
    router: http.router,
    steward: cluster.instanceName,
    ...(gate ? { gate } : {}),
    formatTime: alerting.formatTime,
  });
  const freshness = setupFreshness(config.freshness, {
    db: shared.sql,
    bus,
    clock,
    log,
    metrics,
    lifecycle,
    steward: cluster.instanceName,
    ...(gate ? { gate } : {}),
    ...(config.checkins ? { checkins: config.checkins } : {}),
    ...(config.freshness ? { intervalMs: config.freshness.interval } : {}),
    ...(qrs ? { qrs } : {}),
    ...(watchdog ? { chainTasks: () => watchdog.status().tasks, chainSeenAt: () => lookedAt(watchdog.status().lastLookAt) } : {}),
    // The cause holding a promised chain up is the grouping's: handed in here, the freshness judge names it (issue 76).
    holderOf: alerting.alertGates.grouping.holderOf,
    // A retry or re-run that is due continues a promised chain (issue 102), and Steward's own Engine reload of a promised
    // app is a run to come: read from remediation's and the reload jobs' tables, always migrated.
    pendingRuns: createPendingRuns(shared.sql, clock, config.control.reload.timeoutMs),
    formatTime: alerting.formatTime,
  });
  // A promise may wait on a Qlik Automate automation: the Cloud watch hands its runs to the promises' store.
  if (freshness) site.cloud.automationFeed(freshness.automations);
  // Subscriptions and the feed of /status tell of the promises: with none, there is nothing to subscribe to.
  const sub = config.status?.subscriptions;
  const subChannel = sub ? config.channels[sub.channel] : undefined;
  const baseUrl = effectiveActionLinks(config).publicBaseUrl?.replace(/\/$/, "");
  const testMode = config.notify.testMode;
  const testTarget = sub && testMode.enabled && !testMode.unaffected.includes(sub.channel) ? testMode.email : undefined;
  const subscriptions = freshness
    ? setupStatusSubscriptions(sub, {
        db: shared.sql,
        bus,
        clock,
        log,
        lifecycle,
        router: http.router,
        freshness,
        ...(subChannel?.type === "email" ? { channel: subChannel } : {}),
        baseDir: loaded.baseDir,
        ...(baseUrl ? { baseUrl } : {}),
        ...(testTarget ? { testTarget } : {}),
        timeZone: alerting.siteZone,
        windows: compileWindows(config.maintenance.windows),
        ...(watchdog ? { chainTasks: () => watchdog.status().tasks, lastNodeOf: createWatchStore(shared.sql).lastNodeOf } : {}),
        host: config.qlik?.host ?? "",
      })
    : undefined;
  registerStatusRoutes(http.router, { ...(freshness ? { freshness } : {}), ...(subscriptions ? { subscriptions } : {}), clock, timeZone: alerting.siteZone });
  registerFreshnessRoute(http.router, { ...(freshness ? { freshness } : {}), clock });
  const beats = setupHeartbeat(loaded, { log, clock, metrics, lifecycle, startedAt, influxConflicts });
  return { ...(watchdog ? { watchdog } : {}), ...(checkins ? { checkins } : {}), ...(freshness ? { freshness } : {}), beats };
}

/**
 * The reloads outside the Scheduler the watchdog counts: those heard from the Engine's log, and Steward's own reload
 * jobs (where it can reload apps), so an app a person had reloaded through the Engine is fresh at the next look.
 */
const withReloadsOutside = (read: ReturnType<typeof reloadsOutside>) => (read ? { reloadsOutside: read } : {});

function reloadsOutside(site: SiteWatch, tasks: TaskServices, db: SqlDb) {
  const reads = [...(site.engineReloads ? [site.engineReloads.store.lastSuccesses] : []), ...(tasks.control.reloader ? [createReloadJobSuccesses(db)] : [])];
  return reads.length === 0 ? undefined : reads.length === 1 ? reads[0] : latestOf(reads);
}
