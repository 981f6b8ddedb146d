// Butler's POST /v4/newrelic/metric and /v4/newrelic/event: forward one metric (Metric API) or one custom
// event (Event API) to every account configured for it, with the configured static attributes and headers.
// Butler's answer on success: 202 text/plain with New Relic's status text. Unlike Butler it answers exactly
// once with several accounts, and 503 instead of hanging when no account is configured.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { STATUS_CODES } from "node:http";
import { z } from "zod";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { NewRelicConfig } from "./config";
import { AppError, describeError } from "../../platform/core/errors";
import { auditActorOf } from "../../platform/http/audit-actor";
import type { Router } from "../../platform/http/route";
import type { NewRelicApi, NewRelicClient } from "./client";

/** Load scripts send numbers as JSON strings; both forms are accepted. */
const NumberLike = z.lazy(() =>
  z.union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, "expected a number")
      .transform(Number),
  ]),
);

const AttributeSchema = z.lazy(() => z.object({ name: z.string().min(1).max(255), value: z.union([z.string().max(4096), z.number(), z.boolean()]) }));

const MetricBodySchema = z.lazy(() =>
  z.object({
    name: z.string().min(1).max(255).describe("Metric name, e.g. qlik.reload.rows."),
    type: z
      .string()
      .transform((t) => t.toLowerCase())
      .pipe(z.enum(["gauge", "count", "summary"]))
      .describe("gauge (Butler's only type); count and summary need interval."),
    value: NumberLike,
    timestamp: NumberLike.optional().describe("Milliseconds since 1970; now when absent or 0."),
    interval: NumberLike.optional().describe("Milliseconds; for count and summary."),
    attributes: z.array(AttributeSchema).max(100).optional(),
  }),
);

const EventBodySchema = z.lazy(() =>
  z.object({
    eventType: z.string().regex(/^[A-Za-z0-9_:]{1,255}$/, "New Relic event types use letters, digits, _ and : (at most 255)"),
    timestamp: NumberLike.optional(),
    attributes: z.array(AttributeSchema).max(254).optional(),
  }),
);

type Forward = NonNullable<NewRelicConfig["api"]["metric"]>;

function attributesOf(f: Forward | undefined, given: z.infer<typeof AttributeSchema>[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = { ...f?.attributes };
  for (const a of given ?? []) out[a.name] = a.value;
  return out;
}

export interface NewRelicRouteDeps {
  config: NewRelicConfig | undefined;
  client: NewRelicClient | undefined;
  audit: AuditLog;
  now: () => number;
}

export function registerNewRelicRoutes(router: Router, deps: NewRelicRouteDeps): void {
  /** Posts to every account of the forward; all must accept, else 502 naming the ones that did not. */
  async function forward(api: NewRelicApi, f: Forward | undefined, body: unknown, accepted: number[], what: string): Promise<string> {
    if (!deps.config || !deps.client || !f) throw new AppError("UNAVAILABLE", `forwarding ${what}s to New Relic is not configured (newRelic.api.${api})`);
    if (f.accounts.length === 0) throw new AppError("UNAVAILABLE", `forwarding ${what}s to New Relic names no account yet (newRelic.api.${api}.accounts)`);
    const client = deps.client;
    const results = await Promise.all(
      f.accounts.map(async (name) => {
        const account = client.account(name)!;
        try {
          const res = await client.post(api, account, body, { headers: f.headers });
          return { name, status: res.status, text: res.text.slice(0, 300) };
        } catch (err) {
          return { name, status: 0, text: describeError(err) };
        }
      }),
    );
    const failed = results.filter((r) => !accepted.includes(r.status));
    if (failed.length > 0) {
      const list = failed.map((r) => `${r.name}: ${r.status ? `HTTP ${r.status} ${r.text}` : r.text}`).join("; ");
      throw new AppError("CHANNEL_SEND", `New Relic did not accept the ${what} for ${failed.length} of ${results.length} accounts (${list})`, {
        details: results.map((r) => ({ account: r.name, status: r.status, accepted: accepted.includes(r.status) })),
      });
    }
    return STATUS_CODES[results[0]!.status] ?? "Accepted";
  }

  router.route(
    {
      method: "post",
      path: "/v4/newrelic/metric",
      summary: "Post a metric to New Relic",
      description: "Forwards one metric to the Metric API of every account in newRelic.api.metric.accounts. 202 text/plain when all accepted.",
      tags: ["newrelic"],
      scope: "mqtt",
      butlerFlag: "postNewRelicMetric",
      body: MetricBodySchema,
      responses: {
        202: { description: "New Relic's status text.", contentType: "text/plain" },
        502: { description: "An account refused the metric or was unreachable." },
        503: { description: "Not configured." },
      },
    },
    async (c, { body }) => {
      const f = deps.config?.api.metric;
      const common: Record<string, unknown> = {
        timestamp: body.timestamp && body.timestamp > 0 ? body.timestamp : deps.now(),
        attributes: attributesOf(f, body.attributes),
      };
      if (body.type !== "gauge" && body.interval !== undefined) common["interval.ms"] = body.interval;
      const payload = [{ common, metrics: [{ name: body.name, type: body.type, value: body.value }] }];
      const text = await audited(c, "newrelic.metric", body.name, () => forward("metric", f, payload, [202], "metric"));
      return c.text(text, 202);
    },
  );

  router.route(
    {
      method: "post",
      path: "/v4/newrelic/event",
      summary: "Post a custom event to New Relic",
      description: "Forwards one event to the Event API of every account in newRelic.api.event.accounts. 202 text/plain when all accepted.",
      tags: ["newrelic"],
      scope: "mqtt",
      butlerFlag: "postNewRelicEvent",
      body: EventBodySchema,
      responses: {
        202: { description: "New Relic's status text.", contentType: "text/plain" },
        502: { description: "An account refused the event or was unreachable." },
        503: { description: "Not configured." },
      },
    },
    async (c, { body }) => {
      const f = deps.config?.api.event;
      const event = {
        ...attributesOf(f, body.attributes),
        timestamp: body.timestamp && body.timestamp > 0 ? body.timestamp : deps.now(),
        eventType: body.eventType,
      };
      const text = await audited(c, "newrelic.event", body.eventType, () => forward("event", f, event, [200, 202], "event"));
      return c.text(text, 202);
    },
  );

  async function audited(c: Parameters<typeof auditActorOf>[0], action: string, target: string, run: () => Promise<string>): Promise<string> {
    const actor = auditActorOf(c);
    try {
      const text = await run();
      deps.audit.record({ actor, action, target, result: "ok" });
      return text;
    } catch (err) {
      deps.audit.record({ actor, action, target, result: "failed", details: { error: (err as Error).message } });
      throw err;
    }
  }
}
