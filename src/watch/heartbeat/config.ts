// Config of the outgoing heartbeat (a GET/POST to a monitoring URL on an interval) and of the uptime monitor
// (uptime and memory in the log and, optionally, Butler's butler_memory_usage measurement in InfluxDB).
// Built on first use (lazySection): a config that leaves the block out never builds its schema.
import { z } from "zod";
import { lazySection } from "../../platform/config/lazy-section";
import { DurationSchema } from "../../platform/core/duration";

export const HeartbeatSchema = lazySection(() =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Send the heartbeat. Off: the section is kept but not used."),
      url: z.string().url().describe("Where to report, e.g. a healthchecks.io ping URL or an uptime-monitor push URL."),
      method: z.enum(["GET", "POST"]).default("GET").describe("POST sends a small JSON body (version, host, uptime, memory)."),
      interval: DurationSchema.prefault("1m").describe("Time between two beats."),
      timeout: DurationSchema.prefault("10s").describe("A beat that takes longer counts as failed."),
      headers: z.record(z.string().min(1), z.string()).default({}).describe("Extra request headers (a token from ${env:…})."),
      ca: z
        .string()
        .min(1)
        .optional()
        .describe("PEM file of a private CA for an https URL (relative to the config file).")
        .meta({ examples: ["./certs/corp-root-ca.pem"] }),
    })
    .describe("Heartbeat (Butler's heartbeat): tells an external monitor that Steward is alive. Failures are counted and logged."),
);

export const UptimeMonitorSchema = lazySection(() =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Log (and write) uptime and memory. Off: the section is kept but not used."),
      interval: DurationSchema.prefault("15m").describe("Time between two uptime and memory readings."),
      logLevel: z.enum(["info", "debug", "trace"]).default("info").describe("Level of the periodic uptime/memory log line."),
      influxChannel: z.string().min(1).optional().describe("Name of an influxdb channel to also write the measurement to."),
      measurement: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
        .default("butler_memory_usage")
        .describe("Butler's name, so existing Grafana panels keep working."),
    })
    .describe("Uptime monitor (Butler's uptimeMonitor). Uptime and memory are always on /metrics."),
);

export type HeartbeatConfig = z.infer<typeof HeartbeatSchema>;
export type UptimeMonitorConfig = z.infer<typeof UptimeMonitorSchema>;

/** uptimeMonitor.influxChannel must name an influxdb channel (checked on the whole config). */
export function checkUptimeReferences(config: { uptimeMonitor?: UptimeMonitorConfig; channels: Record<string, { type: string }> }, ctx: z.RefinementCtx): void {
  const name = config.uptimeMonitor?.influxChannel;
  if (name === undefined) return;
  const ch = config.channels[name];
  if (ch?.type !== "influxdb") {
    const influx = Object.entries(config.channels)
      .filter(([, c]) => c.type === "influxdb")
      .map(([n]) => n);
    ctx.addIssue({
      code: "custom",
      path: ["uptimeMonitor", "influxChannel"],
      message: `no influxdb channel named "${name}"${influx.length ? ` (influxdb channels: ${influx.join(", ")})` : ""}`,
    });
  }
}
