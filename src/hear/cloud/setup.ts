// Wires the Qlik Cloud tenants into the app: one watcher per tenant (under the cluster's `cloud` lease, so one
// Steward polls), its readiness row and metrics, the REST routes, and the events on the bus.
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { DutyGate } from "../../platform/cluster/gate";
import type { ConfigShape, LoadedConfig as LoadedOf } from "../../platform/config/load";
import type { Reconfigurable as ReconfigurableOf } from "../../platform/config/reload/reloader";
import type { QlikCloudConfig } from "./config";
import type { EventBus } from "../../platform/core/bus";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { Readiness } from "../../platform/core/readiness";
import type { DomainEvents, TaskEvent } from "../../platform/events/types";
import type { Router } from "../../platform/http/route";
import type { SqlDb } from "../../platform/store/sql";
import { type CloudClient, createCloudClient } from "./cloud-client";
import { createCloudStore } from "./cloud-store";
import { createAutomationStore } from "./automation-store";
import type { AutomationFeed } from "./automation-events";
import type { MqttService } from "../../start/mqtt/mqtt-client";
import { registerMqttCloudStart } from "./mqtt-start";
import { registerCloudRoutes } from "./routes";
import { type CloudStarter, createCloudStarter } from "./start-reload";
import { createTenantWatcher, type TenantState, type TenantWatcher } from "./tenant-watcher";

/** What the Cloud watch reads of the config: its section, and the MQTT topic that starts Cloud reloads. */
export interface CloudSetupConfig extends ConfigShape {
  qlikCloud?: QlikCloudConfig;
  mqtt?: { cloudReloadStart?: Parameters<typeof registerMqttCloudStart>[1] };
}
type LoadedConfig = LoadedOf<CloudSetupConfig>;
type Reconfigurable = ReconfigurableOf<CloudSetupConfig>;

export interface CloudSetupDeps {
  db: SqlDb;
  bus: EventBus<DomainEvents>;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  lifecycle: Lifecycle;
  readiness: Readiness;
  router: Router;
  audit: AuditLog;
  gate?: DutyGate;
  /** The broker connection, for mqtt.cloudReloadStart. */
  mqtt?: MqttService;
  annotate?: (e: TaskEvent) => Promise<TaskEvent[]>;
}

export interface CloudSetup {
  watchers: TenantWatcher[];
  /** Each tenant's client and scope, for the watchdog's reading of its Scheduling Tasks. */
  tenants: Array<{ name: string; url: string; client: CloudClient; apps?: string[]; spaces?: string[] }>;
  start: CloudStarter;
  /** A config reload applies new API keys at once; any other change of qlikCloud needs a restart. */
  reconfigurable?: Reconfigurable;
  /** Where the automations' runs go besides their events: set once by the composition root (the freshness promises). */
  automationFeed(feed: AutomationFeed): void;
}

/** The tenants' settings apart from their API keys: what a reload cannot change in place. */
/**
 * The tenant's line for /ready: "last poll 2026-12-01T13:02:11.000Z (35 s ago); API key expires 2026-12-02". The
 * instant stays ISO-8601 there (an API); the dashboard's health table says it on the site's clock.
 */
