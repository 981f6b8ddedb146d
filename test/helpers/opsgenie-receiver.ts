// A local Opsgenie (or Jira Service Management) that takes only what its Alert API takes. The format, written here in
// zod, is Atlassian's published one (docs.opsgenie.com, Alert API → Create Alert, Acknowledge Alert, Close Alert):
// every request carries `Authorization: GenieKey <the integration's key>`; POST /v2/alerts creates, with message (at
// most 130 characters) required and alias (at most 512) the key an open alert is deduplicated on; POST
// /v2/alerts/{alias}/acknowledge and …/close with ?identifierType=alias act on the open alert of that alias, with an
// optional user, source and note; POST /v2/alerts/{alias}/notes?identifierType=alias (Add Note) with the note
// required (at most 25000) adds it to the open alert's timeline. JSM's integration API takes the same under /jsm/ops/integration (JSM's operations
// REST API; the identifierType=alias form is confirmed in Atlassian's JSDCLOUD-14179). Both answer 202 {result, took,
// requestId}; 401 to a wrong key, 422 to a body they cannot process, 404 to another path.
import { z } from "zod";
import { type OnCallReceiver, problem, startOnCallReceiver } from "./on-call-receiver";

const Responder = z.strictObject({ type: z.enum(["team", "user", "escalation", "schedule"]), name: z.string().optional(), id: z.string().optional() });
export const OpsgenieCreateSchema = z.strictObject({
  message: z.string().min(1).max(130),
  alias: z.string().max(512).optional(),
  description: z.string().max(15000).optional(),
  responders: z.array(Responder).max(50).optional(),
  visibleTo: z.array(Responder).max(50).optional(),
  actions: z.array(z.string().max(50)).max(10).optional(),
  tags: z.array(z.string().max(50)).max(20).optional(),
  details: z
    .record(z.string(), z.string())
    .refine((d) => Object.entries(d).reduce((n, [k, v]) => n + k.length + v.length, 0) <= 8000, "details: at most 8000 characters in all")
    .optional(),
  entity: z.string().max(512).optional(),
  source: z.string().max(100).optional(),
  priority: z.enum(["P1", "P2", "P3", "P4", "P5"]).optional(),
  user: z.string().max(100).optional(),
  note: z.string().max(25000).optional(),
});
export const OpsgenieActionSchema = z.strictObject({
  user: z.string().max(100).optional(),
  source: z.string().max(100).optional(),
  note: z.string().max(25000).optional(),
});

export const OpsgenieNoteSchema = OpsgenieActionSchema.extend({ note: z.string().min(1).max(25000) });

export type OpsgenieRequest =
  | { op: "create"; key: string; body: z.infer<typeof OpsgenieCreateSchema> }
  | { op: "acknowledge" | "close" | "notes"; key: string; body: z.infer<typeof OpsgenieActionSchema> };

/** Opsgenie with the integration key `apiKey`; `prefix` "/jsm/ops/integration" for Jira Service Management's. */
export function startOpsgenieReceiver(apiKey: string, prefix = ""): OnCallReceiver<OpsgenieRequest> {
  const action = new RegExp(`^${prefix}/v2/alerts/([^/?]+)/(acknowledge|close|notes)\\?identifierType=alias$`);
  return startOnCallReceiver<OpsgenieRequest>({
    check(req, path, body) {
      if (req.headers.get("authorization") !== `GenieKey ${apiKey}`) return "Authorization is not GenieKey <the integration's key>";
      if (req.method !== "POST") return `${req.method} is not an alert API call`;
      if (!req.headers.get("content-type")?.includes("application/json")) return "Content-Type is not application/json";
      if (path === `${prefix}/v2/alerts`) {
        const r = OpsgenieCreateSchema.safeParse(body);
        return r.success ? { op: "create", key: r.data.alias ?? "", body: r.data } : problem(r.error);
      }
      const m = action.exec(path);
      if (!m) return `${path} is no alert API path`;
      const r = (m[2] === "notes" ? OpsgenieNoteSchema : OpsgenieActionSchema).safeParse(body);
      return r.success ? { op: m[2] as "acknowledge" | "close" | "notes", key: decodeURIComponent(m[1]!), body: r.data } : problem(r.error);
    },
    refusal: (why) => ({
      status: why.startsWith("Authorization") ? 401 : why.includes("no alert API path") ? 404 : 422,
      body: { message: why, took: 0.001, requestId: crypto.randomUUID() },
    }),
    answer: () => ({ result: "Request will be processed", took: 0.01, requestId: crypto.randomUUID() }),
    // A create without an alias is its own alert (Opsgenie gives it one).
    alertStep: (r) => ({
      action: r.op === "create" ? "trigger" : r.op === "close" ? "resolve" : r.op === "notes" ? "note" : "acknowledge",
      key: r.key || crypto.randomUUID(),
    }),
  });
}
