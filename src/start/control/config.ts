// Config for starting things in Qlik Sense: the start allowlist, waiting for results, app reload jobs, CORS
// for browser callers, and the Slack webhook behind PUT /v4/slackpostmessage.
import { z } from "zod";
import { corsSchema, slackMessageSchema } from "../../platform/http/config";

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
