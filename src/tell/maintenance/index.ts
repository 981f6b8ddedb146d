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
import { createCauseHoldGate } from "./cause-hold-gate";
import { createCauseHoldStore, type WindowHoldView } from "./cause-hold-store";
import { type CauseReleaseDeps, releaseCauseHolds } from "./cause-release";
import { createMaintenanceStore } from "./maintenance-store";
import { registerMaintenanceRoutes } from "./routes";
import { createMaintenanceService, type MaintenanceService } from "./service";
import { compileWindows, coveringOccurrences, endingLast, type Occurrence } from "./windows";

export { maintenanceMigrations } from "./migrations";
export { maintenanceBanner } from "./banner";
export type { MaintenanceService } from "./service";
export type { Occurrence } from "./windows";
export type { WindowHoldView } from "./cause-hold-store";
export { causeHeldReason } from "./cause-hold-gate";

export interface MaintenanceDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  router: Router;
  emit(e: SiteEvent): Promise<void>;
  host: string;
  keepMs: number;
  /** What the end of a window needs to page the causes it held (wired by the alert gates; the grouping comes after). */
  causes?: Omit<CauseReleaseDeps, "store" | "log" | "holding">;
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
  /** After the grouping's gate: an event a window holds holds its open cause's page too, sent at the window's end. */
  causeGate: DeliveryGate;
  /** The window holding each of these causes' pages now, for GET /v4/causes and the dashboard. */
  heldCauses(ids: readonly number[]): Promise<Map<number, WindowHoldView>>;
  /** Which of these events a window active at `now` recorded, with its name (a cause's page names only what ran outside it). */
  insideWindows(eventIds: readonly string[], now: number): Promise<Map<string, string>>;
}

export function setupMaintenance(cfg: MaintenanceConfig, deps: MaintenanceDeps): Maintenance {
  const windows = compileWindows(cfg.windows);
  const store = createMaintenanceStore(deps.db);
  const causeHolds = createCauseHoldStore(deps.db);
  const holding = (e: DomainEvent, now: number) => endingLast(coveringOccurrences(windows, e, now));
  const log = deps.log.child({ module: "maintenance" });
  const causes = deps.causes;
  const service = createMaintenanceService({
    store,
    windows,
    clock: deps.clock,
    log,
    emit: deps.emit,
    host: deps.host,
    keepMs: deps.keepMs,
    ...(causes
      ? { causes: { release: (now: number) => releaseCauseHolds({ ...causes, store: causeHolds, log, holding }, now), purge: causeHolds.purge } }
      : {}),
  });
  registerMaintenanceRoutes(deps.router, service);
  return {
    service,
    gate: createMaintenanceGate(store, () => windows),
    holding,
    causeGate: createCauseHoldGate(causeHolds, holding),
    heldCauses: causeHolds.heldCauses,
    insideWindows: (ids, now) => (windows.length === 0 ? Promise.resolve(new Map<string, string>()) : store.insideActive(ids, now)),
  };
}
