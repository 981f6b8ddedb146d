// Config of the check-ins (src/watch/checkins/): jobs before Qlik (an ERP extract, a SQL Agent job) ping Steward on a
// Healthchecks-compatible URL; a job that does not check in on its schedule, fails or runs long raises an event.
import { z } from "zod";
import { compileSchedule } from "./schedule";
import { DurationSchema } from "../../platform/core/duration";
import { lazySection } from "../../platform/config/lazy-section";
import { isKnownZone } from "../../platform/core/time-zone";

/** Ping keys are URL path segments and secrets: long enough not to be guessed, no characters a URL must escape. */
const KEY_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** One check's schema, built by CheckinsSchema's lazySection: a config without checkins builds neither. */
const checkSchema = () =>
  z
    .strictObject({
      key: z
        .string()
        .regex(KEY_PATTERN, { message: "16 to 128 letters, digits, '-' or '_' (e.g. a UUID): the key is the URL's only secret" })
        .describe("The secret in the ping URL (/ping/<key>). Use ${env:NAME} or a UUID; anyone who knows it can ping the check."),
      cron: z.string().min(1).optional().describe("When the job runs: a cron expression (5 or 6 fields) in timeZone. Give cron or rrule."),
      rrule: z
        .union([z.string().min(1), z.array(z.string().min(1)).min(1).max(20)])
        .optional()
        .describe("When the job runs: RRULE line(s) (RFC 5545, e.g. FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=5;BYMINUTE=0) in timeZone."),
      timeZone: z
        .string()
        .refine(isKnownZone, { message: "not an IANA time zone name (e.g. Europe/Stockholm)" })
        .default("UTC")
        .describe("IANA time zone of the schedule (daylight saving is followed)."),
      grace: DurationSchema.prefault("15m").describe("How late the job's first ping may be after its due time before checkin.missed."),
      maxDuration: DurationSchema.optional().describe("After a /start ping, how long the job may run before checkin.running_long. Default: no limit."),
      feeds: z
        .strictObject({
          taskNames: z.array(z.string().min(1)).max(200).default([]).describe("Qlik Sense tasks that read what this job produces."),
          appNames: z.array(z.string().min(1)).max(200).default([]).describe("Qlik Sense apps that read what this job produces."),
          taskIds: z
            .array(z.string().min(1))
            .max(200)
            .default([])
            .meta({ examples: [["7552d9fc-d1bb-4975-9a38-18357de531ea"]] })
            .describe("The same tasks by id."),
          appIds: z
            .array(z.string().min(1))
            .max(200)
            .default([])
            .meta({ examples: [["0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11"]] })
            .describe("The same apps by id."),
        })
        .prefault({})
        .describe("What this job is the upstream of: named in its alerts, and the start of those apps' chains for freshness."),
      enabled: z.boolean().default(true).describe("false: pings are still accepted and kept, but nothing is judged."),
    })
    .superRefine((c, ctx) => {
      if ((c.cron === undefined) === (c.rrule === undefined)) {
        ctx.addIssue({ code: "custom", path: ["cron"], message: "give exactly one of cron or rrule" });
        return;
      }
      const compiled = compileSchedule(
        c.cron !== undefined ? { cron: c.cron, timeZone: c.timeZone } : { rrule: typeof c.rrule === "string" ? [c.rrule] : c.rrule!, timeZone: c.timeZone },
      );
      if (!compiled.ok) ctx.addIssue({ code: "custom", path: [c.cron !== undefined ? "cron" : "rrule"], message: compiled.error });
    })
    .describe("One job that checks in: its key, schedule, grace and what it feeds.");

export const CheckinsSchema = lazySection(() =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Serve /ping and judge the checks. Off: the section is kept but not used."),
      interval: DurationSchema.prefault("30s").describe("How often the checks are judged (on one Steward per site: the one holding the watchdog lease)."),
      logMaxBytes: z
        .number()
        .int()
        .min(0)
        .max(100_000)
        .default(10_000)
        .describe("Most bytes of a ping's body kept as its log; the rest is cut (the ping still counts)."),
      keepPings: z.number().int().min(1).max(10_000).default(100).describe("Pings kept per check (the newest)."),
      rateLimit: z
        .strictObject({
          requests: z.number().int().min(1).max(100_000).default(60).describe("Pings one address may send per window; more get 429 and are not stored."),
          window: DurationSchema.prefault("1m").describe("The window."),
        })
        .prefault({})
        .describe("Per-address limit on /ping, before the key is even looked up."),
      checks: z
        .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: "a check name: letters, digits, '.', '_' or '-', at most 64" }), checkSchema())
        .default({})
        .describe("The jobs that check in, by name."),
    })
    .superRefine((c, ctx) => {
      const seen = new Map<string, string>();
      for (const [name, check] of Object.entries(c.checks)) {
        const other = seen.get(check.key);
        if (other) ctx.addIssue({ code: "custom", path: ["checks", name, "key"], message: `the same key as check '${other}': each check needs its own` });
        seen.set(check.key, name);
      }
    })
    .describe("Check-ins of the jobs before Qlik: a Healthchecks-compatible ping API with a schedule and grace per job (docs/checkins.md)."),
);
export type CheckinsConfig = z.infer<typeof CheckinsSchema>;
export type CheckConfig = CheckinsConfig["checks"][string];
