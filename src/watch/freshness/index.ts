// Freshness promises: apps fresh by a time of day, judged from their reloads and upstream check-ins (docs/freshness.md).
export { setupFreshness, type Freshness } from "./setup";
export { freshnessMigrations } from "./freshness-store";
export { registerFreshnessRoute } from "./http-route";
