// The rota's personal calendar feeds (issue 106, "my shifts"): POST /v4/oncall/feeds makes one for a person of the
// rota and answers its URL once; GET /v4/oncall/feeds lists the live ones; DELETE /v4/oncall/feeds/{id} revokes one;
// GET /v4/oncall/feeds/<token>.ics is the calendar itself, public because calendar programs send no credentials:
// the token is the credential, and an unknown or revoked one answers the same 404 (and a client presenting many wrong
// ones waits: feed-guard.ts).
import type { Context } from "hono";
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import { auditActorOf } from "../../platform/http/audit-actor";
import { errorBody } from "../../platform/http/errors";
import { principalOf, requestLog } from "../../platform/http/request-state";
import type { Router } from "../../platform/http/route";
import type { HttpEnv } from "../../platform/http/types";
import type { SqlDb } from "../../platform/store/sql";
import { EmailAddressSchema } from "../notify/channels/email/schema";
import { personCalendar } from "./calendar-feed";
import type { OnCallConfig } from "./config";
import type { OnCallFeed, OnCallFeedStore } from "./feed-store";
import { rotaPeople, signedInAddress } from "./rota-people";
import { createFeedGuard, FEED_MISSES_PER_CLIENT } from "./feed-guard";

/** Live feeds a person may hold at once: one per device and a spare, without letting a script hand out hundreds. */
export const FEEDS_PER_PERSON = 5;
const FEEDS_PATH = "/v4/oncall/feeds";
/**
 * On every answer of the calendar URL, whatever it says: a calendar is one person's, so no shared cache keeps it (nor
 * a 404, which caches may keep by default); a link followed from a calendar program must not carry its URL onwards.
 */
const FEED_HEADERS = { "cache-control": "private, no-store", "referrer-policy": "no-referrer", "x-content-type-options": "nosniff" } as const;

export interface OnCallFeedRouteDeps {
  oncall: () => OnCallConfig | undefined;
  feeds: OnCallFeedStore;
  /** The shared store: the wrong tokens a client presented are counted there (feed-guard.ts). */
  db: SqlDb;
  clock: Clock;
  /** Where people reach Steward (http.publicUrl); without it, the address the request came to. */
  baseUrl?: string;
}

const feedView = (f: OnCallFeed) => ({
  id: f.id,
  person: f.person,
  createdAt: new Date(f.createdAt).toISOString(),
  createdBy: f.createdBy,
});
const FeedViewSchema = z.object({ id: z.number(), person: z.string(), createdAt: z.string(), createdBy: z.string() });

/** Admin, or the person themself signed in with the company directory. */
function mayActFor(c: Context<HttpEnv>, person: string): boolean {
  const p = principalOf(c);
  if (p.scopes === "all" || p.scopes.includes("admin")) return true;
  return signedInAddress(p) === person.toLowerCase();
}

const forbidden = (c: Context<HttpEnv>, person: string) =>
  c.json(errorBody(403, "FORBIDDEN", `only an admin or ${person}, signed in, may do this`, { field: "person" }), 403);

