// Composition root: builds every service from one loaded config and returns { start, stop }. Start order is
// store → workers → intake → HTTP; stop is the reverse, so intake stops before work drains and the store
// closes last. Each stage of the wiring is in src/composition/, called here in start order.
import type { Logger } from "pino";
import type { AlertGates } from "./tell/alert-gates";
import type { AuditLog } from "./platform/audit/audit-log";
import type { DataChecks } from "./watch/checks";
import type { Checkins } from "./watch/checkins";
import type { TenantWatcher } from "./hear/cloud";
import type { Cluster } from "./platform/cluster";
import { wireAlerting } from "./composition/alerting";
import { bindQlikNodes, wireAuditAndHttp } from "./composition/http-and-security";
import { wireExpectations, wireSiteWatch } from "./composition/site-watch";
import { wireDoctor } from "./composition/doctor";
import { wireReports } from "./composition/reports";
import { wireOnCall } from "./composition/oncall";
import { wireAssistant } from "./composition/assistant";
import { outboxPeerPoll, wireStoreAndCluster } from "./composition/store-and-cluster";
import { wireTaskServices } from "./composition/task-services";
import { remediationReads, wireRemediation } from "./composition/remediation";
import type { RemediationService } from "./start/remediation";
import type { CoreServices } from "./composition/wiring";
import type { LoadedConfig } from "./composition/config";
import { type StewardReloader, setupReload } from "./composition/reload";
import type { Config } from "./composition/config";
import type { Control, TaskStarter } from "./start/control";
import { createEventBus, type EventBus } from "./platform/core/bus";
import { type Clock, systemClock } from "./platform/core/clock";
import { createLifecycle, type Lifecycle } from "./platform/core/lifecycle";
import { createMetricsRegistry, type MetricsRegistry } from "./platform/core/metrics";
import { createReadiness, type Readiness } from "./platform/core/readiness";
import type { Dashboard } from "./show/dashboard";
import type { DomainEvents } from "./platform/events/types";
import type { FileOps } from "./keep/files";
import type { Freshness } from "./watch/freshness";
import type { HttpApp } from "./platform/http/app";
import { countLastResortErrors, registerProcessMetrics } from "./platform/http/routes/health";
import type { HttpServer } from "./platform/http/server";
import type { IncidentService } from "./tell/incidents";
import type { TaskIntake } from "./hear/intake";
import type { EngineReloads } from "./hear/engine";
import type { KvStore } from "./keep/kv";
import type { AlertConverger, Notifier } from "./tell/notify";
import type { QrsClient } from "./platform/qlik";
import type { Scheduler } from "./start/scheduler";
import type { Security } from "./platform/security";
import type { ServiceMonitor } from "./watch/services";
import { getMeta, setMeta } from "./platform/store/core-migrations";
import { registerStoreMetrics } from "./platform/store/store-metrics";
import { openStore, type Store } from "./platform/store/database";
import { STORE_MIGRATIONS } from "./store-migrations";
import type { Watchdog } from "./watch/watchdog";

export interface AppOptions {
  log: Logger;
  clock?: Clock;
  /** Override listener ports (tests use 0). */
  overrides?: { httpPort?: number; udpPort?: number };
  /** How the Qlik nodes' host names are resolved to addresses; the system's resolver (hosts file included) when left out. */
  resolve?: (name: string) => Promise<string[]>;
}

