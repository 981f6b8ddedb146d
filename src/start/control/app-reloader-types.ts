// What the app reloader is given: the Engine, the task starter, the job store and the data checks.
import type { Logger } from "pino";
import type { z } from "zod";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { ReloadInput } from "../../watch/checks/reload-input";
import type { reloadSchema } from "./config";
import type { Clock } from "../../platform/core/clock";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { EngineClient } from "../../platform/qlik/engine-client";
import type { ReloadJobStore } from "./reload-jobs";
import type { TaskStarter } from "./types";

/** What the reloader needs of the data checks: they run after every successful reload; chained starts wait. */
export interface ReloadDataChecks {
  afterReload(input: ReloadInput): Promise<unknown>;
  holdBack(input: ReloadInput): Promise<string | undefined>;
}

export interface AppReloaderDeps {
  engine: EngineClient;
  starter: TaskStarter;
  jobs: ReloadJobStore;
  /** The Steward instances alive in the cluster (their running jobs are theirs); unset: only this one. */
  liveInstances?: () => Promise<readonly string[]>;
  audit: AuditLog;
  log: Logger;
  metrics: MetricsRegistry;
  clock: Clock;
  cfg: z.infer<ReturnType<typeof reloadSchema>>;
  dataChecks?: ReloadDataChecks;
}
