// Composition root: builds every service from one loaded config and returns { start, stop }. Start order is
// store → workers → intake → HTTP; stop is the reverse, so intake stops before work drains and the store
// closes last.
import type { Logger } from "pino";
import type { LoadedConfig } from "./config/load";
import type { Config } from "./config/schema";
import { createEventBus, type EventBus } from "./core/bus";
import { offsetClock, systemClock, type Clock } from "./core/clock";
import { createLifecycle, type Lifecycle } from "./core/lifecycle";
import { createMetricsRegistry, type MetricsRegistry } from "./core/metrics";
import { createReadiness, type Readiness } from "./core/readiness";
import type { DomainEvents } from "./events/types";
import { createHttpApp, type HttpApp } from "./http/app";
import type { HttpServer } from "./http/server";
import { countLastResortErrors, registerProcessMetrics } from "./http/routes/health";
import { createAuditLog, type AuditLog } from "./audit/audit-log";
import { getMeta, setMeta } from "./store/core-migrations";
import { openStore, type Store } from "./store/database";
import { STORE_MIGRATIONS } from "./store-migrations";
import { hostname } from "node:os";
import { createPostgresCluster, createSingleCluster, dutyGate, registerClusterObservability, type Cluster } from "./cluster";
import { createClusterStore } from "./store/cluster-store";
import { VERSION } from "./core/version";
import { registerStoreMetrics } from "./store/store-metrics";
import { createQrsClient, qrsComponent, qrsReadinessCheck, type QrsClient } from "./qlik";
import { setupIntake, type TaskIntake } from "./intake";
import { setupKv, type KvStore } from "./kv";
import { setupControl, type Control, type TaskStarter } from "./control";
import { createCorsMiddleware } from "./http/middleware/cors";
import { createMethodOverride } from "./http/middleware/method-override";
import { setupFiles, type FileOps } from "./files";
import { setupScheduler, type Scheduler } from "./scheduler";
import { setupNotify, type Notifier } from "./notify";
import { setupDashboard, type Dashboard } from "./dashboard";
import { setupSecurity, type Security } from "./security";
import { createReusableMetrics, setupReload, type ConfigReloader } from "./config/reload";
import { setupServiceMonitor, type ServiceMonitor } from "./services";
import { setupHeartbeat } from "./heartbeat";
import { setupNewRelic } from "./newrelic";
import { setupSiteMonitors } from "./site-monitor";
import { incidentsWantSuccessLogs, setupIncidents, type IncidentService } from "./incidents";
import { setupDataChecks, type DataChecks } from "./checks";
import { createButlerStatusPublisher } from "./mqtt/butler-status";
import { createInfluxConflictMonitor } from "./influx-conflicts";
import { setupWatchdog, type Watchdog } from "./watchdog";
import { setupCloud, type TenantWatcher } from "./cloud";

export interface AppOptions {
  log: Logger;
  clock?: Clock;
  /** Override listener ports (tests use 0). */
  overrides?: { httpPort?: number; udpPort?: number };
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
  /** The QRS client; present when config.qlik is set (see src/qlik/README.md). */
  qrs?: QrsClient;
  /** The task-event intake (UDP listener, dedupe, enrichment, reconciliation). */
  intake: TaskIntake;
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
  /** The /ui status dashboard and its recent-event timeline. */
  dashboard: Dashboard;
  /** The one path that starts Qlik Sense tasks (REST, MQTT, scheduler, event triggers, chained starts). */
  taskStarter: TaskStarter;
  /** Task starts, app reload jobs and dumps, MQTT. */
  control: Control;
  /** REST API access control: keys, scopes, client certificates, allowlist, rate limits. */
  security: Security;
  /** Config reload (SIGHUP, POST /v4/admin/reload). */
  reloader: ConfigReloader;
  /** Watches Windows services and systemd units (serviceMonitor:). */
  serviceMonitor: ServiceMonitor;
  /** Data checks after each successful reload; present when dataChecks is configured. */
  dataChecks?: DataChecks;
  /** What did not happen as the triggers planned; present when watchdog is configured (needs qlik). */
  watchdog?: Watchdog;
  /** One watcher per Qlik Cloud tenant (qlikCloud.tenants); empty when none is configured. */
  cloudTenants: TenantWatcher[];
  start(): Promise<void>;
  stop(budgetMs?: number): Promise<void>;
}