export interface StewardApp {
  config: Config;
  log: Logger;
  bus: EventBus<DomainEvents>;
  /** The local SQLite store (instance lock, run marker; everything else too for a single Steward). */
  store: Store;
  /** The store the modules share: the local one, or the cluster's PostgreSQL (store.postgres). */
  sharedStore: Store;
  /** Membership and leader leases (a single Steward holds every duty). */
  cluster: Cluster;
  metrics: MetricsRegistry;
  readiness: Readiness;
  http: HttpApp;
  lifecycle: Lifecycle;
  audit: AuditLog;
  clock: Clock;
  /** Present when http.enabled; its url() is valid after start(). */
  server?: HttpServer;
  /** The QRS client; present when config.qlik is set (see src/platform/qlik/README.md). */
  qrs?: QrsClient;
  /** The task-event intake (UDP listener, dedupe, enrichment, reconciliation). */
  intake: TaskIntake;
  /** Reloads outside the Scheduler, heard from the Engine's reload lines; absent when engineReloads.enabled is off. */
  engineReloads?: EngineReloads;
  /** The key-value store; present when kv.enabled (the default). */
  kv?: KvStore;
  /** Whitelisted file operations; present when config.files is set. */
  files?: FileOps;
  /** Cron and event schedules; present when scheduler.enabled (the default). */
  scheduler?: Scheduler;
  /** The notification pipeline: routes, outbox, previews. */
  notify: Notifier;
  /** Incidents per task, run history and error classes; absent when incidents.enabled is false. */
  incidents?: IncidentService;
  /** Approved remediation (retry an incident's task); absent without qlik or incidents. */
  remediation?: RemediationService;
  /** The /ui status dashboard and its recent-event timeline. */
  dashboard: Dashboard;
  /** The one path that starts Qlik Sense tasks (REST, MQTT, scheduler, event triggers, chained starts). */
  taskStarter: TaskStarter;
  /** Task starts, app reload jobs and dumps, MQTT. */
  control: Control;
  /** REST API access control: keys, scopes, client certificates, allowlist, rate limits. */
  security: Security;
  /** Config reload (SIGHUP, POST /v4/admin/reload). */
  reloader: StewardReloader;
  /** Watches Windows services and systemd units (serviceMonitor:). */
  serviceMonitor: ServiceMonitor;
  /** Data checks after each successful reload; present when dataChecks is configured. */
  dataChecks?: DataChecks;
  /** What did not happen as the triggers planned; present when watchdog is configured (needs qlik). */
  watchdog?: Watchdog;
  /** Maintenance windows, silences and incidents per cause: what holds alerts back (src/tell/alert-gates). */
  alertGates: AlertGates;
  /** Moves what PagerDuty, Opsgenie and SIGNL4 were told toward each incident's state (src/tell/notify/on-call/converge.ts). */
  alertConverger: AlertConverger;
  /** One watcher per Qlik Cloud tenant (qlikCloud.tenants); empty when none is configured. */
  cloudTenants: TenantWatcher[];
  /** The jobs before Qlik that ping /ping/<key>; present when checkins is configured. */
  checkins?: Checkins;
  /** Freshness promises per app; present when freshness is configured. */
  freshness?: Freshness;
  start(): Promise<void>;
  stop(budgetMs?: number): Promise<void>;
}

/** The process-wide services, built before the store is open. */
function createCore(loaded: LoadedConfig, options: AppOptions): CoreServices {
  const log = options.log;
  const localClock = options.clock ?? systemClock;
  const startedAt = localClock.now();
  const metrics = createMetricsRegistry();
  registerProcessMetrics(metrics, startedAt);
  const readiness = createReadiness();
  const bus = createEventBus<DomainEvents>(log.child({ module: "bus" }));
  const lifecycle = createLifecycle(log);
  countLastResortErrors(metrics, lifecycle);
  const resolve = options.resolve ? { resolve: options.resolve } : {};
  return { loaded, config: loaded.config, log, localClock, startedAt, metrics, readiness, bus, lifecycle, ...resolve };
}

/** Warns when the previous run did not stop cleanly; marked at start, not at creation (a config that fails to build or start must not look like a crash later). */
function addRunMarker(core: CoreServices, store: Store): void {
  core.lifecycle.add({
    name: "run-marker",
    start() {
      if (getMeta(store.db, "clean_stop") === "false") core.log.warn("the previous run did not stop cleanly; pending work is resumed from the store");
      setMeta(store.db, "clean_stop", "false");
    },
    stop() {},
  });
}

