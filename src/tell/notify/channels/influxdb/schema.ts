// YAML block of an `influxdb` channel: InfluxDB 1.x (database + retention policy, created when missing) or
// 2.x (org/bucket/token), static tags and which dynamic tags to write.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import { channelCommonShape } from "../common-schema";
import { DurationSchema } from "../../../../platform/core/duration";

const TASK_MEASUREMENTS = ["reload", "external_program", "user_sync", "distribute", "preload"].flatMap((t) =>
  ["failed", "success", "aborted"].map((o) => `${t}_task_${o}`),
);
/** Every measurement Steward writes (the memory measurement under its default name). */
export const INFLUX_MEASUREMENTS: readonly string[] = [
  ...TASK_MEASUREMENTS,
  "win_service_state",
  "butler_memory_usage",
  "qlik_sense_server_license",
  "qlik_sense_license",
  "qlik_sense_license_release",
  "qlik_sense_version",
  "steward_site_event",
  "steward_data_check_event",
  "steward_watchdog_event",
  "steward_data_check",
];

const MeasurementSettingsSchema = z.lazy(() =>
  z
    .strictObject({
      tags: z
        .record(z.string().min(1), z.string())
        .default({})
        .describe("Static tags written on this measurement's points only (Butler's per-event tag.static); they win over the channel's tags."),
      useAppTags: z
        .boolean()
        .optional()
        .describe("Overrides the channel's useAppTags for this measurement (Butler's per-event tag.dynamic.useAppTags).")
        .meta({ examples: [false] }),
      useTaskTags: z.boolean().optional().describe("Overrides the channel's useTaskTags for this measurement."),
      scriptLogLines: z
        .strictObject({
          head: z
            .number()
            .int()
            .min(0)
            .max(500)
            .optional()
            .describe("First lines of the script log written on this measurement.")
            .meta({ examples: [10] }),
          tail: z.number().int().min(0).max(500).optional().describe("Last lines of the script log written on this measurement."),
        })
        .optional()
        .describe(
          "Overrides the channel's script-log head and tail lengths for this measurement (Butler's per-event headScriptLogLines / tailScriptLogLines).",
        ),
    })
    .describe("Settings of one measurement."),
);

export const InfluxDbChannelSchema = z.lazy(() =>
  z
    .strictObject({
      type: z.literal("influxdb"),
      ...channelCommonShape,
      version: z
        .union([z.literal(1), z.literal(2)])
        .default(1)
        .describe("1: InfluxQL /write and /query. 2: the v2 write API (also VictoriaMetrics)."),
      url: z.string().url().describe("e.g. http://influxdb.corp.example:8086"),
      database: z.string().min(1).optional().describe("v1: database name (created when missing)."),
      retentionPolicy: z
        .strictObject({
          name: z.string().min(1).describe("Name of the retention policy."),
          duration: z
            .string()
            .regex(/^(\d+(ns|u|µ|ms|s|m|h|d|w))+$|^INF$/, 'expected an InfluxQL duration like "10d" or INF')
            .describe("How long points are kept, as an InfluxQL duration (10d, 52w) or INF."),
          replication: z.number().int().min(1).default(1).describe("Replication factor (1 on a single InfluxDB server)."),
        })
        .optional()
        .describe("v1: retention policy created (as the default) when missing, like Butler's."),
      username: z.string().min(1).optional().describe("v1 authentication."),
      password: z.string().optional().describe("v1 authentication; use ${env:…}."),
      org: z.string().min(1).optional().describe("v2 organisation."),
      bucket: z.string().min(1).optional().describe("v2 bucket."),
      token: z.string().optional().describe("v2 API token; use ${env:…}."),
      tags: z.record(z.string().min(1), z.string()).default({}).describe("Static tags written on every point, e.g. { env: prod }."),
      useAppTags: z.boolean().default(true).describe("Write appTag_<tag>=true for each Qlik tag of the app."),
      useTaskTags: z.boolean().default(true).describe("Write taskTag_<tag>=true for each Qlik tag of the task."),
      measurements: z
        .record(z.string().min(1), MeasurementSettingsSchema)
        .default({})
        .superRefine((m, ctx) => {
          for (const name of Object.keys(m)) {
            if (!INFLUX_MEASUREMENTS.includes(name))
              ctx.addIssue({ code: "custom", path: [name], message: `not a measurement Steward writes; one of ${INFLUX_MEASUREMENTS.join(", ")}` });
          }
        })
        .describe("Per-measurement tags, dynamic tags and script-log lengths, e.g. reload_task_failed: { tags: { kind: reload } }."),
      butlerTagTypo: z.boolean().default(false).describe("Also write Butler's misspelt tag task_exeuctionStatusText, for old dashboards."),
      ca: z
        .string()
        .min(1)
        .optional()
        .describe("PEM file of a private CA for an https URL.")
        .meta({ examples: ["./certs/corp-root-ca.pem"] }),
      rejectUnauthorized: z.boolean().default(true).describe("Verify the server certificate. Turn off only knowingly."),
      testTarget: z.string().min(1).optional().describe("Database (v1) or bucket (v2) written instead while notify.testMode is on."),
      ensureInterval: DurationSchema.prefault("1h").describe("v1: how often the database/retention policy check is repeated."),
    })
    .superRefine((c, ctx) => {
      if (c.version === 1 && !c.database) ctx.addIssue({ code: "custom", path: ["database"], message: "required for version 1" });
      if (c.version === 2) {
        for (const k of ["org", "bucket", "token"] as const) {
          if (!c[k]) ctx.addIssue({ code: "custom", path: [k], message: "required for version 2" });
        }
      }
    })
    .describe("Task and service events written to InfluxDB as Butler's measurements."),
);

export type InfluxDbChannelConfig = z.infer<typeof InfluxDbChannelSchema>;
