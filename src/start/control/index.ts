// Public surface of control: the TaskStarter contract and the wiring of task starts, app reloads and dumps.
export * from "./types";
export { setupControl, type Control, type ControlSetupDeps } from "./setup";
export { controlMigrations, type ReloadJob, type ReloadRequest } from "./reload-jobs";
export { createStartFilter, type StartFilter } from "./start-filter";
