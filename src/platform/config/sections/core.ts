// Config sections owned by the foundation: logging, HTTP listener, UDP listener basics, data directory.
import { z } from "zod";
import { udpIntakeFields } from "./intake";

export const loggingSchema = () =>
  z
    .strictObject({
      level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info").describe("Minimum log level."),
      format: z.enum(["json", "pretty"]).default("json").describe("json for log shippers, pretty for a terminal."),
    })
    .describe("Log level and format; both can be overridden with --log-level and --log-format.");

export const httpSchema = () =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Serve the REST API. Off: no /v4 routes, no /health, /ready, /metrics, /docs or dashboard."),
      host: z.string().min(1).default("127.0.0.1").describe("Address the REST API listens on. Loopback by default."),
      port: z.number().int().min(0).max(65535).default(8080).describe("TCP port of the REST API and the dashboard (/ui)."),
      bodyLimitBytes: z
        .number()
        .int()
        .min(1024)
        .max(100 * 1024 * 1024)
        .default(1024 * 1024)
        .describe("Larger request bodies get 413."),
      publicUrl: z.string().url().optional().describe("How people reach this Steward, used in links in alerts."),
      baseConvert: z
        .strictObject({
          base62ToBase16: z.boolean().default(true).describe("Serve GET /v4/base62tobase16 (Butler's restServerEndpointsEnable.base62ToBase16)."),
          base16ToBase62: z.boolean().default(true).describe("Serve GET /v4/base16tobase62 (Butler's restServerEndpointsEnable.base16ToBase62)."),
        })
        .prefault({})
        .describe("Butler's id conversion routes, which need no API key; a route switched off answers 404."),
    })
    .describe("The REST API (Butler-compatible /v4 routes, /health, /ready, /metrics, /docs).");

export const udpSchema = () =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Listen for the Qlik Sense Scheduler's task events."),
      host: z.string().min(1).default("0.0.0.0").describe("Address for Qlik Sense scheduler datagrams; '::' for IPv6 (dual stack)."),
      port: z.number().int().min(0).max(65535).default(9998).describe("UDP port the Scheduler's appender sends to (Butler's port by default)."),
      ...udpIntakeFields(),
    })
    .describe("UDP intake of the Qlik Sense Scheduler's log4net datagrams.");
