// Local stand-ins for PagerDuty's Events API v2 and Opsgenie's (and JSM's) alert API. Each request is checked against
// the vendor's published request schema, written here in zod from their documentation; a request that breaks it is
// answered 400 as the vendor does and kept in `rejected`, so a test fails on it. Accepted ones are kept in order, and
// folded into the alerts the product would hold (on-call-vendor-alerts.ts).
import { z } from "zod";
import { type VendorAction, type VendorAlert, vendorAlerts } from "./on-call-vendor-alerts";

/** PagerDuty Events API v2, POST /v2/enqueue (developer.pagerduty.com, Events API v2 → Send Alert Event). */
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

/** Opsgenie Alert API v2 (docs.opsgenie.com, Alert API → Create / Acknowledge / Close Alert); JSM's ops integration API takes the same. */
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

export interface Received<T> {
  at: number;
  path: string;
  body: T;
}

export interface OnCallReceiver<T> {
  url: string;
  accepted: Array<Received<T>>;
  rejected: string[];
  /** The alerts the product holds after the accepted requests: a repeated trigger of an open key is no new one. */
  alerts: VendorAlert[];
  /** Acknowledges and resolves the product took for a key with no open alert (it drops them). */
  droppedActions: Array<{ action: VendorAction; key: string }>;
  /** Answers every request with this status (a vendor's outage) and keeps none; undefined: back to normal. */
  refuse(status: number | undefined): void;
  /** Requests answered by refuse(). */
  refused: number;
  /** Holds every answer until release() (a request in flight when a Steward dies). */
  hold(): void;
  release(): void;
  stop(): Promise<void>;
}

function receiver<T>(
  check: (req: Request, path: string, body: unknown) => T | string,
  answer: (body: T) => unknown,
  alertStep: (body: T) => { action: VendorAction; key: string },
): OnCallReceiver<T> {
  const accepted: Array<Received<T>> = [];
  const alerts = vendorAlerts();
  const rejected: string[] = [];
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  let refusing: number | undefined;
  let refused = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const u = new URL(req.url);
      const path = `${u.pathname}${u.search}`;
      if (refusing !== undefined) {
        refused++;
        return Response.json({ status: "throttled", message: "try again later" }, { status: refusing });
      }
      let body: unknown;
      try {
        body = await req.json();
      } catch {
        rejected.push(`${path}: body is not JSON`);
        return Response.json({ status: "invalid event", message: "Event object is invalid" }, { status: 400 });
      }
      const r = check(req, path, body);
      if (typeof r === "string") {
        rejected.push(`${path}: ${r}`);
        return Response.json({ status: "invalid event", message: r }, { status: 400 });
      }
      accepted.push({ at: Date.now(), path, body: r });
      // Taken when accepted: an answer held back (a slow vendor) is of an event the product already has.
      const step = alertStep(r);
      alerts.take(step.action, step.key);
      if (gate) await gate.promise;
      return Response.json(answer(r), { status: 202 });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    accepted,
    rejected,
    alerts: alerts.all,
    droppedActions: alerts.dropped,
    refuse: (status) => void (refusing = status),
    get refused() {
      return refused;
    },
    hold() {
      let open!: () => void;
      const promise = new Promise<void>((r) => (open = r));
      gate = { promise, open };
    },
    release() {
      gate?.open();
      gate = undefined;
    },
    stop: () => server.stop(true),
  };
}

const problem = (e: z.ZodError) => e.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");

export function startPagerDutyReceiver(): OnCallReceiver<PagerDutyEvent> {
  return receiver<PagerDutyEvent>(
    (req, path, body) => {
      if (req.method !== "POST" || path !== "/v2/enqueue") return `${req.method} ${path} is not the Events API`;
      if (!req.headers.get("content-type")?.includes("application/json")) return "Content-Type is not application/json";
      const r = PagerDutyEventSchema.safeParse(body);
      return r.success ? r.data : problem(r.error);
    },
    (e) => ({ status: "success", message: "Event processed", dedup_key: e.dedup_key }),
    // A trigger without a dedup key gets one of its own from PagerDuty.
    (e) => ({ action: e.event_action, key: e.dedup_key ?? crypto.randomUUID() }),
  );
}

export type OpsgenieRequest =
  | { op: "create"; key: string; body: z.infer<typeof OpsgenieCreateSchema> }
  | { op: "acknowledge" | "close"; key: string; body: z.infer<typeof OpsgenieActionSchema> };

export function startOpsgenieReceiver(apiKey: string, prefix = ""): OnCallReceiver<OpsgenieRequest> {
  return receiver<OpsgenieRequest>(
    (req, path, body) => {
      if (req.headers.get("authorization") !== `GenieKey ${apiKey}`) return "Authorization is not GenieKey <the integration's key>";
      if (req.method !== "POST") return `${req.method} is not an alert API call`;
      if (path === `${prefix}/v2/alerts`) {
        const r = OpsgenieCreateSchema.safeParse(body);
        return r.success ? { op: "create", key: r.data.alias ?? "", body: r.data } : problem(r.error);
      }
      const m = new RegExp(`^${prefix}/v2/alerts/([^/?]+)/(acknowledge|close)\\?identifierType=alias$`).exec(path);
      if (!m) return `${path} is no alert API path`;
      const r = OpsgenieActionSchema.safeParse(body);
      return r.success ? { op: m[2] as "acknowledge" | "close", key: decodeURIComponent(m[1]!), body: r.data } : problem(r.error);
    },
    () => ({ result: "Request will be processed", took: 0.01, requestId: crypto.randomUUID() }),
    // A create without an alias is its own alert (Opsgenie gives it one).
    (r) => ({ action: r.op === "create" ? "trigger" : r.op === "close" ? "resolve" : "acknowledge", key: r.key || crypto.randomUUID() }),
  );
}
