// Wires config reload into the app: the reloader, the components that apply settings live (access control,
// notifications; heartbeat and service monitoring register themselves), and POST /v4/admin/reload.
import type { PeerLooks } from "../../tell/notify/worker";
import type { InfluxConflictMonitor } from "../../tell/influx-conflicts";
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { EventBus } from "../../platform/core/bus";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { DomainEvents } from "../../platform/events/types";
import type { Router } from "../../platform/http/route";
import { createNotifier, type Notifier } from "../../tell/notify";
import type { DeliveryGate } from "../../tell/notify/gate";
import type { NotifyHooks } from "../../tell/notify/service";
import type { Security } from "../../platform/security";
import { securityReconfigurable } from "../../platform/security/reconfigure";
import type { Store } from "../../platform/store/database";
import { type Config, type LoadedConfig, stewardConfigReader } from "../config";
import { notifyReconfigurable } from "./notify-swap";
import { createConfigReloader, type ConfigReloader, type Reconfigurable } from "../../platform/config/reload/reloader";
import { registerReloadRoutes } from "./routes";
import type { ChannelHealth } from "../../tell/notify/channel-health";

export interface ReloadSetupDeps {
  log: Logger;
  audit: AuditLog;
  router: Router;
  lifecycle: Lifecycle;
  bus: EventBus<DomainEvents>;
  store: Store;
  /** This Steward instance and the live ones of its cluster, for the rebuilt notifier. */
  instanceId?: string;
  liveInstances?: () => Promise<readonly string[]>;
  /** In a cluster: how often the rebuilt notifier looks for deliveries another Steward queued. */
  peerPollMs?: () => number;
  /** In a cluster: alone in it or not, and a wake when the peer epoch moves (src/tell/notify/worker.ts). */
  peers?: PeerLooks;
  clock: Clock;
  /** The registry view the notifier was built with (see createReusableMetrics). */
  notifyMetrics: MetricsRegistry;
  security: Security;
  notify: Notifier;
  /** Further components that apply their section live (service monitoring, heartbeat). */
  more?: Reconfigurable[];
  influxConflicts?: InfluxConflictMonitor;
  /** The same delivery gate (silences, maintenance windows) for the rebuilt notifier. */
  gate?: DeliveryGate;
  /** The same hooks (action links, escalation) for the rebuilt notifier. */
  hooks?: NotifyHooks;
  /** Whether each channel delivers: the rebuilt notifier reports to the same, which forgets removed channels. */
  health?: ChannelHealth;
  /** The same look at an on-call alert just opened (the convergence sweep) for the rebuilt notifier. */
  alertOpened?: (channel: string, key: string) => void;
}

/** The reloader of Steward's whole config. */
export type StewardReloader = ConfigReloader<Config>;

export function setupReload(loaded: LoadedConfig, deps: ReloadSetupDeps): StewardReloader {
  const reloader = createConfigReloader(loaded, { log: deps.log, audit: deps.audit, reader: stewardConfigReader });
  reloader.register(securityReconfigurable(deps.security, () => loaded.config.http.host));
  reloader.register(
    notifyReconfigurable({
      notifier: deps.notify,
      bus: deps.bus,
      running: () => deps.lifecycle.started,
      build: (next) => {
        deps.health?.keepOnly(Object.keys(next.config.channels));
        return createNotifier({
          config: next.config,
          baseDir: next.baseDir,
          store: deps.store,
          bus: deps.bus,
          log: deps.log,
          clock: deps.clock,
          metrics: deps.notifyMetrics,
          ...(deps.instanceId ? { instanceId: deps.instanceId } : {}),
          ...(deps.liveInstances ? { liveInstances: deps.liveInstances } : {}),
          ...(deps.peerPollMs ? { peerPollMs: deps.peerPollMs } : {}),
          ...(deps.peers ? { peers: deps.peers } : {}),
          ...(deps.influxConflicts ? { influxConflicts: deps.influxConflicts } : {}),
          ...(deps.gate ? { gate: deps.gate } : {}),
          ...(deps.hooks ? { hooks: deps.hooks } : {}),
          ...(deps.health ? { health: deps.health } : {}),
          ...(deps.alertOpened ? { alertOpened: deps.alertOpened } : {}),
        });
      },
    }),
  );
  for (const r of deps.more ?? []) reloader.register(r);
  registerReloadRoutes(deps.router, reloader);
  return reloader;
}
