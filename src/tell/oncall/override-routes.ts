// Overrides made by people (issue 106): POST /v4/oncall/overrides puts a person on duty in a schedule from one instant
// until another, by an admin or by a person of that schedule signed in with single sign-on (a swap among the
// on-call people themselves, without editing the config); DELETE /v4/oncall/overrides/{id} cancels one, by the same
// people; GET /v4/oncall/overrides lists those not yet over. Stored, audited, and merged with the config's overrides:
// pages, mentions, GET /v4/oncall and the calendar feeds follow it; the people it moves are told (override-notices.ts).
import type { Context } from "hono";
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import { auditActorOf } from "../../platform/http/audit-actor";
import { errorBody } from "../../platform/http/errors";
import { principalOf } from "../../platform/http/request-state";
import type { Router } from "../../platform/http/route";
import type { HttpEnv } from "../../platform/http/types";
import { instantIn } from "../../platform/core/time-zone";
import { EmailAddressSchema } from "../notify/channels/email/schema";
import { type OnCallConfig, type OnCallSchedule, scheduleOf } from "./config";
import { onDuty } from "./on-duty";
import { overrideNotices } from "./override-notice-text";
import type { OverrideNotices } from "./override-notices";
import type { OverrideStore, StoredOverride } from "./override-store";
import { rotaPeople, signedInAddress } from "./rota-people";
import type { RotaOverrides } from "./stored-overrides";

const DAY_MS = 86_400_000;
/** An override longer than this is a change of the rotation, which belongs in the config. */
const LONGEST_MS = 31 * DAY_MS;
/** How far ahead an override may start: further plans are the rotation's, and a typo in the year is caught. */
const AHEAD_MS = 90 * DAY_MS;

export interface OverrideRouteDeps {
  /** The config's rota, before stored overrides. */
  oncall: () => OnCallConfig | undefined;
  overrides: OverrideStore;
  rota: RotaOverrides;
  clock: Clock;
  /** Tells the people an override moves; absent: nobody is told (a Steward without a store of its own). */
  notices?: OverrideNotices;
}

const instant = z.iso
  .datetime({ offset: true, local: true })
  .describe('An instant, e.g. "2026-11-27T17:00:00+01:00"; without an offset ("2026-11-27T17:00"), in the schedule\'s timeZone.');
const OverrideBodySchema = z.strictObject({
  schedule: z.string().min(1).describe("The `oncall:` schedule."),
  person: EmailAddressSchema.describe("Who is on duty instead, by the mail address the rota names them by."),
  from: instant,
  until: instant,
});

const iso = (ms: number) => new Date(ms).toISOString();
const overrideView = (o: StoredOverride) => ({
  id: o.id,
  schedule: o.schedule,
  person: o.person,
  from: iso(o.from),
  until: iso(o.until),
  createdAt: iso(o.createdAt),
  createdBy: o.createdBy,
});
const OverrideViewSchema = z.object({
  id: z.number(),
  schedule: z.string(),
  person: z.string(),
  from: z.string(),
  until: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
});

const bad = (field: string, message: string) => errorBody(400, "BAD_REQUEST", `${field}: ${message}`, { field });

/**
 * An admin, or a person of `schedule` (its rotation or its outsideHours desk) signed in with single sign-on. A schedule
 * since taken out of the config (undefined) is an admin's alone.
 */
function mayChange(c: Context<HttpEnv>, schedule: OnCallSchedule | undefined): boolean {
  const p = principalOf(c);
  if (p.scopes === "all" || p.scopes.includes("admin")) return true;
  const self = signedInAddress(p);
  if (!schedule) return false;
  const own = [...schedule.people, ...(schedule.outsideHours ? [schedule.outsideHours] : [])].map((a) => a.toLowerCase());
  return self !== undefined && own.includes(self);
}

const forbidden = (c: Context<HttpEnv>, name: string) =>
  c.json(errorBody(403, "FORBIDDEN", `only an admin or a person of schedule ${name}, signed in, may change its overrides`), 403);

