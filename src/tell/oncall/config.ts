// The `oncall:` schedules (issue 88): who is on duty, by weekly rotation, with overrides and optional hours, so a
// route can mail "whoever is on duty" (routes[].recipients.onCall). Phone calls stay with SIGNL4 and PagerDuty.
import { z } from "zod";
import { DURATION_PATTERN, parseDuration } from "../../platform/core/duration";
import { TimeIntervalsSchema } from "../../platform/core/time-intervals";
import { isKnownZone } from "../../platform/core/time-zone";
import { EmailAddressSchema } from "../notify/channels/email/schema";
import { SlackUserGroupSchema } from "./slack-group-config";

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
    noticeBefore: z
      // Kept as written (not as milliseconds), so a parsed schedule parses again: noticeBeforeMs reads it.
      .union([
        z.literal(0),
        z
          .string()
          .refine((t) => parseDuration(t) !== undefined, { message: 'expected a duration like "15m", "1h" or 0' })
          .refine((t) => parseDuration(t)! <= 86_400_000, { message: "at most a day before the shift (1d)" })
          .meta({ pattern: DURATION_PATTERN }),
      ])
      .default("15m")
      .describe(
        "How long before duty passes to another person that person is mailed a hand-off notice (when the shift starts and ends, who hands over, what is still open); 0 sends none.",
      ),
    slackUserGroup: SlackUserGroupSchema.optional(),
  })
  .refine((s) => s.overrides.every((o) => Date.parse(o.from) < Date.parse(o.until)), { message: "an override's from must be before its until" })
  .describe("A weekly rotation of people, its overrides and hours.");

/** A person's ids in the chat products, so a Slack or Teams route mentions whoever is on duty (issue 88). */
export const OnCallPersonSchema = z
  .strictObject({
    name: z.string().trim().min(1).optional().describe("The name shown in a Teams mention (`@Anna Berg`); without it, the mail address."),
    slack: z
      .string()
      .regex(/^[UW][A-Z0-9]{2,}$/, 'a Slack member id like "U024BE7LH" (Slack: the person\'s profile, ⋮, Copy member ID)')
      .optional()
      .describe("The person's Slack member id: a Slack route with recipients.onCall mentions them as <@id>."),
    teams: z
      .string()
      .regex(
        /^([^\s@<>]+@[^\s@<>]+\.[^\s@<>]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/,
        "a user principal name (anna.berg@corp.example) or a Microsoft Entra object id (a GUID)",
      )
      .optional()
      .describe(
        "The person's Microsoft Teams user principal name (usually their sign-in address) or Microsoft Entra object id: a Teams route with recipients.onCall mentions them.",
      ),
  })
  .describe("One person of the rotas, by mail address.");

const SCHEDULE_NAME = /^[A-Za-z0-9_-]+$/;

export const OnCallSchema = z
  .object({
    people: z
      .record(z.string(), OnCallPersonSchema)
      .superRefine((people, ctx) => {
        for (const key of Object.keys(people)) {
          if (!EmailAddressSchema.safeParse(key).success)
            ctx.addIssue({ code: "custom", path: [key], message: "a person is named by the mail address the schedules use, like anna@corp.example" });
        }
      })
      .default({})
      .describe("The people of the schedules, by the mail address the schedules name them by: their Slack and Teams ids, for mentions."),
  })
  .catchall(OnCallScheduleSchema)
  .superRefine((o, ctx) => {
    for (const name of Object.keys(o)) {
      if (name !== "people" && !SCHEDULE_NAME.test(name))
        ctx.addIssue({ code: "custom", path: [name], message: "a schedule's name: letters, digits, _ and -" });
    }
  })
  .describe("Who is on duty: named schedules a route addresses through `recipients.onCall`, and `people`, their chat ids.");

export type OnCallPerson = z.infer<typeof OnCallPersonSchema>;
export type OnCallSchedule = z.infer<typeof OnCallScheduleSchema>;
export type OnCallConfig = z.infer<typeof OnCallSchema>;

/** The schedule named `name` (`people` is not one). */
export function scheduleOf(oncall: OnCallConfig | undefined, name: string): OnCallSchedule | undefined {
  if (!oncall || name === "people" || !Object.hasOwn(oncall, name)) return undefined;
  return oncall[name] as OnCallSchedule;
}

/** How long before a shift its hand-off notice is sent; 0: none. */
export const noticeBeforeMs = (s: OnCallSchedule): number => (s.noticeBefore === 0 ? 0 : (parseDuration(s.noticeBefore) ?? 0));

/** The names of the schedules. */
export const scheduleNames = (oncall: OnCallConfig | undefined): string[] => Object.keys(oncall ?? {}).filter((k) => k !== "people");
