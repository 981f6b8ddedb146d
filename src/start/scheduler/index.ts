// Public surface of the scheduler.
export { createScheduler, systemTimezone, type Scheduler, type SchedulerDeps, type ImportReport, type BulkSelector } from "./scheduler";
export { schedulerMigrations } from "./migrations";
export { setupScheduler, type SchedulerSetupDeps } from "./setup";
export { parseButlerScheduleFile } from "./butler-import";
export type { Schedule, ScheduleInput, ScheduleUpdate, LastRun, MissedReport } from "./schedule-model";
