// What the business sees: the read-only status of apps and streams, JSON and SVG badges (docs/status.md).
export { registerStatusRoutes } from "./routes";
export type { AppStatus, StatusState } from "./app-status";
export {
  setupStatusSubscriptions,
  statusSubscriptionMigrations,
  SUBSCRIPTION_LINK_PATHS,
  StatusSchema,
  checkStatusReferences,
  type StatusSubscriptions,
} from "./subscriptions";
