// Public surface of services: monitoring of Windows services and systemd units, and (service-install) running
// Steward itself as a service.
export { createServiceMonitor, targetsOf, type ServiceMonitor, type ServiceSnapshot } from "./monitor";
export { setupServiceMonitor } from "./setup";
export { spawnCommand, type CommandResult, type CommandRunner } from "./command-runner";
export { parseScQc, parseScQuery, WIN_STATES, type WinState, type StartType } from "./sc-parse";
export { parseSystemctlShow } from "./systemd-parse";
