// What may hold an alert back on its way to the channels, wired as one gate of the notify pipeline, in this order:
// maintenance windows (planned work holds and sums up), silences (held until they end), incidents per cause (a
// symptom is listed in its parent, not sent). Built before the notifier, which it wakes and publishes through.
import type { Logger } from "pino";
import type { Config } from "../config/schema";
import type { EventBus } from "../core/bus";
import type { Clock } from "../core/clock";
import type { Lifecycle } from "../core/lifecycle";
import type { DomainEvents } from "../events/types";
import { setupGrouping, type Grouping } from "../grouping";
import type { Router } from "../http/route";
import { maintenanceBanner, setupMaintenance, type Maintenance } from "../maintenance";
import { composeGates, type DeliveryGate } from "../notify/gate";
import { setupSilences, type Silences } from "../silences";
import type { SqlDb } from "../store/sql";

export interface AlertGatesDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  router: Router;
  lifecycle: Lifecycle;
  bus: EventBus<DomainEvents>;
  /** The Qlik Sense host named on maintenance summaries. */
  host: string;
  /** Wakes the notifier (alerts a silence held become pending when it ends). */
  wakeNotifier(): void;
}

export interface AlertGates {
  silences: Silences;
  maintenance: Maintenance;
  grouping: Grouping;
  gate: DeliveryGate;
  /** The dashboard's banner while a maintenance window is active. */
  banner(): string | undefined;
  /** Adds what publishes through the notifier (window summaries) to the lifecycle: call after the notifier's. */
  startAfterNotifier(lifecycle: Lifecycle): void;
}

export function setupAlertGates(config: Config, deps: AlertGatesDeps): AlertGates {
  const { db, clock, log, router } = deps;
  const o = config.notify.outbox;
  const silences = setupSilences({ db, clock, log, router, lifecycle: deps.lifecycle, maxAgeMs: o.maxAge, keepMs: o.keep, wake: deps.wakeNotifier });
  const emit = (e: DomainEvents["maintenance.summary"]) => deps.bus.emit(e.kind, e);
  const maintenance = setupMaintenance(config.maintenance, { db, clock, log, router, emit, host: deps.host, keepMs: o.keep });
  // Last: it records every failure's symptom whatever the gates before it decided.
  const checks = config.checkins?.checks ?? {};
  const grouping = setupGrouping(config.grouping, {
    db,
    router,
    feedsOfCheck: (name) => checks[name]?.feeds,
    ...(config.http.publicUrl ? { publicUrl: config.http.publicUrl } : {}),
  });
  return {
    silences,
    maintenance,
    grouping,
    gate: composeGates([maintenance.gate, silences.gate, grouping.gate]),
    banner: () => maintenanceBanner(maintenance.service.active()),
    startAfterNotifier(lifecycle) {
      if (config.maintenance.windows.length > 0) lifecycle.add(maintenance.service.component);
    },
  };
}