export function registerOnCallFeedRoutes(router: Router, d: OnCallFeedRouteDeps): void {
  const guard = createFeedGuard(d.db, d.clock);
  router.route(
    {
      method: "post",
      path: FEEDS_PATH,
      summary: "Make a personal calendar feed of one person's shifts",
      description: `Body: \`{ "person": "anna@corp.example" }\`, a person the rota names. Answers the feed's URL once (only its hash is kept): an iCalendar document of that person's shifts in every schedule, overrides included, from a week ago to eight weeks ahead. An admin, or the person themself signed in with the company directory. At most ${FEEDS_PER_PERSON} live feeds a person.`,
      tags: ["Alerts"],
      scope: "admin",
      selfService: true,
      body: z.strictObject({ person: EmailAddressSchema.describe("The person, by the mail address the rota names them by.") }),
      responses: {
        201: { description: "the feed and its URL", schema: () => FeedViewSchema.extend({ url: z.string() }) },
        400: { description: "the person is not in the rota" },
        403: { description: "neither an admin nor the person" },
        409: { description: "the person has the most feeds already: revoke one first" },
      },
    },
    async (c, { body }) => {
      const person = body.person.toLowerCase();
      if (!mayActFor(c, person)) return forbidden(c, person);
      if (!rotaPeople(d.oncall()).has(person))
        return c.json(errorBody(400, "BAD_REQUEST", `body.person: ${person} is in no oncall schedule`, { field: "body.person" }), 400);
      if ((await d.feeds.live(person)).length >= FEEDS_PER_PERSON)
        return c.json(
          errorBody(409, "CONFLICT", `body.person: ${person} has ${FEEDS_PER_PERSON} feeds already: revoke one (DELETE ${FEEDS_PATH}/{id}) first`, {
            field: "body.person",
          }),
          409,
        );
      const actor = auditActorOf(c);
      const { feed, token } = await d.feeds.create(person, actor.name, d.clock.now());
      c.get("auditNote")?.({ actor, action: "oncall.feed.create", target: String(feed.id), result: "ok", details: { person } });
      const base = d.baseUrl ?? new URL(c.req.url).origin;
      return c.json({ ...feedView(feed), url: `${base}${FEEDS_PATH}/${token}.ics` }, 201);
    },
  );

  router.route(
    {
      method: "get",
      path: FEEDS_PATH,
      summary: "The live personal calendar feeds (without their URLs)",
      tags: ["Alerts"],
      scope: "admin",
      responses: { 200: { description: "the feeds, newest first", schema: () => z.object({ feeds: z.array(FeedViewSchema) }) } },
    },
    async (c) => c.json({ feeds: (await d.feeds.live()).map(feedView) }),
  );

  router.route(
    {
      method: "delete",
      path: `${FEEDS_PATH}/:id`,
      summary: "Revoke a personal calendar feed",
      description: "Its URL answers 404 from then on, on every Steward of the site. An admin, or the feed's person signed in.",
      tags: ["Alerts"],
      scope: "admin",
      selfService: true,
      params: z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
      responses: {
        200: { description: "revoked", schema: () => FeedViewSchema },
        403: { description: "neither an admin nor the person" },
        404: { description: "no live feed" },
      },
    },
    async (c, { params }) => {
      const feed = await d.feeds.get(params.id);
      if (feed && !mayActFor(c, feed.person)) return forbidden(c, feed.person);
      const actor = auditActorOf(c);
      if (!feed || !(await d.feeds.revoke(feed.id, actor.name, d.clock.now())))
        return c.json(errorBody(404, "NOT_FOUND", `no live feed ${params.id}`, { field: "id" }), 404);
      c.get("auditNote")?.({ actor, action: "oncall.feed.revoke", target: String(feed.id), result: "ok", details: { person: feed.person } });
      return c.json(feedView(feed));
    },
  );

  router.route(
    {
      method: "get",
      // Named as the DELETE's parameter: one path in the OpenAPI document (here the feed's secret file name, <token>.ics).
      path: `${FEEDS_PATH}/:id`,
      summary: "A personal calendar feed (iCalendar), by its secret URL",
      tags: ["Alerts"],
      scope: "public",
      params: z.object({ id: z.string().min(1).max(200) }),
      secretParams: ["id"],
      responses: {
        200: { description: "the person's shifts", contentType: "text/calendar" },
        404: { description: "an unknown or revoked feed" },
        429: { description: "too many wrong feed URLs from this client: wait Retry-After seconds" },
      },
    },
    async (c, { params }) => {
      const client = auditActorOf(c).ip ?? "in-process";
      const wait = await guard.waitSeconds(client);
      if (wait > 0)
        return c.json(errorBody(429, "RATE_LIMITED", `too many wrong calendar feed URLs from ${client}: try again in ${wait} s`), 429, {
          ...FEED_HEADERS,
          "retry-after": String(wait),
        });
      const file = params.id;
      const feed = file.endsWith(".ics") ? await d.feeds.byToken(file.slice(0, -4)) : undefined;
      if (!feed) {
        // The path is never logged here: a near miss of a real token is still most of one.
        if (await guard.miss(client))
          requestLog(c)?.warn({ client, misses: FEED_MISSES_PER_CLIENT }, "calendar feed: too many wrong URLs from one client, held back");
        return c.json(errorBody(404, "NOT_FOUND", "no such calendar feed: it was revoked, or the URL is not complete"), 404, FEED_HEADERS);
      }
      return c.body(personCalendar(d.oncall(), feed.person, d.clock.now()), 200, { ...FEED_HEADERS, "content-type": "text/calendar; charset=utf-8" });
    },
  );
}
