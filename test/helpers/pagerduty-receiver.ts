// A local PagerDuty that takes only what its Events API v2 takes. The format, written here in zod, is PagerDuty's
// published one (developer.pagerduty.com, Events API v2 → "Send an Alert Event"; github.com/PagerDuty/developer-docs,
// docs/events-API-v2/02-Trigger-Events.md): POST /v2/enqueue with Content-Type application/json; routing_key, the
// 32-character integration key; event_action trigger, acknowledge or resolve; dedup_key at most 255 characters,
// required to acknowledge or resolve; a trigger's payload with summary (at most 1024), source and severity
// (critical, error, warning, info) required. PagerDuty answers 202 {status, message, dedup_key}, and 400
// {status: "invalid event", message, errors} to anything else.
import { z } from "zod";
import { type OnCallReceiver, problem, startOnCallReceiver } from "./on-call-receiver";

export const PagerDutyEventSchema = z.discriminatedUnion("event_action", [
  z.strictObject({
    routing_key: z.string().length(32),
    event_action: z.literal("trigger"),
    dedup_key: z.string().min(1).max(255).optional(),
    client: z.string().optional(),
    client_url: z.string().url().optional(),
    payload: z.strictObject({
      summary: z.string().min(1).max(1024),
      source: z.string().min(1),
      severity: z.enum(["critical", "error", "warning", "info"]),
      timestamp: z.iso.datetime({ offset: true }).optional(),
      component: z.string().optional(),
      group: z.string().optional(),
      class: z.string().optional(),
      custom_details: z.record(z.string(), z.unknown()).optional(),
    }),
    links: z.array(z.strictObject({ href: z.string().url(), text: z.string().optional() })).optional(),
    images: z.array(z.strictObject({ src: z.string(), href: z.string().optional(), alt: z.string().optional() })).optional(),
  }),
  z.strictObject({
    routing_key: z.string().length(32),
    event_action: z.enum(["acknowledge", "resolve"]),
    dedup_key: z.string().min(1).max(255),
  }),
]);
export type PagerDutyEvent = z.infer<typeof PagerDutyEventSchema>;

export function startPagerDutyReceiver(): OnCallReceiver<PagerDutyEvent> {
  return startOnCallReceiver<PagerDutyEvent>({
    check(req, path, body) {
      if (req.method !== "POST" || path !== "/v2/enqueue") return `${req.method} ${path} is not the Events API`;
      if (!req.headers.get("content-type")?.includes("application/json")) return "Content-Type is not application/json";
      const r = PagerDutyEventSchema.safeParse(body);
      return r.success ? r.data : problem(r.error);
    },
    refusal: (why) => ({ status: 400, body: { status: "invalid event", message: "Event object is invalid", errors: [why] } }),
    answer: (e) => ({ status: "success", message: "Event processed", dedup_key: e.dedup_key }),
    // A trigger without a dedup key gets one of its own from PagerDuty.
    alertStep: (e) => ({ action: e.event_action, key: e.dedup_key ?? crypto.randomUUID() }),
  });
}