export function registerOverrideRoutes(router: Router, d: OverrideRouteDeps): void {
  router.route(
    {
      method: "post",
      path: "/v4/oncall/overrides",
      summary: "Put a person on duty in a schedule for a while (a swap or cover)",
      description:
        'Body: `{ "schedule": "primary", "person": "carl@corp.example", "from": "2026-11-27T17:00:00+01:00", "until": "2026-11-30T09:00:00+01:00" }`. An admin, or a person of that schedule signed in with single sign-on. From `from` until `until` the person is on duty (the newest override wins): pages, mentions, GET /v4/oncall and the calendar feeds follow it on every Steward of the site within 30 seconds. Audited as oncall.override.create.',
      tags: ["Alerts"],
      scope: "admin",
      selfService: true,
      body: OverrideBodySchema,
      responses: {
        201: { description: "the override, and who it replaces at its start", schema: () => OverrideViewSchema.extend({ replaces: z.string().nullable() }) },
        400: { description: "a field is wrong (named in details)" },
        403: { description: "neither an admin nor a person of the schedule" },
      },
    },
    async (c, { body }) => {
      const oncall = d.oncall();
      const schedule = scheduleOf(oncall, body.schedule);
      if (!schedule) return c.json(bad("body.schedule", `no oncall schedule named "${body.schedule}"`), 400);
      if (!mayChange(c, schedule)) return forbidden(c, body.schedule);
      const person = body.person.toLowerCase();
      if (!rotaPeople(oncall).has(person)) return c.json(bad("body.person", `${person} is in no oncall schedule`), 400);
      const from = instantIn(body.from, schedule.timeZone);
      const until = instantIn(body.until, schedule.timeZone);
      const now = d.clock.now();
      if (until <= from) return c.json(bad("body.until", "must be after from"), 400);
      if (until <= now) return c.json(bad("body.until", "is in the past"), 400);
      if (from > now + AHEAD_MS) return c.json(bad("body.from", "an override starts at most 90 days ahead: make it nearer the time"), 400);
      if (until - from > LONGEST_MS) return c.json(bad("body.until", "an override lasts at most 31 days: change the rotation in the config instead"), 400);
      // Two stored overrides over the same hours would leave who is on duty to which was made last: say so instead.
      const clash = (await d.overrides.endingAfter(now)).find((o) => o.schedule === body.schedule && o.from < until && from < o.until);
      if (clash)
        return c.json(
          bad(
            "body.from",
            `overlaps override ${clash.id} (${clash.person}, ${iso(clash.from)} to ${iso(clash.until)}): cancel it first (DELETE /v4/oncall/overrides/${clash.id})`,
          ),
          400,
        );
      const replaces = onDuty(scheduleOf(d.rota.merged(oncall), body.schedule) ?? schedule, Math.max(from, now)).person ?? null;
      const actor = auditActorOf(c);
      const o = await d.overrides.create({ schedule: body.schedule, person, from, until, createdAt: now, createdBy: actor.name });
      await d.rota.refresh();
      await d.notices?.queue(o.id, "made", o.schedule, overrideNotices("made", o, schedule.timeZone, replaces, actor.name));
      c.get("auditNote")?.({
        actor,
        action: "oncall.override.create",
        target: `${body.schedule}/${o.id}`,
        result: "ok",
        details: { person, from: iso(from), until: iso(until), replaces },
      });
      return c.json({ ...overrideView(o), replaces }, 201);
    },
  );

  router.route(
    {
      method: "delete",
      path: "/v4/oncall/overrides/:id",
      summary: "Cancel an override made over REST or the dashboard",
      description:
        "The rotation (or the config's overrides) holds again for its hours, on every Steward of the site within 30 seconds; its person and the person on duty again are told. An admin, or a person of its schedule signed in with single sign-on. Audited as oncall.override.cancel.",
      tags: ["Alerts"],
      scope: "admin",
      selfService: true,
      params: z.object({ id: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
      responses: {
        200: {
          description: "the cancelled override, and who is on duty again at its start (or now)",
          schema: () => OverrideViewSchema.extend({ onDutyAgain: z.string().nullable() }),
        },
        403: { description: "neither an admin nor a person of the schedule" },
        404: { description: "no live override of that id (never made, or cancelled already)" },
        409: { description: "the override is over already: it stays in the rota's history" },
      },
    },
    async (c, { params }) => {
      const o = await d.overrides.live(params.id);
      const oncall = d.oncall();
      const schedule = o && scheduleOf(oncall, o.schedule);
      if (o && !mayChange(c, schedule)) return forbidden(c, o.schedule);
      const actor = auditActorOf(c);
      const now = d.clock.now();
      // An override over is the rota's history (last week's calendar shows it): it stays as it was.
      if (o && o.until <= now)
        return c.json(errorBody(409, "CONFLICT", `override ${o.id} ended at ${iso(o.until)}: an override over cannot be cancelled`, { field: "id" }), 409);
      if (!o || !(await d.overrides.cancel(o.id, actor.name, now)))
        return c.json(errorBody(404, "NOT_FOUND", `no live override ${params.id}: never made, or cancelled already`, { field: "id" }), 404);
      await d.rota.refresh();
      const merged = scheduleOf(d.rota.merged(oncall), o.schedule);
      const onDutyAgain = merged ? (onDuty(merged, Math.max(o.from, now)).person ?? null) : null;
      c.get("auditNote")?.({
        actor,
        action: "oncall.override.cancel",
        target: `${o.schedule}/${o.id}`,
        result: "ok",
        details: { person: o.person, from: iso(o.from), until: iso(o.until), onDutyAgain },
      });
      if (schedule && o.until > now)
        await d.notices?.queue(o.id, "cancelled", o.schedule, overrideNotices("cancelled", o, schedule.timeZone, onDutyAgain, actor.name));
      return c.json({ ...overrideView(o), onDutyAgain });
    },
  );

  router.route(
    {
      method: "get",
      path: "/v4/oncall/overrides",
      summary: "Overrides made over REST or the dashboard that are not over yet",
      tags: ["Alerts"],
      scope: "read",
      responses: { 200: { description: "newest first", schema: () => z.object({ overrides: z.array(OverrideViewSchema) }) } },
    },
    async (c) => c.json({ overrides: (await d.overrides.endingAfter(d.clock.now())).map(overrideView) }),
  );
}
