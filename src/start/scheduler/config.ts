// Config of the cron and event scheduler: on by default; schedules themselves live in the store and are
// managed over /v4/schedules (or imported from Butler's schedule file).
import { z } from "zod";
import { isKnownZone } from "../../platform/core/time-zone";

export const schedulerSchema = () =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Run schedules and serve the Butler-compatible /v4/schedules routes."),
      defaultTimezone: z
        .string()
        .refine(isKnownZone, { message: "not an IANA time zone name (e.g. Europe/Stockholm)" })
        .optional()
        .describe("Time zone of schedules created without one. Default: the server's own zone."),
      maxSchedules: z.number().int().min(1).max(100_000).default(1000).describe("Most schedules the store may hold; creating more gets 409."),
      catchUpLimit: z.number().int().min(1).max(100_000).default(10_000).describe("Most missed fires counted per schedule when Steward starts after a stop."),
      importFile: z
        .string()
        .min(1)
        .optional()
        .meta({ examples: ["./steward.schedules.yaml"] })
        .describe(
          "A schedule file (Butler's format; `config import-butler --schedules` writes one beside the config) imported when Steward starts, relative to the config's folder. Each version of the file is imported once; schedules the store already has (by id) are left as they are.",
        ),
    })
    .describe("Cron schedules (with time zone, date bounds and time-of-day window) and event triggers that start Qlik Sense tasks.");
/** For tests and scripts: built on first use and kept. Steward builds it per parse (schedulerSchema()), so it is dropped after. */
export const SchedulerSchema = z.lazy(schedulerSchema);

export type SchedulerConfig = z.infer<ReturnType<typeof schedulerSchema>>;
