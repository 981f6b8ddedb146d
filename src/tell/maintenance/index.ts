// Maintenance windows: planned work when alerts are held back (recorded, not sent) and summed up in one notification
// at the end. setupMaintenance builds the windows from the config, the notify gate, the ticker and GET /v4/maintenance.
import type { Logger } from "pino";
import type { MaintenanceConfig } from "./config";
import type { Clock } from "../../platform/core/clock";
import type { DomainEvent, SiteEvent } from "../../platform/events/types";
import type { Router } from "../../platform/http/route";
import type { DeliveryGate } from "../notify/gate";
import type { SqlDb } from "../../platform/store/sql";
import { createMaintenanceGate } from "./gate";
import { createMaintenanceStore } from "./maintenance-store";
import { registerMaintenanceRoutes } from "./routes";
import { createMaintenanceService, type MaintenanceService } from "./service";
import { compileWindows, coveringOccurrences, endingLast, type Occurrence } from "./windows";

export { maintenanceMigrations } from "./migrations";
export { maintenanceBanner } from "./banner";
export type { MaintenanceService } from "./service";
export type { Occurrence } from "./windows";

export interface MaintenanceDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  router: Router;
  emit(e: SiteEvent): Promise<void>;
  host: string;
  keepMs: number;
}

export interface Maintenance {
  /** Its component sends summaries through the bus: add it to the lifecycle after the notifier. */
  service: MaintenanceService;
  gate: DeliveryGate;
  /**
   * The window occurrence that covers `e` at `now` and ends last, if any: what is due to page then waits for it
   * (an escalation), without being recorded for the window's summary as the gate would.
   */
  holding(e: DomainEvent, now: number): Occurrence | undefined;
}

export function setupMaintenance(cfg: MaintenanceConfig, deps: MaintenanceDeps): Maintenance {
  const windows = compileWindows(cfg.windows);
  const store = createMaintenanceStore(deps.db);
  const service = createMaintenanceService({
    store,
    windows,
    clock: deps.clock,
    log: deps.log.child({ module: "maintenance" }),
    emit: deps.emit,
    host: deps.host,
    keepMs: deps.keepMs,
  });
  registerMaintenanceRoutes(deps.router, service);
  return { service, gate: createMaintenanceGate(store, () => windows), holding: (e, now) => endingLast(coveringOccurrences(windows, e, now)) };
}
