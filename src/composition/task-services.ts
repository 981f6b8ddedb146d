// The modules that act on Qlik Sense and the host: the QRS client, the KV store, file operations, the InfluxDB
// conflict monitor, data checks, task control (REST, MQTT) and the scheduler, in this start order.
import type { AuditLog } from "../platform/audit/audit-log";
import { setupDataChecks, type DataChecks } from "../watch/checks";
import { setupControl, type Control } from "../start/control";
import { setupFiles, type FileOps } from "../keep/files";
import type { HttpApp } from "../platform/http/app";
import { createInfluxConflictMonitor, type InfluxConflictMonitor } from "../tell/influx-conflicts";
import { setupKv, type KvStore } from "../keep/kv";
import { createQrsClient, qrsComponent, qrsReadinessCheck, type QrsClient } from "../platform/qlik";
import { peerLookGate, slowPeerLookMs } from "../platform/cluster/peer-poll";
import { setupScheduler, type Scheduler } from "../start/scheduler";
import type { Wiring } from "./wiring";

export interface TaskServices {
  qrs?: QrsClient;
  kv?: KvStore;
  files?: FileOps;
  influxConflicts: InfluxConflictMonitor;
  dataChecks?: DataChecks;
  control: Control;
  scheduler?: Scheduler;
}

export function wireTaskServices(w: Wiring, audit: AuditLog, http: HttpApp): TaskServices {
  const { config, loaded, log, lifecycle, clock, metrics, readiness, bus, shared, cluster, pg, clusterWiring } = w;
  // Each feature module creates its services from config, registers routes on http.router, and adds its
  // lifecycle components with lifecycle.add(...) in start order (workers first, intake last).
  const qrs = config.qlik ? createQrsClient(config.qlik, { log, clock, baseDir: loaded.baseDir }) : undefined;
  if (qrs) {
    lifecycle.add(qrsComponent(qrs));
    // Its 5 s cache on the injected clock: a look of the degraded watch on a stepped clock sees QRS come back.
    readiness.register(qrsReadinessCheck(qrs, { now: () => clock.now() }));
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
    baseDir: loaded.baseDir,
    ...(dataChecks ? { holdBack: (e: Parameters<DataChecks["holdBackForTask"]>[0]) => dataChecks.holdBackForTask(e) } : {}),
    ...(pg
      ? {
          duty: { holds: () => cluster.holds("scheduler"), onChange: (fn: (held: boolean) => void) => cluster.onDuty("scheduler", fn) },
          syncIntervalMs: slowPeerLookMs(cluster, pg),
          // Alone in the cluster, schedules change only through this Steward's own API (which arms them at once) or
          // `steward schedules import`, which moves the peer epoch.
          syncGate: peerLookGate(cluster),
          // A handover takes at most the lease time plus one renewal; fires missed within it are made up.
          takeoverGraceMs: pg.leaseTtlMs + 2 * pg.heartbeatIntervalMs,
        }
      : {}),
  });
  return { qrs, kv, files, influxConflicts, ...(dataChecks ? { dataChecks } : {}), control, scheduler };
}
