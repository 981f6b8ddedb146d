// Config of the HTTP core: the listener (REST API, dashboard), CORS for browsers, and the Slack webhook of
// PUT /v4/slackpostmessage (served by the HTTP core's own routes).
import { z } from "zod";

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

export const corsSchema = () =>
  z
    .strictObject({
      enabled: z.boolean().default(false).describe("Answer browsers' cross-origin requests from the origins below."),
      allowOrigins: z
        .array(z.string().min(1))
        .default([])
        .describe("Origins allowed to call the API from a browser, e.g. https://sense1.corp.example; '*' allows any origin."),
      allowHeaders: z.array(z.string().min(1)).default(["Content-Type", "Authorization", "X-Api-Key"]).describe("Request headers a browser may send along."),
      allowCredentials: z.boolean().default(false).describe("Let browsers send cookies/credentials; not allowed together with '*'."),
      maxAgeSeconds: z.number().int().min(0).max(86_400).default(600).describe("How long a browser may cache a preflight answer."),
    })
    .refine((c) => !(c.allowCredentials && c.allowOrigins.includes("*")), {
      message: "allowCredentials cannot be combined with allowOrigins '*'; list the origins",
      path: ["allowCredentials"],
    })
    .describe("CORS, so that a button in a Qlik Sense app or any web page can call Steward (e.g. start a task).");

export const slackMessageSchema = () =>
  z
    .strictObject({
      webhookUrl: z.string().url().describe("Slack incoming-webhook URL used by PUT /v4/slackpostmessage. Use ${env:…}."),
      timeoutMs: z.number().int().min(500).max(120_000).default(10_000).describe("Time limit of one post to Slack, in milliseconds."),
    })
    .describe("Slack webhook for messages posted through the REST API (Butler's slackNotification.restMessage).");

export type HttpConfig = z.infer<ReturnType<typeof httpSchema>>;
export type CorsConfig = z.infer<ReturnType<typeof corsSchema>>;
export type SlackMessageConfig = z.infer<ReturnType<typeof slackMessageSchema>>;
