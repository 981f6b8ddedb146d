// Config for starting things in Qlik Sense: the start allowlist, waiting for results, app reload jobs, CORS
// for browser callers, and the Slack webhook behind PUT /v4/slackpostmessage.
import { z } from "zod";

const nameValueSchema = () =>
  z.strictObject({
    name: z.string().min(1).describe("Custom property name."),
    value: z.string().describe("Custom property value (compared case-insensitively, as QRS filters do)."),
  });

export const startTaskFilterSchema = () =>
  z
    .strictObject({
      enabled: z.boolean().default(false).describe("When true, only tasks matched by the lists below may be started."),
      taskIds: z.array(z.string().min(1)).default([]).describe("Task ids that may be started."),
      tags: z.array(z.string().min(1)).default([]).describe("Tasks carrying any of these tags may be started."),
      customProperties: z.array(nameValueSchema()).default([]).describe("Tasks carrying any of these custom property values may be started."),
    })
    .describe(
      "Start allowlist (Butler's startTaskFilter). The lists are additive: a task may start when its id is listed, OR it has a " +
        "listed tag, OR a listed custom property value — however it was asked for. Applies to every start path: REST, MQTT, " +
        "schedules, event triggers and tasks chained after app reloads.",
    );

export const waitSchema = () =>
  z
    .strictObject({
      defaultTimeoutMs: z.number().int().min(1000).default(300_000).describe("How long ?wait=true waits when no timeout is given."),
      maxTimeoutMs: z.number().int().min(1000).default(3_600_000).describe("Upper bound for ?timeout=."),
      pollIntervalMs: z.number().int().min(50).max(60_000).default(1000).describe("How often QRS is asked for execution results."),
      logTailLines: z.number().int().min(0).max(1000).default(30).describe("Script log lines returned with each result."),
    })
    .describe("Synchronous task starts (?wait=true).");

export const reloadSchema = () =>
  z
    .strictObject({
      timeoutMs: z.number().int().min(1000).default(7_200_000).describe("An app reload running longer than this is cancelled and fails."),
      progressIntervalMs: z.number().int().min(100).max(60_000).default(1000).describe("How often the Engine is asked for reload progress."),
      logTailLines: z.number().int().min(0).max(2000).default(50).describe("Progress log lines kept per reload job."),
      keepJobsDays: z.number().int().min(1).max(3650).default(30).describe("Finished reload jobs older than this are deleted."),
      maxConcurrent: z.number().int().min(1).max(100).default(4).describe("App reloads run at the same time; more wait their turn."),
      engineTimeoutMs: z.number().int().min(1000).max(600_000).default(60_000).describe("Timeout of a single Engine call (not DoReload)."),
    })
    .describe("App reloads through the Engine API (PUT /v4/app/{appId}/reload).");

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

export const controlSchema = () =>
  z
    .strictObject({
      startTaskFilter: startTaskFilterSchema().prefault({}),
      wait: waitSchema().prefault({}),
      reload: reloadSchema().prefault({}),
      cors: corsSchema().prefault({}),
      slack: slackMessageSchema().optional(),
    })
    .describe("Starting tasks, reloading and dumping apps, and the related REST routes.");

export type ControlConfig = z.infer<ReturnType<typeof controlSchema>>;
export type StartTaskFilterConfig = z.infer<ReturnType<typeof startTaskFilterSchema>>;
