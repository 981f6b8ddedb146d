// Config of the freshness promises (src/watch/freshness/): "Sales is fresh by 07:00 on weekdays, warn at 06:30". An app
// not reloaded successfully since its chain began raises a warning, then a breach; its recovery once it is fresh.
import { z } from "zod";
import { DurationSchema } from "../../platform/core/duration";
import { lazySection } from "../../platform/config/lazy-section";
import { isKnownZone } from "../../platform/core/time-zone";

const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
/** "07:00-18:00"; the end may be 24:00. */
export const HOURS = /^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

/** One promise's schema, built by FreshnessSchema's lazySection: a config without freshness builds neither. */
const promiseSchema = () =>
  z
    .strictObject({
      appIds: z
        .array(z.string().min(1))
        .max(500)
        .default([])
        .meta({ examples: [["0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11"]] })
        .describe("Apps the promise is about, by id."),
      appNames: z.array(z.string().min(1)).max(500).default([]).describe("Apps by name (as QRS names them; case-insensitive)."),
      streams: z
        .array(z.string().min(1))
        .max(100)
        .default([])
        .meta({ examples: [["Sales"]] })
        .describe("Every app published to one of these streams (as the reload's task event names it)."),
      appTags: z
        .array(z.string().min(1))
        .max(100)
        .default([])
        .meta({ examples: [["Morning"]] })
        .describe("Every app with one of these tags."),
      automations: z
        .array(z.string().min(1))
        .max(500)
        .optional()
        .meta({ examples: [["Nightly CRM extract"]] })
        .describe(
          "Qlik Automate automations of a watched Qlik Cloud tenant (qlikCloud.tenants[].automations), by id or name: a run that finished, with or without warnings, is the data arriving.",
        ),
      freshBy: z
        .string()
        .regex(CLOCK_TIME, { message: "a time of day, HH:MM (24 h)" })
        .optional()
        .describe("The deadline: the app's data is fresh by this local time. Give freshBy or maxAge."),
      maxAge: DurationSchema.optional()
        .meta({ examples: ["2h"] })
        .describe("Instead of a deadline: the app's data is never older than this during the active hours (`during`) of the promise's days."),
      warnAfter: DurationSchema.optional()
        .meta({ examples: ["90m"] })
        .describe("With maxAge: warn once the data is this old (less than maxAge). Default: no warning, only the breach."),
      during: z
        .string()
        .regex(HOURS, { message: "a span of the day, HH:MM-HH:MM (e.g. 07:00-18:00; 24:00 for the day's end)" })
        .refine((v) => v.slice(0, 5) < v.slice(6), { message: "the span must end after it begins, on the same day" })
        .optional()
        .meta({ examples: ["07:00-18:00"] })
        .describe("With maxAge: the hours (local, in timeZone) the promise holds on its days. Default: the whole day."),
      warnAt: z
        .string()
        .regex(CLOCK_TIME, { message: "a time of day, HH:MM (24 h)" })
        .optional()
        .describe("Warn at this local time (before freshBy) when the app is not fresh yet. Default: no warning, only the breach."),
      days: z
        .array(z.enum(WEEKDAYS))
        .min(1)
        .default([...WEEKDAYS])
        .describe("The days the promise holds (the deadline's day)."),
      timeZone: z
        .string()
        .refine(isKnownZone, { message: "not an IANA time zone name (e.g. Europe/Stockholm)" })
        .default("UTC")
        .describe("IANA time zone of freshBy and warnAt."),
    })
    .superRefine((p, ctx) => {
      if (p.appIds.length + p.appNames.length + p.streams.length + p.appTags.length + (p.automations?.length ?? 0) === 0)
        ctx.addIssue({ code: "custom", path: ["appNames"], message: "name the apps: appIds, appNames, streams or appTags (or automations)" });
      if ((p.freshBy === undefined) === (p.maxAge === undefined)) {
        ctx.addIssue({ code: "custom", path: ["freshBy"], message: "give exactly one of freshBy (a deadline) or maxAge (never older than)" });
        return;
      }
      if (p.freshBy !== undefined) {
        if (p.warnAt !== undefined && p.warnAt >= p.freshBy)
          ctx.addIssue({ code: "custom", path: ["warnAt"], message: `must be before freshBy (${p.freshBy}) on the same day` });
        for (const k of ["warnAfter", "during"] as const)
          if (p[k] !== undefined) ctx.addIssue({ code: "custom", path: [k], message: `${k} goes with maxAge; with freshBy use warnAt` });
        return;
      }
      if (p.warnAt !== undefined) ctx.addIssue({ code: "custom", path: ["warnAt"], message: "warnAt goes with freshBy; with maxAge use warnAfter" });
      if (p.warnAfter !== undefined && p.warnAfter >= p.maxAge!) ctx.addIssue({ code: "custom", path: ["warnAfter"], message: "must be shorter than maxAge" });
    })
    .describe("One promise: these apps are fresh by this time on these days, or never older than maxAge during these hours.");

export const FreshnessSchema = lazySection(() =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Judge the promises. Off: the section is kept but not used."),
      interval: DurationSchema.prefault("30s").describe("How often the promises are judged (on one Steward per site: the one holding the watchdog lease)."),
      customProperty: z
        .string()
        .min(1)
        .default("StewardFreshBy")
        .describe(
          'An app whose QMC custom property of this name is set promises its own freshness, e.g. "07:00 warn 06:30 Mon-Fri Europe/Stockholm" (read from QRS every 15 minutes; needs qlik:).',
        ),
      promises: z
        .record(
          z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: "a promise name: letters, digits, '.', '_' or '-', at most 64" }),
          promiseSchema(),
        )
        .default({})
        .describe("The promises, by name."),
    })
    .describe("Freshness promises: apps fresh by a time of day, with a warning and a breach (docs/freshness.md)."),
);
export type FreshnessConfig = z.infer<typeof FreshnessSchema>;
export type FreshnessPromiseConfig = FreshnessConfig["promises"][string];
