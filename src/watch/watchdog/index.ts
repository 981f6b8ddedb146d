// The watchdog: alerts on what did not happen as the tasks' own QRS triggers planned (docs/watchdog.md).
export { setupWatchdog } from "./setup";
export type { Watchdog, WatchdogStatus } from "./service";
export { watchdogMigrations } from "./watch-store";
export { watchdogEvent } from "./watchdog-event";
