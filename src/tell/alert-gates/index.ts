// What may hold an alert back on its way to the channels, wired as one gate of the notify pipeline, in this order:
// maintenance windows (planned work holds and sums up), silences (held until they end), incidents per cause (a
// symptom is listed in its parent, not sent), then a window's and a snooze's hold of the cause the grouping named.
// Built before the notifier, which it wakes and publishes through.
import type { Logger } from "pino";
import type { NotifyConfig } from "../notify/config";
import type { MaintenanceConfig } from "../maintenance/config";
import type { GroupingConfig } from "../grouping/config";
import type { CheckFeeds } from "../grouping/upstream";
import type { OpenAlerts, PromiseRef } from "../grouping";
import type { EventBus } from "../../platform/core/bus";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { DomainEvent, DomainEvents } from "../../platform/events/types";
import { setupGrouping, type Grouping } from "../grouping";
import type { Router } from "../../platform/http/route";
import { causeHeldReason, maintenanceBanner, setupMaintenance, type Maintenance } from "../maintenance";
import { composeGates, type DeliveryGate, type QuietSpell } from "../notify/gate";
import { type ConditionIncidentOf, setupSilences, type Silences } from "../silences";
import { siteTimeZone } from "../../platform/core/site-clock";
import type { SqlDb } from "../../platform/store/sql";

/** What the gates read of the config. */
export interface AlertGatesConfig {
  notify: NotifyConfig;
  maintenance: MaintenanceConfig;
  grouping: GroupingConfig;
  http: { publicUrl?: string };
}

/** How often what waits for a silence looks whether it ended (by hand, before its time). */
const SILENCE_LOOK_MS = 60_000;

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
  /** Told of each alert a silence held and sent when it ended, on its route (an escalation timer starts from it). */
  released(event: DomainEvent, route: string, now: number): Promise<void>;
  /** What a check-in job feeds (checkins.checks.<name>.feeds), for grouping a check-in's failure under its cause. */
  feedsOfCheck(check: string): CheckFeeds | undefined;
  /** The freshness promises, named on a cause's pages when it affects one of their apps. */
  promises?: () => readonly PromiseRef[];
  /** The promises' open alerts: a cause that opens after one it explains takes it in. */
  openAlerts?: OpenAlerts;
  /** The open incident of the condition an event opens or adds to: a snooze of it holds the event (tell/silences). */
  conditionIncidentOf?: ConditionIncidentOf;
}

export interface AlertGates {
  silences: Silences;
  maintenance: Maintenance;
  grouping: Grouping;
  gate: DeliveryGate;
  /** The dashboard's banner while a maintenance window is active, its end on the site's clock. */
  banner(formatTime: (ms: number) => string): string | undefined;
  /**
   * What keeps `e` quiet at `now` (a maintenance window, then a silence), for what pages later than the event: an
   * escalation due inside a window or silence waits for its end instead of being held in it (see src/tell/escalation).
   */
  quietUntil(e: DomainEvent, now: number): Promise<QuietSpell | undefined>;
  /** Adds what publishes through the notifier (window summaries) to the lifecycle: call after the notifier's. */
  startAfterNotifier(lifecycle: Lifecycle): void;
}

export function setupAlertGates(config: AlertGatesConfig, deps: AlertGatesDeps): AlertGates {
  const { db, clock, log, router } = deps;
  const o = config.notify.outbox;
  // Asked for when a time without an offset comes in, not at start (the machine's zone loads ICU's data).
  let zone: string | undefined;
  const silences = setupSilences({
    db,
    clock,
    log,
    router,
    lifecycle: deps.lifecycle,
    maxAgeMs: o.maxAge,
    keepMs: o.keep,
    wake: deps.wakeNotifier,
    // A held alert sent when its silence ended was received: its recovery goes there too (grouping keeps who got what,
    // written in the transaction that sends it).
    received: (event, to, now, tx) => grouping.released(event, to, now, tx),
    released: (event, route, now) => deps.released(event, route, now),
    siteZone: () => (zone ??= siteTimeZone(config.notify.timeZone)),
    // A window over a node held its cause's page and its symptoms' alerts: the cause pages each receiver once.
    causePage: (id, to, heldAt) => grouping.causePage(id, to, heldAt),
    ...(deps.conditionIncidentOf ? { conditionIncidentOf: deps.conditionIncidentOf } : {}),
  });
  const emit = (e: DomainEvents["maintenance.summary"]) => deps.bus.emit(e.kind, e);
  const maintenance = setupMaintenance(config.maintenance, {
    db,
    clock,
    log,
    router,
    emit,
    host: deps.host,
    keepMs: o.keep,
    // A cause whose page a window held pages at its end, once per receiver, if still open and not paged meanwhile.
    causes: {
      causePage: (id, to) => grouping.causePage(id, to, 0),
      maxAgeMs: o.maxAge,
      received: (event, to, now, tx) => grouping.released(event, to, now, tx),
      released: (event, route, now) => deps.released(event, route, now),
      wake: deps.wakeNotifier,
    },
  });
  const windowHold = (e: DomainEvent, now: number) => {
    const w = maintenance.holding(e, now);
    return w ? { reason: (causeId: number) => causeHeldReason(w, causeId) } : undefined;
  };
  // Last: it records every failure's symptom whatever the gates before it decided.
  const grouping = setupGrouping(config.grouping, {
    db,
    router,
    feedsOfCheck: deps.feedsOfCheck,
    ...(deps.promises ? { promises: deps.promises } : {}),
    ...(config.http.publicUrl ? { publicUrl: config.http.publicUrl } : {}),
    ...(deps.openAlerts ? { openAlerts: deps.openAlerts } : {}),
    ...(config.maintenance.windows.length > 0 ? { windowHold, insideWindows: maintenance.insideWindows, heldCauses: maintenance.heldCauses } : {}),
  });
  return {
    silences,
    maintenance,
    grouping,
    // A snooze of a cause covers its alerts once the grouping has named their cause: its gate comes after.
    // A window holds the page of a cause its event carries (the grouping named it) as it holds the event.
    gate: composeGates([maintenance.gate, silences.gate, grouping.gate, maintenance.causeGate, silences.causeGate]),
    banner: (formatTime) => maintenanceBanner(maintenance.service.active(), formatTime),
    async quietUntil(e, now) {
      const o = maintenance.holding(e, now);
      if (o) return { until: o.endsAt, reason: `maintenance window ${o.window} (${o.scope}) until ${new Date(o.endsAt).toISOString()}` };
      const s = await silences.covering(e, now);
      if (!s) return undefined;
      // A silence may be ended by hand before its end: look again within a minute rather than page late.
      return {
        until: Math.min(s.endsAt, now + SILENCE_LOOK_MS),
        reason: `silence #${s.id} (${s.author}: ${s.reason}) until ${new Date(s.endsAt).toISOString()}`,
      };
    },
    startAfterNotifier(lifecycle) {
      if (config.maintenance.windows.length > 0) lifecycle.add(maintenance.service.component);
    },
  };
}
