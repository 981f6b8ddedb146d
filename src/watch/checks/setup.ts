// Wires the data checks into the app: the Engine client for the configured node, the store, the InfluxDB
// export, the service (a lifecycle component) fed by successful reload task events, and the REST routes.
import type { Logger } from "pino";
import type { ConfigShape, LoadedConfig as LoadedOf } from "../../platform/config/load";
import type { QlikConfig } from "../../platform/qlik/config";
import type { ChannelConfig } from "../../tell/notify/config";
import type { EventBus } from "../../platform/core/bus";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { DomainEvents } from "../../platform/events/types";
import type { Router } from "../../platform/http/route";
import type { InfluxDbChannelConfig } from "../../tell/notify/channels/influxdb/schema";
import { createEngineClient } from "../../platform/qlik/engine-client";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { createPointSink } from "../site-monitor/point-sink";
import type { InfluxConflictMonitor } from "../../tell/influx-conflicts";
import type { Store } from "../../platform/store/database";
import { createCheckStore } from "./check-store";
import { createValueExporter } from "./influx";
import type { DataChecksConfig } from "./config";
import { registerDataCheckRoutes } from "./routes";
import { createDataChecks, type DataChecks } from "./service";

export interface DataChecksSetupDeps {
  store: Store;
  bus: EventBus<DomainEvents>;
  qrs: QrsClient | undefined;
  log: Logger;
  clock: Clock;
  metrics: MetricsRegistry;
  lifecycle: Lifecycle;
  router: Router;
  instanceId: string;
  liveInstances?: () => Promise<readonly string[]>;
  /** Records InfluxDB field type conflicts of the value export (as for every measurement Steward writes). */
  influxConflicts?: InfluxConflictMonitor;
}

/** The data checks when dataChecks is configured and enabled (qlik: is then required by the schema). */
/** What the data checks read of the config. */
export interface DataChecksSetupConfig extends ConfigShape {
  qlik?: QlikConfig;
  channels: Record<string, ChannelConfig>;
  dataChecks?: DataChecksConfig;
}

export function setupDataChecks(loaded: LoadedOf<DataChecksSetupConfig>, deps: DataChecksSetupDeps): DataChecks | undefined {
  const config = loaded.config;
  const cfg = config.dataChecks;
  if (!cfg?.enabled || !config.qlik) {
    registerDataCheckRoutes(deps.router, { cfg: undefined, store: undefined });
    return undefined;
  }
  const log = deps.log.child({ module: "data-checks" });
  const host = cfg.engine.host ?? config.qlik.host;
  const engine = createEngineClient(
    { ...config.qlik, host, enginePort: cfg.engine.port ?? config.qlik.enginePort },
    { baseDir: loaded.baseDir, log, callTimeoutMs: cfg.timeout, clock: deps.clock },
  );
  const store = createCheckStore(deps.store.sql);
  let exporter;
  if (cfg.influxChannel) {
    const sink = createPointSink(cfg.influxChannel, config.channels[cfg.influxChannel] as InfluxDbChannelConfig, {
      log,
      clock: deps.clock,
      baseDir: loaded.baseDir,
      ...(deps.influxConflicts ? { influxConflicts: deps.influxConflicts } : {}),
    });
    // Added before the service so it closes after it: no run is still writing when the connection goes.
    deps.lifecycle.add({ name: "data-checks-influx", start() {}, stop: () => sink.close() });
    exporter = createValueExporter(sink, store, new Map(cfg.checks.map((c) => [c.name, c.severity])), log);
  }
  const checks = createDataChecks({
    cfg,
    engine,
    engineHost: host,
    qrs: deps.qrs,
    store,
    emit: (e) => deps.bus.emit(e.kind, e),
    log,
    clock: deps.clock,
    metrics: deps.metrics,
    instanceId: deps.instanceId,
    ...(deps.liveInstances ? { liveInstances: deps.liveInstances } : {}),
    ...(exporter ? { exporter } : {}),
  });
  deps.lifecycle.add(checks);
  // Required: a run that could not be recorded leaves the reload unannounced, so the intake's reconciliation
  // brings it again (the notifier's outbox sends its alerts once).
  deps.bus.on("task.succeeded", (e) => checks.onTaskEvent(e), { required: true });
  deps.bus.on("app.reload_succeeded", (e) => checks.onTaskEvent(e), { required: true });
  registerDataCheckRoutes(deps.router, { cfg, store });
  return checks;
}
