// Wires the scheduler into the app: the service (a lifecycle component that arms timers at start and
// subscribes to task events) and its routes.
import type { SchedulerConfig } from "../config/sections/scheduler";
import type { Lifecycle } from "../core/lifecycle";
import type { Router } from "../http/route";
import { registerScheduleRoutes } from "./routes";
import { createScheduler, type Scheduler, type SchedulerDeps } from "./scheduler";

export interface SchedulerSetupDeps extends SchedulerDeps {
  router: Router;
  lifecycle: Lifecycle;
}

/** Returns the scheduler when scheduler.enabled (the default), else undefined (then no /v4/schedules routes). */
export function setupScheduler(cfg: SchedulerConfig, deps: SchedulerSetupDeps): Scheduler | undefined {
  if (!cfg.enabled) return undefined;
  const scheduler = createScheduler(cfg, { ...deps, log: deps.log.child({ module: "scheduler" }) });
  registerScheduleRoutes(deps.router, scheduler);
  deps.lifecycle.add(scheduler);
  return scheduler;
}
