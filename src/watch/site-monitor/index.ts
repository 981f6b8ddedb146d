// Site monitors: license usage and expiry, license release, Qlik Sense version.
export { setupSiteMonitors, type SiteMonitors } from "./setup";
export { siteMonitorMigrations } from "./state";
