// Wires the watchdog into the app: its store tables, the loop (under the cluster's watchdog lease when there
// is one, so a site's conditions are judged and announced once), the REST view and the events on the bus.
import type { Logger } from "pino";
import type { WatchdogConfig } from "./config";
import type { EventBus } from "../../platform/core/bus";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { CheckinChainItem, CheckinConditionsView } from "../checkins/chain-view";
import type { DutyGate } from "../../platform/cluster/gate";
import type { DomainEvents } from "../../platform/events/types";
import type { Router } from "../../platform/http/route";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { SqlDb } from "../../platform/store/sql";
import type { CloudWatchTenant } from "./cloud-watch";
import { registerWatchdogRoutes } from "./routes";
import { createWatchdog, type Watchdog, type WatchdogDeps } from "./service";
import { holdWatchState } from "./held-state";
import { createWatchStore } from "./watch-store";

export interface WatchdogSetupDeps {
  db: SqlDb;
  qrs: QrsClient | undefined;
  /** Qlik Cloud tenants (qlikCloud.tenants) whose Scheduling Tasks the watchdog reads too. */
  cloudTenants?: CloudWatchTenant[];
  qlikHost: string;
  bus: EventBus<DomainEvents>;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  lifecycle: Lifecycle;
  router: Router;
  gate?: DutyGate;
  /** The check-ins with their state, shown as links of the chains in the watchdog's view. */
  checkins?: () => Promise<CheckinChainItem[]>;
  /** The check-ins' conditions, listed with the watchdog's own. */
  checkinConditions?: CheckinConditionsView;
  /** Times in the events' words, in the site's zone. */
  formatTime?: (ms: number) => string;
  /**
   * Per app, the end of its last successful reload outside the Scheduler since `sinceMs` (src/hear/engine): fresh data
   * the stale judgement counts at once, before QRS's lastReloadTime is read again with the plan.
   */
  reloadsOutside?: (sinceMs: number) => Promise<ReadonlyMap<string, number>>;
  /** A QRS plan read anew (grouping keeps its chains in the store). */
  planRead?: WatchdogDeps["planRead"];
  /** Each Qlik Cloud tenant's Scheduling Tasks after a look at them (grouping keeps their chains in the store). */
  cloudTasksRead?: WatchdogDeps["cloudTasksRead"];
  /** The runs Steward started itself (remediation's): never a queue backlog waiting alone. */
  ownRuns?: WatchdogDeps["ownRuns"];
  /** Per task, a remediation rule retrying its failure: its app is not paged stale meanwhile. */
  remediationHolds?: WatchdogDeps["remediationHolds"];
}

export function setupWatchdog(cfg: WatchdogConfig | undefined, deps: WatchdogSetupDeps): Watchdog | undefined {
  const cloudTenants = deps.cloudTenants ?? [];
  if (!cfg?.enabled || (!deps.qrs && cloudTenants.length === 0)) {
    registerWatchdogRoutes(deps.router, {
      clock: deps.clock,
      ...(deps.checkins ? { checkins: deps.checkins } : {}),
      ...(deps.checkinConditions ? { checkinConditions: deps.checkinConditions } : {}),
    });
    return undefined;
  }
  const held = holdWatchState(createWatchStore(deps.db));
  const store = held.store;
  const watchdog = createWatchdog({
    cfg,
    ...(deps.qrs ? { qrs: deps.qrs } : {}),
    ...(cloudTenants.length > 0 ? { cloudTenants } : {}),
    store,
    clock: deps.clock,
    log: deps.log.child({ module: "watchdog" }),
    metrics: deps.metrics,
    emit: (e) => deps.bus.emit(e.kind, e),
    host: deps.qlikHost,
    ...(deps.formatTime ? { formatTime: deps.formatTime } : {}),
    ...(deps.reloadsOutside ? { reloadsOutside: deps.reloadsOutside } : {}),
    ...(deps.planRead ? { planRead: deps.planRead } : {}),
    ...(deps.cloudTasksRead ? { cloudTasksRead: deps.cloudTasksRead } : {}),
    ...(deps.ownRuns ? { ownRuns: deps.ownRuns } : {}),
    ...(deps.remediationHolds ? { remediationHolds: deps.remediationHolds } : {}),
  });
  const running = held.component(watchdog);
  deps.lifecycle.add(deps.gate ? deps.gate("watchdog", running) : running);
  registerWatchdogRoutes(deps.router, {
    watchdog,
    store,
    clock: deps.clock,
    minRuns: cfg.runningLong.minRuns,
    ...(deps.checkins ? { checkins: deps.checkins } : {}),
    ...(deps.checkinConditions ? { checkinConditions: deps.checkinConditions } : {}),
  });
  return watchdog;
}
