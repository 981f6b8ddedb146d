// Wires the site monitors into the app: license usage and expiry, license release and the Qlik Sense version,
// each on its own interval, writing to an influxdb channel when one is named, raising site events on the bus.
// These are site-wide duties: with several Steward instances, enable them on one (see docs/site-monitoring.md).
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { ConfigShape, LoadedConfig as LoadedOf } from "../../platform/config/load";
import type { QlikConfig } from "../../platform/qlik/config";
import type { ChannelConfig } from "../../tell/notify/config";
import type { GroupingConfig } from "../../tell/grouping/config";
import type { LicenseMonitorConfig, LicenseReleaseConfig, VersionMonitorConfig } from "./config";
import type { InfluxDbChannelConfig } from "../../tell/notify/channels/influxdb/schema";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { Router } from "../../platform/http/route";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { createSystemInfoClient } from "../../platform/qlik/system-info";
import type { Store } from "../../platform/store/database";
import { createLicenseMonitor, type LicenseMonitor } from "./license-monitor";
import { createLicenseRelease, type LicenseRelease } from "./license-release";
import { periodic } from "./periodic";
import type { InfluxConflictMonitor } from "../../tell/influx-conflicts";
import type { ServiceEvent } from "../../platform/events/types";
import { createNodeReachability, type NodeReachability } from "./node-reachability";
import { createPointSink, type PointSink } from "./point-sink";
import { registerSiteMonitorRoutes } from "./routes";
import type { SiteEvent } from "../../platform/events/site-event";
import { createMonitorState } from "./state";
import type { DutyGate } from "../../platform/cluster/gate";
import type { Component } from "../../platform/core/lifecycle";
import { createVersionMonitor, type VersionMonitor } from "./version-monitor";

export interface SiteMonitorDeps {
  qrs?: QrsClient;
  store: Store;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  lifecycle: Lifecycle;
  router: Router;
  /** Site events, and the service.stopped / service.started of the node reachability read. */
  emit(e: SiteEvent | ServiceEvent): Promise<void>;
  /** In a cluster: the monitors run only on the Steward that leads the site-monitor duty. */
  gate?: DutyGate;
  influxConflicts?: InfluxConflictMonitor;
}

export interface SiteMonitors {
  license?: LicenseMonitor;
  release?: LicenseRelease;
  version?: VersionMonitor;
  nodes?: NodeReachability;
}

/** What the site monitors read of the config. */
export interface SiteMonitorsConfig extends ConfigShape {
  qlik?: QlikConfig;
  channels: Record<string, ChannelConfig>;
  grouping: GroupingConfig;
  licenseMonitor?: LicenseMonitorConfig;
  licenseRelease?: LicenseReleaseConfig;
  versionMonitor?: VersionMonitorConfig;
}

export function setupSiteMonitors(loaded: LoadedOf<SiteMonitorsConfig>, deps: SiteMonitorDeps): SiteMonitors {
  const config = loaded.config;
  const log = deps.log.child({ module: "site-monitor" });
  const runs = deps.metrics.counter("steward_site_monitor_runs_total", "Site monitor runs (license, release, version) by result.");
  const state = createMonitorState(deps.store.sql, () => deps.clock.now());
  const gate = (c: Component): Component => (deps.gate ? deps.gate("site-monitor", c) : c);
  const sinks: PointSink[] = [];
  const sinkFor = (name: string | undefined): PointSink | undefined => {
    if (!name) return undefined;
    const sink = createPointSink(name, config.channels[name] as InfluxDbChannelConfig, {
      log,
      clock: deps.clock,
      baseDir: loaded.baseDir,
      influxConflicts: deps.influxConflicts,
    });
    sinks.push(sink);
    return sink;
  };
  // Added first so it stops last: no monitor run is still writing when the connections close.
  deps.lifecycle.add({ name: "site-monitor-influx", start() {}, stop: async () => void (await Promise.all(sinks.map((s) => s.close()))) });
  const out: SiteMonitors = {};
  const routes: Parameters<typeof registerSiteMonitorRoutes>[1] = {};
  const qrs = deps.qrs;
  const host = config.qlik?.host ?? "";
  if (qrs && config.licenseMonitor?.enabled) {
    const m = createLicenseMonitor(config.licenseMonitor, {
      qrs,
      host,
      clock: deps.clock,
      log,
      state,
      emit: deps.emit,
      sink: sinkFor(config.licenseMonitor.influxChannel),
    });
    const job = periodic("license", config.licenseMonitor.interval, m.check, { log, runs, clock: deps.clock });
    deps.lifecycle.add(gate(job));
    out.license = m;
    routes.license = { ...m, runAfterNow: job.runAfterNow };
  }
  if (qrs && config.licenseRelease?.enabled) {
    const r = createLicenseRelease(config.licenseRelease, {
      qrs,
      host,
      clock: deps.clock,
      log,
      audit: deps.audit,
      emit: deps.emit,
      sink: sinkFor(config.licenseRelease.influxChannel),
    });
    deps.lifecycle.add(gate(periodic("license-release", config.licenseRelease.interval, () => r.run(), { log, runs, clock: deps.clock })));
    out.release = r;
    routes.release = r;
  }
  if (qrs && config.qlik && config.versionMonitor?.enabled) {
    const client = createSystemInfoClient(config.qlik, config.versionMonitor.port, loaded.baseDir);
    const v = createVersionMonitor({ client, host, clock: deps.clock, state, emit: deps.emit, sink: sinkFor(config.versionMonitor.influxChannel) });
    const job = periodic("version", config.versionMonitor.interval, v.check, { log, runs, clock: deps.clock });
    deps.lifecycle.add(gate(job));
    deps.lifecycle.add({ name: "systeminfo-client", start() {}, stop: () => client.close() });
    out.version = v;
    routes.version = { ...v, runAfterNow: job.runAfterNow };
  }
  const unreachable = config.grouping.nodeDown.unreachable;
  // The read exists for the node's cause: without grouping (or its node rule) it would only raise service events.
  if (qrs && unreachable.enabled && config.grouping.enabled && config.grouping.nodeDown.enabled) {
    const n = createNodeReachability(unreachable, { qrs, host, clock: deps.clock, state, emit: deps.emit });
    const recheckMs = Math.min(unreachable.recheck, unreachable.interval);
    const nextReadMs = () => (n.inDoubt() ? recheckMs : unreachable.interval);
    deps.lifecycle.add(gate(periodic("node-reachability", nextReadMs, n.check, { log, runs, clock: deps.clock })));
    out.nodes = n;
  }
  registerSiteMonitorRoutes(deps.router, routes);
  return out;
}
