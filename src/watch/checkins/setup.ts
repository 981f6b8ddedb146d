// Wires the check-ins into the app: the ping API on every Steward (a ping to any of them counts: it goes to the
// shared store), the judge under the cluster's watchdog lease (so a site's checks are announced once), the admin
// view, and the events on the bus.
import type { Logger } from "pino";
import type { DutyGate } from "../../platform/cluster/gate";
import type { CheckinsConfig } from "./config";
import type { EventBus } from "../../platform/core/bus";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { DomainEvents } from "../../platform/events/types";
import type { Router } from "../../platform/http/route";
import type { SqlDb } from "../../platform/store/sql";
import { createCheckinStore } from "./checkin-store";
import { registerPingRoutes } from "./ping-routes";
import { compileSchedule } from "./schedule";
import { type CheckinService, createCheckinService } from "./service";
import { registerCheckinStatusRoutes } from "./status-routes";

export interface CheckinsSetupDeps {
  db: SqlDb;
  bus: EventBus<DomainEvents>;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  lifecycle: Lifecycle;
  router: Router;
  /** This Steward's name: recorded with each ping it receives, and the events' host. */
  steward: string;
  gate?: DutyGate;
  /** Times in the events' words, in the site's zone. */
  formatTime?: (ms: number) => string;
}

export interface Checkins {
  service: CheckinService;
}

export function setupCheckins(cfg: CheckinsConfig | undefined, deps: CheckinsSetupDeps): Checkins | undefined {
  if (!cfg?.enabled) {
    registerCheckinStatusRoutes(deps.router, { checks: [], clock: deps.clock });
    return undefined;
  }
  const checks = Object.entries(cfg.checks).map(([name, c]) => {
    // The config schema compiled each schedule already; a failure here is a bug, not a config error.
    const compiled = compileSchedule(c.cron !== undefined ? { cron: c.cron, timeZone: c.timeZone } : { rrule: [c.rrule!].flat(), timeZone: c.timeZone });
    if (!compiled.ok) throw new Error(`checkins.checks.${name}: ${compiled.error}`);
    return {
      name,
      enabled: c.enabled,
      schedule: compiled.schedule,
      graceMs: c.grace,
      ...(c.maxDuration !== undefined ? { maxDurationMs: c.maxDuration } : {}),
      feeds: { tasks: [...c.feeds.taskNames, ...c.feeds.taskIds], apps: [...c.feeds.appNames, ...c.feeds.appIds] },
    };
  });
  const store = createCheckinStore(deps.db);
  const pings = deps.metrics.counter("steward_checkin_pings_total", "Pings received on /ping, by result (ok, unknown_key, rate_limited).");
  registerPingRoutes(deps.router, {
    keys: new Map(Object.entries(cfg.checks).map(([name, c]) => [c.key, name])),
    store,
    clock: deps.clock,
    steward: deps.steward,
    logMaxBytes: cfg.logMaxBytes,
    keepPings: cfg.keepPings,
    rateLimit: { requests: cfg.rateLimit.requests, windowMs: cfg.rateLimit.window },
    count: (result) => pings.inc({ result }),
  });
  const service = createCheckinService({
    checks,
    intervalMs: cfg.interval,
    store,
    clock: deps.clock,
    log: deps.log.child({ module: "checkins" }),
    metrics: deps.metrics,
    host: deps.steward,
    emit: (e) => deps.bus.emit(e.kind, e),
    ...(deps.formatTime ? { formatTime: deps.formatTime } : {}),
  });
  deps.lifecycle.add(deps.gate ? deps.gate("watchdog", service) : service);
  registerCheckinStatusRoutes(deps.router, { checks, store, service, clock: deps.clock });
  return { service };
}
