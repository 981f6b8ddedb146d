// Wires incidents into the app: the service on the shared store (so every Steward of a cluster continues the same
// incidents), its purge timer in the lifecycle, and its REST routes. The intake calls `annotate` before emitting.
import type { Logger } from "pino";
import type { IncidentsConfig } from "./config";
import type { IntakeConfig } from "../../hear/intake/config";
import type { RouteConfig } from "../notify/config";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { Router } from "../../platform/http/route";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { routesWantSuccessLogs } from "../notify/routing";
import type { SqlDb } from "../../platform/store/sql";
import type { EventBus } from "../../platform/core/bus";
import type { DomainEvents } from "../../platform/events/types";
import { registerIncidentRoutes } from "./routes";
import { createUnconfirmedFloodEnds } from "./unconfirmed-flood-end";
import { type Acknowledged, createIncidentService, type IncidentCauses, type IncidentService, type IncidentServiceDeps } from "./service";

/** What the incidents read of the config. */
export interface IncidentsSetupConfig {
  incidents: IncidentsConfig;
  intake: IntakeConfig;
  routes: RouteConfig[];
}

export interface IncidentsSetupDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  router: Router;
  lifecycle: Lifecycle;
  qrs?: QrsClient;
  /** The causes (tell/grouping): an incident is acknowledged with the cause that holds it. */
  causes?: IncidentCauses;
  /** Told after each acknowledgement (see IncidentServiceDeps.acknowledged). */
  acknowledged?(a: Acknowledged): Promise<void>;
  /** Told of each incident resolved by hand (see IncidentServiceDeps.resolved). */
  resolved?: IncidentServiceDeps["resolved"];
  causeClosed?: IncidentServiceDeps["causeClosed"];
  conditionResolved?: IncidentServiceDeps["conditionResolved"];
  /** The bus: what the incidents' own sweeps wait for (a run paged unconfirmed). */
  bus?: EventBus<DomainEvents>;
  /** The routes in force: a reload may give one a pageAfter, whose count needs each run's recent failures. */
  routes?(): readonly RouteConfig[];
}

/** The service, or undefined when `incidents.enabled` is false (events then go out as they come). */
export function setupIncidents(config: IncidentsSetupConfig, deps: IncidentsSetupDeps): IncidentService | undefined {
  if (!config.incidents.enabled) return undefined;
  const service = createIncidentService(config.incidents, {
    db: deps.db,
    clock: deps.clock,
    log: deps.log,
    qrs: deps.qrs,
    qrsTimeoutMs: config.intake.enrichment.lookupTimeoutMs,
    keepSuccessLogText: config.intake.enrichment.scriptLog.onSuccess || routesWantSuccessLogs(config.routes),
    listRecentFailures: () => (deps.routes?.() ?? config.routes).some((r) => r.pageAfter !== undefined),
    ...(deps.causes ? { causes: deps.causes } : {}),
    ...(deps.acknowledged ? { acknowledged: deps.acknowledged } : {}),
    ...(deps.resolved ? { resolved: deps.resolved } : {}),
    ...(deps.causeClosed ? { causeClosed: deps.causeClosed } : {}),
    ...(deps.conditionResolved ? { conditionResolved: deps.conditionResolved } : {}),
  });
  deps.lifecycle.add(service.component);
  registerIncidentRoutes(deps.router, service, { now: () => deps.clock.now() });
  // A flood of unconfirmed runs is a cause (tell/grouping): without causes its summary is a page of its own.
  if (!deps.causes) return service;
  const unconfirmedFloods = createUnconfirmedFloodEnds({
    db: deps.db,
    clock: deps.clock,
    log: deps.log,
    windowMs: config.intake.confirm.unconfirmedBudget.perSourceWindowMinutes * 60_000,
    causes: deps.causes,
    resolveCause: (id, r) => service.resolveCause(id, r),
    ...(deps.bus ? { bus: deps.bus } : {}),
  });
  deps.lifecycle.add(unconfirmedFloods.component);
  return Object.assign(service, { unconfirmedFloods });
}

/** Whether incidents need the script log of successful reloads (the warnings read it). */
export function incidentsWantSuccessLogs(config: Pick<IncidentsSetupConfig, "incidents">): boolean {
  const i = config.incidents;
  return i.enabled && i.warnings.enabled && (i.warnings.skippedErrors || i.warnings.emptyTables.enabled);
}
