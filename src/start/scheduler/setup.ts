// Wires the scheduler into the app: the service (a lifecycle component that arms timers at start and
// subscribes to task events) and its routes.
import { resolve } from "node:path";
import type { SchedulerConfig } from "./config";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { Router } from "../../platform/http/route";
import { createScheduleFileImport } from "./import-on-start";
import { registerScheduleRoutes } from "./routes";
import { createScheduler, type Scheduler, type SchedulerDeps } from "./scheduler";

export interface SchedulerSetupDeps extends SchedulerDeps {
  router: Router;
  lifecycle: Lifecycle;
  /** The config's folder: scheduler.importFile is relative to it. */
  baseDir?: string;
}

/** Returns the scheduler when scheduler.enabled (the default), else undefined (then no /v4/schedules routes). */
export function setupScheduler(cfg: SchedulerConfig, deps: SchedulerSetupDeps): Scheduler | undefined {
  if (!cfg.enabled) return undefined;
  const scheduler = createScheduler(cfg, { ...deps, log: deps.log.child({ module: "scheduler" }) });
  registerScheduleRoutes(deps.router, scheduler);
  deps.lifecycle.add(scheduler);
  if (cfg.importFile) {
    const file = resolve(deps.baseDir ?? process.cwd(), cfg.importFile);
    deps.lifecycle.add(createScheduleFileImport(file, { scheduler, db: deps.db, clock: deps.clock, log: deps.log.child({ module: "scheduler" }) }));
  }
  return scheduler;
}
