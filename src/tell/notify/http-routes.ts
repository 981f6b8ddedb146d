// REST surface of the notification pipeline: the delivery list and manual retry, alert previews (which
// routes match, who gets what, rendered), and test alerts sent through the routes or one channel.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { fitAnswer, LIST_ANSWER_NOTE } from "../../platform/http/answer-budget";
import { z } from "zod";
import type { Router } from "../../platform/http/route";
import { errorBody } from "../../platform/http/errors";
import type { Clock } from "../../platform/core/clock";
import { AlertEventInputSchema, eventFromInput, type TaskEventLookup } from "./event-schema";
import { DELIVERY_STATUSES, type DeliveryRow, type DeliveryStatus } from "./outbox-store";
import type { Notifier } from "./service";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function deliveryView(d: DeliveryRow) {
  return {
    id: d.id,
    key: d.key,
    status: d.status,
    reason: d.reason,
    route: d.route,
    channel: d.channel,
    recipient: d.recipient || null,
    target: d.target,
    kind: d.kind,
    eventId: d.eventId || null,
    eventTitle: d.eventTitle ?? null,
    eventIds: d.eventIds,
    groupId: d.groupId,
    attempts: d.attempts,
    lastError: d.lastError,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
    nextAttemptAt: d.status === "pending" || d.status === "grouping" ? iso(d.nextAttemptAt) : null,
    expiresAt: iso(d.expiresAt),
    deliveredAt: iso(d.deliveredAt),
  };
}

const DeliveryViewSchema = z.lazy(() =>
  z.object({
    id: z.number(),
    key: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    reason: z.string().nullable(),
    route: z.string(),
    channel: z.string(),
    recipient: z.string().nullable(),
    target: z.string().nullable(),
    kind: z.string(),
    eventId: z.string().nullable(),
    eventTitle: z.string().nullable().describe("What the event is about (a task's name); null when not known."),
    eventIds: z.array(z.string()),
    groupId: z.number().nullable(),
    attempts: z.number(),
    lastError: z.string().nullable(),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    expiresAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
  }),
);

const statusList = z.lazy(() =>
  z
    .string()
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(DELIVERY_STATUSES))),
);

export function registerNotifyRoutes(router: Router, notifier: Notifier, deps: { clock: Clock; lookupTaskEvent?: TaskEventLookup }): void {
  router.route(
    {
      method: "get",
      path: "/v4/deliveries",
      summary: "List alert deliveries (newest first)",
      description:
        "Every delivery of an event to a channel and recipient, with its status: pending, sending, delivered, dead (dead-lettered), suppressed (rate limit, test mode), grouping/grouped (digest). " +
        LIST_ANSWER_NOTE,
      tags: ["Alerts"],
      scope: "read",
      query: z.strictObject({
        status: statusList.optional().describe("Comma-separated statuses, e.g. dead or pending,sending."),
        channel: z.string().min(1).optional(),
        eventId: z.string().min(1).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        before: z.coerce.number().int().min(1).optional().describe("Only deliveries with a smaller id (paging)."),
      }),
      responses: {
        200: {
          description: "Deliveries, within about 1 MiB",
          schema: () =>
            z.object({
              deliveries: z.array(DeliveryViewSchema),
              truncated: z.boolean().describe("Deliveries were left out to keep the answer within about 1 MiB: ask again with before=nextBefore"),
              nextBefore: z.number().nullable().describe("Pass as `before` for the next page; null: this is the last"),
            }),
        },
      },
    },
    async (c, { query }) => {
      const rows = await notifier.list({
        status: query.status as DeliveryStatus[] | undefined,
        channel: query.channel,
        eventId: query.eventId,
        limit: query.limit,
        beforeId: query.before,
      });
      const page = fitAnswer(rows.map(deliveryView));
      const last = page.items[page.items.length - 1];
      const more = page.truncated || rows.length === query.limit;
      return c.json({ deliveries: page.items, truncated: page.truncated, nextBefore: more && last ? last.id : null });
    },
  );

  router.route(
    {
      method: "get",
      path: "/v4/deliveries/:id",
      summary: "One alert delivery",
      tags: ["Alerts"],
      scope: "read",
      params: z.object({ id: z.coerce.number().int().min(1) }),
      responses: { 200: { description: "The delivery", schema: DeliveryViewSchema }, 404: { description: "No such delivery" } },
    },
    async (c, { params }) => {
      const row = await notifier.get(params.id);
      if (!row) return c.json(errorBody(404, "NOT_FOUND", `no delivery ${params.id}`), 404);
      return c.json(deliveryView(row));
    },
  );

  router.route(
    {
      method: "post",
      path: "/v4/deliveries/:id/retry",
      summary: "Send a dead-lettered or suppressed delivery again",
      tags: ["Alerts"],
      scope: "admin",
      params: z.object({ id: z.coerce.number().int().min(1) }),
      responses: {
        202: { description: "Queued again", schema: DeliveryViewSchema },
        404: { description: "No such delivery" },
        409: { description: "Not dead or suppressed" },
      },
    },
    async (c, { params }) => c.json(deliveryView(await notifier.retry(params.id)), 202),
  );

  router.route(
    {
      method: "post",
      path: "/v4/alerts/preview",
      summary: "Show which routes match an event, who would receive what, and the rendered messages",
      description:
        "Give a full event, a task id and outcome (looked up in QRS when available), or just a kind for a synthetic event. Nothing is sent or stored.",
      tags: ["Alerts"],
      scope: "admin",
      body: AlertEventInputSchema.prefault({}),
      responses: { 200: { description: "The preview" } },
    },
    async (c, { body }) => {
      const { event, note } = await eventFromInput(body, deps.clock.now(), deps.lookupTaskEvent);
      return c.json({ ...(await notifier.preview(event)), note });
    },
  );

  router.route(
    {
      method: "post",
      path: "/v4/alerts/test",
      summary: "Send a test alert",
      description:
        'Builds a test event (source "test", task name starting with "Steward test" unless given) and sends it through the routes ' +
        "like a real one, or with ?channel=NAME straight to one channel's own recipients. Deliveries go through the outbox.",
      tags: ["Alerts"],
      scope: "admin",
      query: z.strictObject({ channel: z.string().min(1).optional() }),
      body: AlertEventInputSchema.prefault({}),
      responses: { 202: { description: "Queued deliveries" } },
    },
    async (c, { query, body }) => {
      const { event, note } = await eventFromInput(body, deps.clock.now(), deps.lookupTaskEvent);
      if (query.channel) {
        const rows = await notifier.sendToChannel(query.channel, event);
        return c.json({ eventId: event.id, deliveries: rows.map(deliveryView), note }, 202);
      }
      const result = await notifier.dispatch(event);
      const rows = await notifier.list({ eventId: event.id, limit: 1000 });
      return c.json({ eventId: event.id, ...result, deliveries: rows.map(deliveryView), note }, 202);
    },
  );
}
