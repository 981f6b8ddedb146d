// Public surface of the Qlik Cloud module: tenants watched outbound only, their reloads announced as task events.
export { setupCloud, type CloudWatch, type CloudSetupDeps } from "./setup";
export { cloudMigrations, createCloudStore, type CloudStore } from "./cloud-store";
export { cloudTaskEvent, cloudTaskId } from "./task-event";
export { readReloadPage, FINAL_STATUSES, IN_PROGRESS_STATUSES } from "./reloads";
export { createTenantPoller, type TenantPoller } from "./poller";
