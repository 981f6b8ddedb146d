// Wires the notification pipeline into the app: the notifier, its lifecycle component (a worker, so it is
// added before intake and stops after it), its REST routes, and the QRS lookup for previews when QRS exists.
import type { PeerLooks } from "./worker";
import type { Logger } from "pino";
import type { ConfigShape, LoadedConfig } from "../../platform/config/load";
import type { IntakeConfig } from "../../hear/intake/config";
import type { NotifierConfig } from "./config";
import type { EventBus } from "../../platform/core/bus";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { Readiness } from "../../platform/core/readiness";
import type { DomainEvents } from "../../platform/events/types";
import type { Router } from "../../platform/http/route";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { Store } from "../../platform/store/database";
import type { InfluxConflictMonitor } from "../influx-conflicts";
import { registerNotifyRoutes } from "./http-routes";
import { createQrsTaskLookup } from "./qrs-lookup";
import { createNotifier, type Notifier, type NotifyHooks } from "./service";
import type { DeliveryGate } from "./gate";
import type { ChannelHealth } from "./channel-health";

export interface NotifySetupDeps {
  store: Store;
  bus: EventBus<DomainEvents>;
  log: Logger;
  clock: Clock;
  metrics: MetricsRegistry;
  router: Router;
  lifecycle: Lifecycle;
  readiness?: Readiness;
  qrs?: QrsClient;
  /** This Steward instance and the live ones of its cluster (see NotifierDeps). */
  instanceId?: string;
  liveInstances?: () => Promise<readonly string[]>;
  /** In a cluster: whether these members are certainly still alive, known without a statement (an idle look sends none). */
  stillLive?: (ids: Iterable<string>) => boolean;
  /** In a cluster: how often to look for deliveries another Steward queued (src/platform/cluster/peer-poll.ts). */
  peerPollMs?: () => number;
  /**
   * In a cluster: how long a member alive at an earlier look may stay missing before its sends in flight are taken
   * over (a heartbeat or two: after a store outage every member's heartbeat is late until its next beat).
   */
  memberGraceMs?: number;
  /** In a cluster: alone in it or not, and a wake when the peer epoch moves (src/tell/notify/worker.ts). */
  peers?: PeerLooks;
  influxConflicts?: InfluxConflictMonitor;
  gate?: DeliveryGate;
  hooks?: NotifyHooks;
  /** How each channel's attempts went: its readiness entry is registered here, once (a reload reuses it). */
  health?: ChannelHealth;
  /** An on-call channel's product accepted a trigger that opened an alert (the convergence sweep looks at it). */
  alertOpened?: (channel: string, key: string) => void;
}

/** Alerts waiting longer than this make the (non-required) notify readiness entry report a problem. */
const STUCK_AFTER_MS = 10 * 60_000;

export function setupNotify(loaded: LoadedConfig<ConfigShape & NotifierConfig & { intake: IntakeConfig }>, deps: NotifySetupDeps): Notifier {
  const notifier = createNotifier({
    config: loaded.config,
    baseDir: loaded.baseDir,
    store: deps.store,
    bus: deps.bus,
    log: deps.log,
    clock: deps.clock,
    metrics: deps.metrics,
    ...(deps.instanceId ? { instanceId: deps.instanceId } : {}),
    ...(deps.liveInstances ? { liveInstances: deps.liveInstances } : {}),
    ...(deps.stillLive ? { stillLive: deps.stillLive } : {}),
    ...(deps.peerPollMs ? { peerPollMs: deps.peerPollMs } : {}),
    ...(deps.memberGraceMs !== undefined ? { memberGraceMs: deps.memberGraceMs } : {}),
    ...(deps.peers ? { peers: deps.peers } : {}),
    ...(deps.influxConflicts ? { influxConflicts: deps.influxConflicts } : {}),
    ...(deps.gate ? { gate: deps.gate } : {}),
    ...(deps.hooks ? { hooks: deps.hooks } : {}),
    ...(deps.health ? { health: deps.health } : {}),
    ...(deps.alertOpened ? { alertOpened: deps.alertOpened } : {}),
  });
  const lookupTaskEvent = deps.qrs ? createQrsTaskLookup(loaded.config, deps.qrs, { log: deps.log, clock: deps.clock }) : undefined;
  registerNotifyRoutes(deps.router, notifier, { clock: deps.clock, lookupTaskEvent });
  deps.lifecycle.add(notifier.component);
  deps.readiness?.register({
    name: "notify",
    required: false,
    check: async () => {
      const b = await notifier.outbox.backlog();
      const age = b.oldestCreatedAt === undefined ? 0 : deps.clock.now() - b.oldestCreatedAt;
      const detail = b.pending === 0 ? "outbox empty" : `${b.pending} deliveries waiting, oldest for ${Math.round(age / 1000)} s`;
      return { ok: age < STUCK_AFTER_MS, detail };
    },
  });
  return notifier;
}
