// REST surface of silences (scope admin): list, create, read one with the alerts it held, end one early, and the
// alerts silences held across all of them. The dashboard's /ui/silences and `steward silence` use these routes.
import { fitAnswer, LIST_ANSWER_NOTE } from "../../platform/http/answer-budget";
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import { auditActorOf } from "../../platform/http/audit-actor";
import { errorBody } from "../../platform/http/errors";
import type { Router } from "../../platform/http/route";
import { describeMatcher, SilenceMatcherSchema } from "./matcher";
import { SilenceInputSchema, type SilenceService, type SilenceWithCounts } from "./service";
import { HOLD_STATES, type HoldRow, type SilenceRow, silenceState } from "./silence-store";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function silenceView(s: SilenceRow & Partial<Pick<SilenceWithCounts, "held">>, now: number) {
  return {
    id: s.id,
    state: silenceState(s, now),
    matcher: s.matcher,
    matches: describeMatcher(s.matcher),
    author: s.author,
    reason: s.reason,
    startsAt: iso(s.startsAt)!,
    endsAt: iso(s.endsAt)!,
    createdAt: iso(s.createdAt)!,
    createdBy: s.createdBy,
    endedAt: iso(s.endedAt),
    endedBy: s.endedBy,
    held: s.held ?? {},
  };
}

export function holdView(h: HoldRow) {
  return {
    silenceId: h.silenceId,
    eventId: h.eventId,
    kind: h.kind,
    title: h.title,
    route: h.route,
    channel: h.channel,
    recipient: h.recipient,
    state: h.state,
    heldAt: iso(h.heldAt)!,
    settledAt: iso(h.settledAt),
  };
}

export type SilenceView = ReturnType<typeof silenceView>;
export type HoldView = ReturnType<typeof holdView>;

const Counts = z.record(z.string(), z.number());
const SilenceViewSchema = z.lazy(() =>
  z.object({
    id: z.number(),
    state: z.enum(["active", "pending", "ended"]),
    matcher: SilenceMatcherSchema,
    matches: z.string(),
    author: z.string(),
    reason: z.string(),
    startsAt: z.string(),
    endsAt: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    endedAt: z.string().nullable(),
    endedBy: z.string().nullable(),
    held: Counts.describe("Alerts it held, by state: held (waiting), sent, closed (the condition ended), superseded, passed (a one-off)."),
  }),
);
const HoldViewSchema = z.lazy(() =>
  z.object({
    silenceId: z.number(),
    eventId: z.string(),
    kind: z.string(),
    title: z.string(),
    route: z.string(),
    channel: z.string(),
    recipient: z.string(),
    state: z.enum(HOLD_STATES),
    heldAt: z.string(),
    settledAt: z.string().nullable(),
  }),
);
const IdParams = z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });

export function registerSilenceRoutes(router: Router, silences: SilenceService, clock: Clock): void {
  router.route(
    {
      method: "get",
      path: "/v4/silences",
      summary: "List silences (newest first)",
      tags: ["Alerts"],
      scope: "read",
      query: z.strictObject({
        state: z.enum(["active", "pending", "ended"]).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      responses: {
        200: {
          description: `Silences. ${LIST_ANSWER_NOTE}`,
          schema: () =>
            z.object({ silences: z.array(SilenceViewSchema), truncated: z.boolean().describe("Rows were left out past about 1 MiB: ask for fewer") }),
        },
      },
    },
    async (c, { query }) => {
      const rows = await silences.list(query);
      const now = clock.now();
      const page = fitAnswer(rows.map((s) => silenceView(s, now)));
      return c.json({ silences: page.items, truncated: page.truncated });
    },
  );

  router.route(
    {
      method: "post",
      path: "/v4/silences",
      summary: "Create a silence",
      description:
        "Holds back the alerts of the events its matcher covers until it ends, on every route. Each held alert is recorded as a suppressed delivery naming the silence; when the silence ends (expiry or DELETE) while the alert's condition still lasts (the task still failing, the watchdog condition still open, the service still stopped), it is sent then.",
      tags: ["Alerts"],
      scope: "admin",
      body: SilenceInputSchema,
      responses: { 201: { description: "The silence", schema: SilenceViewSchema }, 400: { description: "Invalid matcher, reason or times" } },
    },
    async (c, { body }) => {
      const actor = auditActorOf(c);
      const s = await silences.create(body, actor.name);
      c.get("auditNote")?.({
        actor,
        action: "silence.create",
        target: String(s.id),
        result: "ok",
        details: { matches: describeMatcher(s.matcher), author: s.author, reason: s.reason, endsAt: iso(s.endsAt) },
      });
      return c.json(silenceView(s, clock.now()), 201);
    },
  );

  router.route(
    {
      method: "get",
      path: "/v4/silences/suppressed",
      summary: "Alerts held by silences (newest first)",
      tags: ["Alerts"],
      scope: "read",
      query: z.strictObject({ state: z.enum(HOLD_STATES).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      responses: {
        200: {
          description: `Held alerts. ${LIST_ANSWER_NOTE}`,
          schema: () =>
            z.object({ suppressed: z.array(HoldViewSchema), truncated: z.boolean().describe("Rows were left out past about 1 MiB: ask for fewer") }),
        },
      },
    },
    async (c, { query }) => {
      const page = fitAnswer((await silences.suppressed(query)).map(holdView));
      return c.json({ suppressed: page.items, truncated: page.truncated });
    },
  );

  router.route(
    {
      method: "get",
      path: "/v4/silences/:id",
      summary: "One silence and the alerts it held",
      tags: ["Alerts"],
      scope: "read",
      params: IdParams,
      responses: {
        200: { description: "The silence", schema: () => SilenceViewSchema.unwrap().extend({ suppressed: z.array(HoldViewSchema) }) },
        404: { description: "No such silence" },
      },
    },
    async (c, { params }) => {
      const s = await silences.get(params.id);
      if (!s) return c.json(errorBody(404, "NOT_FOUND", `no silence ${params.id}`, { field: "id" }), 404);
      return c.json({ ...silenceView(s, clock.now()), suppressed: s.holds.map(holdView) });
    },
  );

  router.route(
    {
      method: "delete",
      path: "/v4/silences/:id",
      summary: "End a silence now",
      description: "Its held alerts whose condition still lasts are sent at once; the others stay recorded.",
      tags: ["Alerts"],
      scope: "admin",
      params: IdParams,
      responses: {
        200: { description: "The silence, ended", schema: SilenceViewSchema },
        404: { description: "No such silence" },
        409: { description: "It had ended already" },
      },
    },
    async (c, { params }) => {
      const actor = auditActorOf(c);
      const s = await silences.end(params.id, actor.name);
      if (s === undefined) return c.json(errorBody(404, "NOT_FOUND", `no silence ${params.id}`, { field: "id" }), 404);
      if (s === false) return c.json(errorBody(409, "CONFLICT", `silence ${params.id} has ended already`, { field: "id" }), 409);
      c.get("auditNote")?.({ actor, action: "silence.end", target: String(s.id), result: "ok", details: { matches: describeMatcher(s.matcher) } });
      return c.json(silenceView(s, clock.now()));
    },
  );
}
