// Wires the Qlik Cloud tenants into the app: one poller per tenant (together under the cluster's `cloud` lease,
// so one Steward of a cluster polls), readiness per tenant, metrics, the REST routes, and the path of each event
// through incidents to the bus, as the on-premise intake's.
import type { Logger } from "pino";
import type { AuditLog } from "../audit/audit-log";
import type { DutyGate } from "../cluster/gate";
import type { Config } from "../config";
import type { Reconfigurable } from "../config/reload/reloader";
import { tenantName } from "../config/sections/qlik-cloud";
import type { EventBus } from "../core/bus";
import type { Clock } from "../core/clock";
import { describeError } from "../core/errors";
import type { Lifecycle } from "../core/lifecycle";
import type { MetricsRegistry } from "../core/metrics";
import type { Readiness } from "../core/readiness";
import type { DomainEvents, TaskEvent } from "../events/types";
import type { Router } from "../http/route";
import type { MqttService } from "../mqtt/mqtt-client";
import type { SqlDb } from "../store/sql";
import { registerCloudMqttStart } from "./mqtt-start";
import { createCloudHttp } from "./cloud-http";
import { createCloudStore } from "./cloud-store";
import { createCloudMetadata } from "./metadata";
import { createCloudMetrics } from "./metrics";
import { createTenantPoller } from "./poller";
import { registerCloudRoutes, type CloudTenantHandle } from "./routes";

export interface CloudSetupDeps {
  db: SqlDb;
  bus: EventBus<DomainEvents>;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  readiness: Readiness;
  lifecycle: Lifecycle;
  router: Router;
  audit: AuditLog;
  baseDir: string;
  instanceId: string;
  gate?: DutyGate;
  /** The broker connection, for Cloud reload starts over MQTT (qlikCloud.mqttTopic). */
  mqtt?: MqttService;
  /** src/incidents/: history, cause and incident on the way to the bus, and follow-ups (task.recovered). */
  annotate?: (e: TaskEvent) => Promise<TaskEvent[]>;
}

export interface CloudWatch {
  tenants: readonly CloudTenantHandle[];
  /** A config reload applies new API keys live; anything else about the tenants needs a restart. */
  reconfigurable: Reconfigurable;
}

/** The tenants' settings apart from their keys: what a reload cannot change live. */
const shape = (c: Config["qlikCloud"]) => JSON.stringify({ ...c, tenants: c?.tenants.map(({ apiKey: _k, ...rest }) => rest) });

export function setupCloud(config: Config, deps: CloudSetupDeps): CloudWatch | undefined {
  const cfg = config.qlikCloud;
  if (!cfg?.enabled) {
    registerCloudRoutes(deps.router, { tenants: [], audit: deps.audit });
    return undefined;
  }
  const log = deps.log.child({ module: "cloud" });
  const store = createCloudStore(deps.db);
  const metrics = createCloudMetrics(deps.metrics);
  const sl = config.intake.enrichment.scriptLog;
  const announce = async (e: TaskEvent) => {
    let events: TaskEvent[] = [e];
    if (deps.annotate) {
      try {
        events = await deps.annotate(e);
      } catch (err) {
        log.warn({ reloadId: e.executionId, err: describeError(err) }, "could not add the reload's history and incident; the event goes out without them");
      }
    }
    for (const ev of events) await deps.bus.emit(ev.kind, ev);
  };

  const tenants: CloudTenantHandle[] = cfg.tenants.map((t) => {
    const name = tenantName(t);
    const http = createCloudHttp({
      url: t.url,
      ...(t.apiKey ? { apiKey: t.apiKey } : {}),
      ...(t.oauth ? { oauth: t.oauth } : {}),
      ...(t.caFile ? { caFile: t.caFile } : {}),
      baseDir: deps.baseDir,
      timeoutMs: t.timeout,
    });
    const poller = createTenantPoller({
      tenant: { ...t, name },
      http,
      metadata: createCloudMetadata(http, () => deps.clock.now()),
      store,
      clock: deps.clock,
      log,
      metrics,
      instanceId: deps.instanceId,
      scriptLog: { enabled: sl.enabled, onSuccess: sl.onSuccess, head: sl.headLines, tail: sl.tailLines, maxTextBytes: sl.maxTextBytes },
      announce,
      raise: (e) => deps.bus.emit(e.kind, e),
    });
    // Not required: a Cloud tenant down must not take the on-premise alerts out of a load balancer.
    deps.readiness.register({ name: `qlikCloud:${name}`, required: false, check: () => poller.status() });
    return { name, url: t.url, http, poller };
  });

  const component = {
    name: "qlik-cloud",
    start() {
      for (const t of tenants) t.poller.start();
    },
    async stop() {
      await Promise.all(tenants.map((t) => t.poller.stop()));
    },
  };
  // Added first, so it stops last: the pollers finish their calls before the connections close.
  deps.lifecycle.add({ name: "qlik-cloud-http", start() {}, stop: () => tenants.forEach((t) => t.http.close()) });
  deps.lifecycle.add(deps.gate ? deps.gate("cloud", component) : component);
  registerCloudRoutes(deps.router, { tenants, audit: deps.audit });
  if (cfg.mqttTopic && deps.mqtt) registerCloudMqttStart(deps.mqtt, cfg.mqttTopic, { tenants, audit: deps.audit, log: deps.log, metrics: deps.metrics });
  const reconfigurable: Reconfigurable = {
    name: "qlik-cloud",
    sections: ["qlikCloud"],
    prepare(next) {
      const n = next.config.qlikCloud;
      if (shape(n) !== shape(cfg)) return { apply() {}, restartRequired: ["qlikCloud"] };
      return {
        apply() {
          n!.tenants.forEach((t, i) => {
            const handle = tenants[i]!;
            if (t.apiKey === undefined || t.apiKey === cfg.tenants[i]!.apiKey) return;
            cfg.tenants[i]!.apiKey = t.apiKey;
            handle.http.setApiKey(t.apiKey);
            log.info({ tenant: handle.name }, "new API key loaded; polling the tenant now");
            handle.poller.pollSoon();
          });
        },
      };
    },
    pendingRestart: (next, started) => (shape(next.config.qlikCloud) === shape(started.config.qlikCloud) ? [] : ["qlikCloud"]),
  };
  return { tenants, reconfigurable };
}
