// Overrides made by people (issue 106): POST /v4/oncall/overrides puts a person on duty in a schedule from one instant
// until another, by an admin or by a person of that schedule signed in with single sign-on (a swap among the
// on-call people themselves, without editing the config); GET /v4/oncall/overrides lists those not yet over. Stored,
// audited, and merged with the config's overrides: pages, mentions, GET /v4/oncall and the calendar feeds follow it.
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import { auditActorOf } from "../../platform/http/audit-actor";
import { errorBody } from "../../platform/http/errors";
import { principalOf } from "../../platform/http/request-state";
import type { Router } from "../../platform/http/route";
import { EmailAddressSchema } from "../notify/channels/email/schema";
import { type OnCallConfig, scheduleOf } from "./config";
import { onDuty } from "./on-duty";
import type { OverrideStore, StoredOverride } from "./override-store";
import { rotaPeople, signedInAddress } from "./rota-people";
import type { RotaOverrides } from "./stored-overrides";

/** An override longer than this is a change of the rotation, which belongs in the config. */
const LONGEST_MS = 31 * 86_400_000;

export interface OverrideRouteDeps {
  /** The config's rota, before stored overrides. */
  oncall: () => OnCallConfig | undefined;
  overrides: OverrideStore;
  rota: RotaOverrides;
  clock: Clock;
}

const instant = z.iso.datetime({ offset: true }).describe('An instant with its offset or Z, e.g. "2026-11-27T17:00:00+01:00".');
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
      const p = principalOf(c);
      const own = [...schedule.people, ...(schedule.outsideHours ? [schedule.outsideHours] : [])].map((a) => a.toLowerCase());
      const self = signedInAddress(p);
      if (!(p.scopes === "all" || p.scopes.includes("admin") || (self !== undefined && own.includes(self))))
        return c.json(errorBody(403, "FORBIDDEN", `only an admin or a person of schedule ${body.schedule}, signed in, may override it`), 403);
      const person = body.person.toLowerCase();
      if (!rotaPeople(oncall).has(person)) return c.json(bad("body.person", `${person} is in no oncall schedule`), 400);
      const from = Date.parse(body.from);
      const until = Date.parse(body.until);
      const now = d.clock.now();
      if (until <= from) return c.json(bad("body.until", "must be after from"), 400);
      if (until <= now) return c.json(bad("body.until", "is in the past"), 400);
      if (until - from > LONGEST_MS) return c.json(bad("body.until", "an override lasts at most 31 days: change the rotation in the config instead"), 400);
      const replaces = onDuty(scheduleOf(d.rota.merged(oncall), body.schedule) ?? schedule, Math.max(from, now)).person ?? null;
      const actor = auditActorOf(c);
      const o = await d.overrides.create({ schedule: body.schedule, person, from, until, createdAt: now, createdBy: actor.name });
      await d.rota.refresh();
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