export function createApp(loaded: LoadedConfig, options: AppOptions): StewardApp {
  const config = loaded.config;
  const log = options.log;
  const localClock = options.clock ?? systemClock;
  const startedAt = localClock.now();
  const metrics = createMetricsRegistry();
  registerProcessMetrics(metrics, startedAt);
  const readiness = createReadiness();
  const bus = createEventBus<DomainEvents>(log.child({ module: "bus" }));
  const lifecycle = createLifecycle(log);
  countLastResortErrors(metrics, lifecycle);

  const store = openStore(config.dataDir, [...STORE_MIGRATIONS]);
  registerStoreMetrics(metrics, store);
  // Anything below may refuse the config (unreadable certificates, bad folders); the store must not stay locked.
  try {
    readiness.register({ name: "store", required: true, check: () => ({ ok: store.db.isOpen, detail: store.file }) });
    // Marked at start, not at creation: a config that fails to build or start must not look like a crash later.
    lifecycle.add({
      name: "run-marker",
      start() {
        if (getMeta(store.db, "clean_stop") === "false") log.warn("the previous run did not stop cleanly; pending work is resumed from the store");
        setMeta(store.db, "clean_stop", "false");
      },
      stop() {},
    });

    // ── Store and cluster ── with store.postgres every module's state lives in the shared PostgreSQL store
    // (connected and migrated first at start); the local file keeps the instance lock and the run marker.
    const pg = config.store.postgres;
    const instanceName = pg?.instanceName ?? hostname();
    const clusterStore = pg ? createClusterStore(pg, loaded.baseDir, STORE_MIGRATIONS, instanceName) : undefined;
    if (clusterStore) lifecycle.add(clusterStore.component);
    const shared: Store = clusterStore ? { ...store, sql: clusterStore.db } : store;
    const clusterLog = log.child({ module: "cluster" });
    const cluster: Cluster =
      pg && clusterStore
        ? createPostgresCluster(
            { leaseTtlMs: pg.leaseTtlMs, heartbeatMs: pg.heartbeatIntervalMs, maxClockOffsetMs: pg.maxClockOffsetMs },
            { db: clusterStore.db, log: clusterLog, version: VERSION, instanceName },
          )
        : createSingleCluster(instanceName);
    lifecycle.add(cluster);
    // In a cluster every time written to the shared store (schedule fires, audit, TTLs, claims) is the database's
    // time: this machine's clock corrected by the offset each heartbeat measures, so a node whose clock runs
    // ahead or behind fires schedules with the others, not early or late.
    const clock = pg ? offsetClock(localClock, () => cluster.clockOffsetMs()) : localClock;
    const gate = pg ? dutyGate(cluster, clusterLog) : undefined;
    const liveInstances = pg
      ? async () => (await cluster.view()).members.filter((m) => m.self || m.heartbeatAgeMs <= pg.leaseTtlMs).map((m) => m.instanceId)
      : undefined;
    // A member silent past its lease but not yet forgotten (a day), killed or its machine down, and not started
    // again since (a restarted Steward is a new instance under the same name).
    const memberDown = pg
      ? async () => {
          const { members } = await cluster.view();
          const alive = new Set(members.filter((m) => m.self || m.heartbeatAgeMs <= pg.leaseTtlMs).map((m) => m.name));
          return members.some((m) => !alive.has(m.name));
        }
      : undefined;
    const clusterWiring = { instanceId: cluster.instanceId, ...(liveInstances ? { liveInstances } : {}) };
    registerClusterObservability(cluster, { readiness, metrics, pgStore: clusterStore?.db });

    const auditLog = log.child({ module: "audit" });
    const audit = createAuditLog(
      shared.sql,
      clock,
      { maxAgeMs: config.audit.maxAge, maxEntries: config.audit.maxEntries },
      {
        onError: (err, what) => auditLog.error({ err: err.message }, `${what} failed`),
      },
    );
    lifecycle.add(audit.component());

    const corsMw = createCorsMiddleware(config.control.cors);
    // Method override first: the re-dispatched request then passes CORS and access control like any other.
    // CORS after the IP gate, so an address outside security.ipAllowlist gets no preflight answer either.
    const methodOverride = createMethodOverride(() => http.hono);
    // Access control: its middleware goes into the Hono app; its start-up check runs before any other component.
    const security = setupSecurity(loaded, {
      store: shared,
      audit,
      clock,
      log,
      metrics,
      readiness,
      instance: { id: cluster.instanceId, name: cluster.instanceName },
      ...(pg ? { keyRefreshMs: pg.heartbeatIntervalMs } : {}),
    });
    const http: HttpApp = createHttpApp({
      log: log.child({ module: "http" }),
      metrics,
      readiness,
      mask: (t) => loaded.secrets.mask(t),
      bodyLimitBytes: config.http.bodyLimitBytes,
      baseConvert: config.http.baseConvert,
      startedAt,
      methodOverride,
      precheck: security.precheck,
      ...(corsMw ? { cors: corsMw } : {}),
      guards: security.guards,
    });
    lifecycle.add(security.component(http.router));
    security.registerRoutes(http.router);

    // ── Feature modules ── each creates its services from config, registers routes on http.router, and adds
    // its lifecycle components with lifecycle.add(...) in start order (workers first, intake last).
    const qrs = config.qlik ? createQrsClient(config.qlik, { log, baseDir: loaded.baseDir }) : undefined;
    if (qrs) {
      lifecycle.add(qrsComponent(qrs));
      readiness.register(qrsReadinessCheck(qrs));
    }
    const kv = setupKv(config.kv, { store: shared, clock, log, audit, metrics, router: http.router, lifecycle });
    const files = setupFiles(config.files, { baseDir: loaded.baseDir, audit, log, metrics, router: http.router });
    // Before control and the scheduler: the follow-ups they start after a reload ask the checks first.
    const influxConflicts = createInfluxConflictMonitor({ clock, log, metrics, readiness, emit: (e) => bus.emit(e.kind, e) });
    if (Object.values(config.channels).some((ch) => ch.type === "influxdb" && ch.enabled)) influxConflicts.watch();
    const dataChecks = setupDataChecks(loaded, {
      store: shared,
      bus,
      qrs,
      log,
      clock,
      metrics,
      lifecycle,
      router: http.router,
      influxConflicts,
      ...clusterWiring,
    });
    const control = setupControl(config, {
      qrs,
      kv,
      store: shared,
      clock,
      log,
      audit,
      metrics,
      readiness,
      router: http.router,
      lifecycle,
      baseDir: loaded.baseDir,
      ...clusterWiring,
      ...(dataChecks ? { dataChecks } : {}),
    });
    const scheduler = setupScheduler(config.scheduler, {
      db: shared.sql,
      clock,
      log,
      audit,
      metrics,
      bus,
      taskStarter: control.taskStarter,
      router: http.router,
      lifecycle,
      ...(dataChecks ? { holdBack: (e: Parameters<DataChecks["holdBackForTask"]>[0]) => dataChecks.holdBackForTask(e) } : {}),
      ...(pg
        ? {
            duty: { holds: () => cluster.holds("scheduler"), onChange: (fn: (held: boolean) => void) => cluster.onDuty("scheduler", fn) },
            syncIntervalMs: Math.min(2_000, pg.heartbeatIntervalMs),
            // A handover takes at most the lease time plus one renewal; fires missed within it are made up.
            takeoverGraceMs: pg.leaseTtlMs + 2 * pg.heartbeatIntervalMs,
          }
        : {}),
    });
    const notifyMetrics = createReusableMetrics(metrics); // the notifier is rebuilt on config reload
    // InfluxDB field type conflicts of every writer (channels, site monitors, memory point), kept across reloads.
    const notify = setupNotify(loaded, {
      ...clusterWiring,
      store: shared,
      bus,
      log,
      clock,
      metrics: notifyMetrics,
      router: http.router,
      lifecycle,
      readiness,
      qrs,
      influxConflicts,
    });
    // In a cluster the dashboard's timeline and charts show what this Steward handled, kept in memory.
    const dashboard = setupDashboard({
      router: http.router,
      hono: http.hono,
      bus,
      lifecycle,
      store,
      ...(pg && clusterStore ? { siteWide: { db: clusterStore.db, steward: cluster.instanceName, log } } : {}),
      ...(config.notify.timeZone ? { siteTimeZone: config.notify.timeZone } : {}),
      ...(qrs ? { qrs } : {}),
    });
    // Before the intake: a run's incident and history are written on its way to the bus.
    const incidents = setupIncidents(config, { db: shared.sql, clock, log, router: http.router, lifecycle, qrs });
    const intake = setupIntake(config, {
      ...clusterWiring,
      ...(gate ? { gate } : {}),
      ...(memberDown ? { memberDown } : {}),
      ...(incidents ? { annotate: incidents.annotate, successLogs: incidentsWantSuccessLogs(config) } : {}),
      bus,
      log,
      clock,
      db: shared.sql,
      metrics,
      qrs,
      lifecycle,
      readiness,
      udpPort: options.overrides?.udpPort,
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
    // After the Cloud tenants: the watchdog reads their Scheduling Tasks with the same clients.
    const watchdog = setupWatchdog(config.watchdog, {
      db: shared.sql,
      qrs,
      cloudTenants: cloud.tenants,
      qlikHost: config.qlik?.host ?? "",
      bus,
      clock,
      log,
      metrics,
      lifecycle,
      router: http.router,
      ...(gate ? { gate } : {}),
    });
    const beats = setupHeartbeat(loaded, { log, clock, metrics, lifecycle, startedAt, influxConflicts });
    // ↑ feature modules are wired above this line
    const reloader = setupReload(loaded, {
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
      more: [services.reconfigurable, ...beats.reconfigurables, ...(cloud.reconfigurable ? [cloud.reconfigurable] : [])],
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
      kv,
      files,
      scheduler,
      notify,
      incidents,
      dashboard,
      taskStarter: control.taskStarter,
      control,
      security,
      reloader,
      serviceMonitor: services.monitor,
      ...(dataChecks ? { dataChecks } : {}),
      ...(watchdog ? { watchdog } : {}),
      cloudTenants: cloud.watchers,
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
