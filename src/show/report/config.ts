// Config of the reports: the morning report (last night at a glance) and the weekly one (success rates per stream),
// each sent at a time of day to the routes that list report.morning or report.weekly in `on:`.
import { z } from "zod";
import { lazySection } from "../../platform/config/lazy-section";
import { isKnownZone } from "../../platform/core/time-zone";
import { DEFAULT_NOISE, noiseSchema } from "../noise/config";

const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
export const REPORT_DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const zone = () =>
  z
    .string()
    .refine(isKnownZone, { message: "an IANA time zone, e.g. Europe/Stockholm" })
    .optional()
    .describe("The zone of `at` and of the times in the report. Default: the site's zone (notify.timeZone, else the zone of the machine Steward runs on).");

export const ReportsSchema = lazySection(() =>
  z
    .strictObject({
      morning: z
        .strictObject({
          enabled: z.boolean().default(true).describe("Build the morning report (sent only to routes whose on: lists report.morning)."),
          at: z.string().regex(CLOCK_TIME, { message: "a time of day, HH:MM" }).default("07:00").describe("When it is sent, local time."),
          days: z
            .array(z.enum(REPORT_DAYS))
            .min(1)
            .default(["mon", "tue", "wed", "thu", "fri"])
            .describe("On which days. Each report covers the time since the one before (Monday's: since Friday's)."),
          timeZone: zone(),
          top: z.number().int().min(1).max(50).default(5).describe("How many slowest and fastest-growing reloads it lists."),
        })
        .prefault({})
        .describe(
          "Last night at a glance: runs and failures by cause, what is still open, what is late or stale, promises at risk, the slowest and the fastest-growing reloads.",
        ),
      weekly: z
        .strictObject({
          enabled: z.boolean().default(true).describe("Build the weekly report (sent only to routes whose on: lists report.weekly)."),
          at: z.string().regex(CLOCK_TIME, { message: "a time of day, HH:MM" }).default("07:00").describe("When it is sent, local time."),
          day: z.enum(REPORT_DAYS).default("mon").describe("On which day."),
          timeZone: zone(),
        })
        .prefault({})
        .describe("The last seven days: success rate per stream, the failures by cause, the reloads that grew."),
      noise: noiseSchema(),
    })
    .describe("Reports sent at a time of day (docs/reports.md): routes choose them with report.morning and report.weekly in on:."),
);
export type ReportsConfig = z.infer<typeof ReportsSchema>;

/**
 * The reports as the schema's defaults make them, for a config without the section: the schema is built only while
 * a config is parsed (a start without reports: must not keep it; a unit test checks the two agree).
 */
export const DEFAULT_REPORTS: ReportsConfig = {
  morning: { enabled: true, at: "07:00", days: ["mon", "tue", "wed", "thu", "fri"], top: 5 },
  weekly: { enabled: true, at: "07:00", day: "mon" },
  noise: DEFAULT_NOISE,
};
