// Public surface of the heartbeat and uptime monitor.
export { createHeartbeat, type Heartbeat } from "./heartbeat";
export { createUptimeMonitor, type UptimeMonitor } from "./uptime";
export { memoryPoint } from "./influx-memory";
export { setupHeartbeat } from "./setup";
