// Public surface of the notification pipeline: the service, its migrations, REST routes and config check.
export { createNotifier, type Notifier, type NotifierDeps, type NotifyHooks, type PageFollower } from "./service";
export type { PageReceiver } from "./page-follow";
export { previewEvent, planContextFor, type Preview } from "./preview";
export { notifyMigrations } from "./migrations";
export { registerNotifyRoutes } from "./http-routes";
export { checkNotifyConfig } from "./check";
export type { TaskEventLookup } from "./event-schema";
export type { Channel, ChannelDefinition, ChannelDeps, Notification } from "./types";
export { setupNotify, type NotifySetupDeps } from "./setup";
export { composeGates, wouldSend, type DeliveryGate } from "./gate";
export { createAlertResender, type OpenCheck } from "./channels/alertmanager/resender";
export { createAlertConverger, truthKey, type AlertConverger, type AlertRef, type AlertTruth, type AlertTruths } from "./on-call/converge";
