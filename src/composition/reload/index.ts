// Public surface of config reload: the reloader, the reload route and the notify hand-over.
export {
  changedSections,
  createConfigReloader,
  type Reconfigurable,
  type ReloadPlan,
  type ReloadReport,
} from "../../platform/config/reload/reloader";
export { registerReloadRoutes } from "./routes";
export { notifyReconfigurable } from "./notify-swap";
export { createReusableMetrics } from "../../platform/config/reload/reusable-metrics";
export { setupReload, type ReloadSetupDeps, type StewardReloader } from "./setup";
