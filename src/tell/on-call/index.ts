// On-call products both ways: the webhooks that bring an acknowledgement or resolve made in PagerDuty, Opsgenie or
// Jira Service Management into Steward, and (in src/tell/notify/on-call) the alerts Steward keeps there.
export { actFromProduct, type ProductAct, type ProductActResult } from "./act";
export {
  OPSGENIE_TOKEN_HEADER,
  OPSGENIE_WEBHOOK_PATH,
  PAGERDUTY_WEBHOOK_PATH,
  registerOnCallRoutes,
  applySpooledDelivery,
  type OnCallRouteDeps,
} from "./routes";
export { pagerDutySigner, signPagerDuty, tokenOwner } from "./signature";
export { onCallWebhookMigrations } from "./migrations";
export { createReplayGuard } from "./replay-guard";
export { createWebhookSpool, type WebhookSpool } from "./webhook-spool";