export function tenantHealthLine(s: TenantState, now: number): string {
  const parts: string[] = [];
  if (s.problem) parts.push(s.problem);
  else if (s.lastPollAt) {
    const at = Date.parse(s.lastPollAt);
    parts.push(`last poll ${new Date(at).toISOString()} (${ago(now - at)})`);
  } else parts.push("not polled yet (or another Steward polls it)");
  if (s.keyExpiresAt) parts.push(`API key expires ${s.keyExpiresAt.slice(0, 10)}`);
  if (s.automations?.problem) parts.push(`automations not read: ${s.automations.problem}`);
  if (s.dataTasks?.problem) parts.push(`data tasks not read: ${s.dataTasks.problem}`);
  return parts.join("; ");
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

const withoutKeys = (c: LoadedConfig["config"]["qlikCloud"]) => JSON.stringify(c ? { ...c, tenants: c.tenants.map(({ apiKey: _k, ...rest }) => rest) } : null);

export function setupCloud(loaded: LoadedConfig, deps: CloudSetupDeps): CloudSetup {
  const cfg = loaded.config.qlikCloud;
  if (!cfg?.enabled) {
    registerCloudRoutes(deps.router, { watchers: [], start: createCloudStarter([], deps.audit) });
    return { watchers: [], tenants: [], start: createCloudStarter([], deps.audit), automationFeed() {} };
  }
  const log = deps.log.child({ module: "qlik-cloud" });
  const store = createCloudStore(deps.db);
  const automationClaims = createAutomationStore(deps.db);
  // Bound after setup (the freshness promises are built later); until then the runs only raise their events.
  let feed: AutomationFeed | undefined;
  const automationFeed: AutomationFeed = {
    seen: (a) => feed?.seen(a) ?? Promise.resolve(),
    runEnded: (r) => feed?.runEnded(r) ?? Promise.resolve(),
  };
  const metrics = {
    polls: deps.metrics.counter("steward_cloud_polls_total", "Qlik Cloud polls by tenant and result (ok, auth, rate-limited, server, network, bad-answer, …)."),
    reloads: deps.metrics.counter("steward_cloud_reloads_total", "Qlik Cloud reloads announced, by tenant and final status."),
  };
  const headLines = 10;
  const tenants = cfg.tenants.map((t) => {
    const name = t.name ?? new URL(t.url).host;
    const client = createCloudClient({
      url: t.url,
      ...(t.apiKey ? { apiKey: t.apiKey } : {}),
      ...(t.oauth ? { oauth: t.oauth } : {}),
      ...(t.caFile ? { caFile: t.caFile } : {}),
      baseDir: loaded.baseDir,
      clock: deps.clock,
    });
    const watcher = createTenantWatcher({
      tenant: { ...t, name },
      client,
      store,
      clock: deps.clock,
      log,
      metrics,
      emit: (e) => deps.bus.emit(e.kind, e as never),
      ...(deps.annotate ? { annotate: deps.annotate } : {}),
      logLines: { head: headLines, tail: 30 },
      automationClaims,
      automationFeed,
    });
    deps.lifecycle.add({ name: `qlik-cloud client ${name}`, start() {}, stop: () => client.close() });
    deps.lifecycle.add(deps.gate ? deps.gate("cloud", watcher) : watcher);
    deps.readiness.register({
      name: `qlik-cloud:${name}`,
      required: false,
      check: () => {
        const s = watcher.state();
        return {
          ok: s.up || !s.polled,
          detail: tenantHealthLine(s, deps.clock.now()),
        };
      },
    });
    return { name, client, watcher, url: t.url, ...(t.apps ? { apps: t.apps } : {}), ...(t.spaces ? { spaces: t.spaces } : {}) };
  });
  deps.metrics.gaugeFn("steward_cloud_tenant_up", "1 when the tenant's last poll worked, by tenant.", () =>
    tenants.map((t) => ({ labels: { tenant: t.name }, value: t.watcher.state().up ? 1 : 0 })),
  );
  const start = createCloudStarter(tenants, deps.audit);
  const watchers = tenants.map((t) => t.watcher);
  registerCloudRoutes(deps.router, { watchers, start });
  if (deps.mqtt && loaded.config.mqtt?.cloudReloadStart) registerMqttCloudStart(deps.mqtt, loaded.config.mqtt.cloudReloadStart, { start, log });
  // The key in force per tenant: a rotated key (the old one expired or was revoked) goes into the client at once.
  const keys = cfg.tenants.map((t) => t.apiKey);
  const reconfigurable: Reconfigurable = {
    name: "qlik-cloud",
    sections: ["qlikCloud"],
    prepare(next) {
      const n = next.config.qlikCloud;
      if (withoutKeys(n) !== withoutKeys(cfg)) return { apply() {}, restartRequired: ["qlikCloud"] };
      return {
        apply() {
          n!.tenants.forEach((t, i) => {
            if (t.apiKey === undefined || t.apiKey === keys[i]) return;
            keys[i] = t.apiKey;
            const tenant = tenants[i]!;
            tenant.client.setApiKey(t.apiKey);
            log.info({ tenant: tenant.name }, "Qlik Cloud: a new API key is loaded; the tenant is polled with it now");
            tenant.watcher.keyChanged(t.apiKey);
          });
        },
      };
    },
    pendingRestart: (next, started) => (withoutKeys(next.config.qlikCloud) === withoutKeys(started.config.qlikCloud) ? [] : ["qlikCloud"]),
  };
  return {
    watchers,
    tenants: tenants.map(({ watcher: _w, ...rest }) => rest),
    start,
    reconfigurable,
    automationFeed(f) {
      feed = f;
    },
  };
}
