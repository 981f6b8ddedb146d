// Qlik Cloud tenants watched outbound only (docs/qlik-cloud.md).
export { setupCloud } from "./setup";
export type { TenantWatcher, TenantState } from "./tenant-watcher";
export { cloudMigrations } from "./cloud-store";
export { cloudAutomationMigrations } from "./automation-store";
