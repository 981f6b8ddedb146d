// The `oncall:` schedules (issue 88): who is on duty, by weekly rotation, with overrides and optional hours, so a
// route can mail "whoever is on duty" (routes[].recipients.onCall). Phone calls stay with SIGNL4 and PagerDuty.
import { z } from "zod";
import { TimeIntervalsSchema } from "../../platform/core/time-intervals";
import { isKnownZone } from "../../platform/core/time-zone";
import { EmailAddressSchema } from "../notify/channels/email/schema";

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const instant = z.iso.datetime({ offset: true }).describe('An instant with its offset or Z, e.g. "2026-11-27T17:00:00+01:00".');

export const OnCallScheduleSchema = z
  .strictObject({
    timeZone: z
      .string()
      .default("UTC")
      .refine((zone) => isKnownZone(zone), { message: "an IANA time zone like Europe/Stockholm" })
      .describe("The zone the handover's weekday and time are in (daylight saving followed)."),
    people: z.array(EmailAddressSchema).min(1).describe("The rotation, in order: each is on duty for one week, then the next."),
    handover: z
      .strictObject({
        weekday: z.enum(WEEKDAYS).default("mon").describe("The weekday duty passes to the next person."),
        at: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day like "09:00"')
          .default("09:00")
          .describe("The time of day it passes, in timeZone."),
      })
      .prefault({})
      .describe("When duty passes to the next person, each week."),
    firstWeek: z.iso.date().describe('The date ("2026-11-02") of the handover at which the first person of `people` begins a week of duty.'),
    overrides: z
      .array(
        z.strictObject({
          person: EmailAddressSchema.describe("Who is on duty instead."),
          from: instant,
          until: instant,
        }),
      )
      .default([])
      .describe("Swaps and cover: from `from` until `until`, this person is on duty (the first override that holds wins)."),
    hours: TimeIntervalsSchema.optional().describe(
      "The site's business hours: outside them the rotation's person is not on duty (outsideHours is, or nobody). An override holds at any hour.",
    ),
    outsideHours: EmailAddressSchema.optional().describe("Who is on duty outside `hours` (for example the night desk); without it, nobody."),
  })
  .refine((s) => s.overrides.every((o) => Date.parse(o.from) < Date.parse(o.until)), { message: "an override's from must be before its until" })
  .describe("A weekly rotation of people, its overrides and hours.");

export const OnCallSchema = z
  .record(z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and -"), OnCallScheduleSchema)
  .describe("Who is on duty: named schedules a route mails through `recipients.onCall`.");

export type OnCallSchedule = z.infer<typeof OnCallScheduleSchema>;
export type OnCallConfig = z.infer<typeof OnCallSchema>;