export function createApp(loaded: LoadedConfig, options: AppOptions): StewardApp {
  const core = createCore(loaded, options);
  const { config, log, metrics, readiness, bus, lifecycle } = core;

  const store = openStore(config.dataDir, [...STORE_MIGRATIONS], {
    onCheckpointFallback: (reason) =>
      log.warn({ reason }, "the store's checkpoint thread stopped: SQLite copies the WAL inside commits again, and writes wait while it does"),
    clock: core.localClock,
    log: log.child({ module: "store" }),
  });
  registerStoreMetrics(metrics, store);
  // Anything below may refuse the config (unreadable certificates, bad folders); the store must not stay locked.
  try {
    readiness.register({
      name: "store",
      required: true,
      check: () => (store.db.isOpen ? store.writeHealth.status() : { ok: false, detail: `${store.file} is closed` }),
    });
    addRunMarker(core, store);
    const w = { ...core, ...wireStoreAndCluster(core, store) };
    const { shared, cluster, clock, clusterWiring } = w;
    const { audit, security, http } = wireAuditAndHttp(w);
    const tasks = wireTaskServices(w, audit, http);
    const { qrs, kv, files, influxConflicts, dataChecks, control, scheduler } = tasks;
    bindQlikNodes(security, qrs);
    const alerting = wireAlerting(w, audit, http, tasks, () => reloader.current().config);
    const { alertGates, notifyMetrics, notify, dashboard, incidents } = alerting;
    wireOnCall(w, http, alerting, () => reloader.current().config, alerting.rota);
    const remediation = wireRemediation(w, audit, http, tasks, alerting);
    const site = wireSiteWatch(w, audit, http, tasks, alerting, options.overrides?.udpPort, security.qlikNodes);
    const { intake, services, cloud, engineReloads } = site;
    const expectations = wireExpectations(w, http, tasks, alerting, site, remediation ? remediationReads(w, alerting.formatTime) : undefined);
    const { watchdog, checkins, freshness, beats } = expectations;
    // A re-run's preview says when each promised app would be fresh if approved now.
    if (remediation && freshness) remediation.seesPromises((extra) => freshness.projectWith(extra));
    const reports = wireReports(w, http, tasks, alerting, expectations, () => reloader.current().config.routes, site, {
      current: () => reloader.current(),
      audit,
      reload: (trigger, actor) => reloader.reload(trigger, actor),
    });
    wireAssistant(config, http, audit, () => reloader.current().config);
    // The deliveries are in the store every notifier a reload builds shares: the first one's outbox reads them all.
    const templates = { recentFallbacks: (since: number) => notify.outbox.recentFallbacks(since), now: () => clock.now(), formatTime: alerting.formatTime };
    wireDoctor(w, http, {
      ...(qrs ? { qrs } : {}),
      intake,
      config: () => reloader.current().config,
      templates,
      ...(site.linesCheck ? { linesCheck: site.linesCheck } : {}),
      formatTime: alerting.formatTime,
    });
    // ↑ feature modules are wired above this line
    const reloader: StewardReloader = setupReload(loaded, {
      ...clusterWiring,
      log,
      audit,
      router: http.router,
      lifecycle,
      bus,
      store: shared,
      clock,
      notifyMetrics,
      security,
      notify,
      influxConflicts,
      gate: alertGates.gate,
      hooks: alerting.notifyHooks,
      health: alerting.channelHealth,
      alertOpened: alerting.alertOpened,
      ...outboxPeerPoll(w),
      more: [services.reconfigurable, ...beats.reconfigurables, ...(cloud.reconfigurable ? [cloud.reconfigurable] : []), reports],
    });

    // The HTTP listener starts last and stops first.
    let server: HttpServer | undefined;
    if (config.http.enabled) {
      server = security.createServer(
        http.hono,
        { host: config.http.host, port: options.overrides?.httpPort ?? config.http.port, maxRequestBodySize: config.http.bodyLimitBytes },
        log.child({ module: "http" }),
      );
      lifecycle.add(server);
    }

    return {
      config,
      log,
      bus,
      store,
      sharedStore: shared,
      cluster,
      metrics,
      readiness,
      http,
      lifecycle,
      audit,
      clock,
      server,
      qrs,
      intake,
      ...(engineReloads ? { engineReloads } : {}),
      kv,
      files,
      scheduler,
      notify,
      incidents,
      ...(remediation ? { remediation } : {}),
      dashboard,
      taskStarter: control.taskStarter,
      control,
      security,
      reloader,
      serviceMonitor: services.monitor,
      ...(dataChecks ? { dataChecks } : {}),
      ...(watchdog ? { watchdog } : {}),
      cloudTenants: cloud.watchers,
      ...(checkins ? { checkins } : {}),
      ...(freshness ? { freshness } : {}),
      alertGates,
      alertConverger: alerting.alertConverger,
      start: () => lifecycle.start(),
      async stop(budgetMs = 10_000) {
        await lifecycle.stop(budgetMs);
        if (store.db.isOpen) {
          setMeta(store.db, "clean_stop", "true");
          store.close();
        }
      },
    };
  } catch (err) {
    store.close();
    throw err;
  }
}
