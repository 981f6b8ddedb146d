// zod schemas for events given to the preview and test endpoints: a full TaskEvent/ServiceEvent as JSON, or a
// few fields from which a synthetic event is built. Validated at the edge like every request body.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import {
  DATA_CHECK_EVENT_KINDS,
  EVENT_KINDS,
  SITE_EVENT_KINDS,
  TASK_OUTCOMES,
  TASK_TYPES,
  WATCH_CONDITIONS,
  WATCHDOG_EVENT_KINDS,
  CHECKIN_CONDITIONS,
  CHECKIN_EVENT_KINDS,
  FRESHNESS_CONDITIONS,
  FRESHNESS_EVENT_KINDS,
  type CheckinEventKind,
  type FreshnessEventKind,
  type WatchdogEventKind,
  type DataCheckEventKind,
  type DomainEvent,
  type EventKind,
  type SiteEventKind,
  type TaskOutcome,
  isEngineReloadKind,
} from "../../platform/events/types";
import { syntheticCheckinEvent } from "../../watch/checkins/samples";
import { syntheticFreshnessEvent } from "../../watch/freshness/samples";
import { syntheticDataCheckEvent, syntheticServiceEvent, syntheticSiteEvent, syntheticTaskEvent, syntheticWatchdogEvent } from "./samples";
import { syntheticEngineReloadEvent } from "../../hear/engine/samples";

const NameValue = z.lazy(() => z.object({ name: z.string(), value: z.string() }));
const UserRef = z.lazy(() =>
  z.object({ id: z.string().optional(), userDirectory: z.string(), userId: z.string(), name: z.string().optional(), emails: z.array(z.string()).default([]) }),
);

export const TaskEventSchema = z.lazy(() =>
  z.object({
    id: z.string().min(1),
    kind: z.enum(["task.succeeded", "task.failed", "task.aborted", "app.reload_failed", "app.reload_succeeded"]),
    outcome: z.enum(TASK_OUTCOMES),
    taskType: z.enum(TASK_TYPES),
    source: z.enum(["udp", "reconcile", "test", "cloud", "engine"]).default("test"),
    receivedAt: z.string().min(1),
    host: z.string(),
    executionId: z.string(),
    user: z.string().default(""),
    startedVia: z.enum(["proxy", "engine-api"]).optional(),
    logTimestamp: z.string().optional(),
    logLevel: z.string().optional(),
    logMessage: z.string().optional(),
    task: z.looseObject({
      id: z.string(),
      name: z.string(),
      enabled: z.boolean().optional(),
      tags: z.array(z.string()).default([]),
      customProperties: z.array(NameValue).default([]),
    }),
    app: z
      .looseObject({
        id: z.string(),
        name: z.string(),
        stream: z.string().optional(),
        published: z.boolean().optional(),
        tags: z.array(z.string()).default([]),
        customProperties: z.array(NameValue).default([]),
        owner: UserRef.optional(),
        lastReloadTime: z.string().optional(),
      })
      .optional(),
    execution: z
      .looseObject({
        statusCode: z.number(),
        status: z.string(),
        startTime: z.string().optional(),
        stopTime: z.string().optional(),
        durationMs: z.number().optional(),
        executingNode: z.string().optional(),
        details: z.array(z.object({ message: z.string(), detailsType: z.number(), createdDate: z.string() })).default([]),
      })
      .optional(),
    scriptLog: z
      .object({
        head: z.array(z.string()),
        tail: z.array(z.string()),
        middle: z.array(z.object({ n: z.number().int().min(1), text: z.string() })).optional(),
        failureLines: z.array(z.number().int().min(1)).max(10).optional(),
        failureCount: z.number().int().min(0).optional(),
        totalLines: z.number().int().min(0),
        sizeBytes: z.number(),
        text: z.string().optional(),
        truncated: z.boolean().optional(),
        textFirstLine: z.number().int().min(1).optional(),
      })
      .refine((l) => l.head.length + l.tail.length + (l.middle?.length ?? 0) <= l.totalLines, {
        message: "totalLines is smaller than the lines given",
        path: ["totalLines"],
      })
      .optional(),
    complete: z.boolean().default(true),
    missing: z.array(z.object({ item: z.string(), reason: z.string() })).default([]),
    links: z.object({ qmcTask: z.string().optional(), hubApp: z.string().optional(), qmc: z.string().optional() }).optional(),
  }),
);

export const ServiceEventSchema = z.lazy(() =>
  z.object({
    id: z.string().min(1),
    kind: z.enum(["service.stopped", "service.started"]),
    receivedAt: z.string().min(1),
    host: z.string(),
    service: z.object({
      name: z.string(),
      displayName: z.string().optional(),
      friendlyName: z.string().optional(),
      startType: z.string().optional(),
      exePath: z.string().optional(),
    }),
    state: z.string(),
    previousState: z.string(),
  }),
);

/** What site, data check and watchdog events have in common: an id, a title and summary for people, facts. */
const titledEventFields = () => ({
  id: z.string().min(1),
  receivedAt: z.string().min(1),
  host: z.string(),
  title: z.string(),
  summary: z.string(),
  facts: z.array(NameValue).default([]),
});
const eventData = () => z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({});
const taskRef = () =>
  z.looseObject({ id: z.string(), name: z.string(), tags: z.array(z.string()).default([]), customProperties: z.array(NameValue).default([]) });
const appRef = () =>
  z.looseObject({
    id: z.string(),
    name: z.string(),
    stream: z.string().optional(),
    tags: z.array(z.string()).default([]),
    customProperties: z.array(NameValue).default([]),
    owner: UserRef.optional(),
  });

const reportSection = () =>
  z.object({
    title: z.string(),
    lines: z.array(z.object({ text: z.string(), tone: z.enum(["ok", "warn", "fail", "info"]).optional() })),
    empty: z.string().optional(),
  });
export const SiteEventSchema = z.lazy(() =>
  z.object({ ...titledEventFields(), kind: z.enum(SITE_EVENT_KINDS), data: eventData(), sections: z.array(reportSection()).optional() }),
);

const CheckValueSchema = z.lazy(() => z.object({ text: z.string(), number: z.number().nullable() }));

export const DataCheckEventSchema = z.lazy(() =>
  z.object({
    ...titledEventFields(),
    kind: z.enum(DATA_CHECK_EVENT_KINDS),
    app: appRef(),
    task: taskRef().optional(),
    reload: z.object({ kind: z.enum(["task", "reload-job", "engine", "cloud"]), id: z.string(), at: z.string().optional() }),
    runId: z.string(),
    check: z
      .object({
        name: z.string(),
        expression: z.string(),
        expect: z.string(),
        severity: z.enum(["warn", "block"]),
        value: CheckValueSchema.nullable(),
        previous: z.number().nullable(),
        resolved: z.string().optional(),
        message: z.string().optional(),
      })
      .optional(),
    error: z.object({ message: z.string(), checks: z.array(z.string()) }).optional(),
    holdsBack: z.boolean().default(false),
  }),
);

export const WatchdogEventSchema = z.lazy(() =>
  z.object({
    ...titledEventFields(),
    kind: z.enum([...WATCHDOG_EVENT_KINDS, ...CHECKIN_EVENT_KINDS, ...FRESHNESS_EVENT_KINDS]),
    data: eventData(),
    task: taskRef().optional(),
    app: appRef().optional(),
    condition: z.object({
      type: z.enum([...WATCH_CONDITIONS, ...CHECKIN_CONDITIONS, ...FRESHNESS_CONDITIONS]),
      key: z.string().min(1),
      openedAt: z.string().min(1),
      closedAt: z.string().optional(),
    }),
  }),
);

export const AlertEventInputSchema = z.lazy(() =>
  z.strictObject({
    event: z
      .union([TaskEventSchema, ServiceEventSchema, SiteEventSchema, DataCheckEventSchema, WatchdogEventSchema])
      .optional()
      .describe("A full event as JSON (as on the bus); the other fields are then ignored."),
    kind: z
      .enum(EVENT_KINDS as [EventKind, ...EventKind[]])
      .default("task.failed")
      .describe("Kind of the synthetic event."),
    taskType: z.enum(TASK_TYPES).default("reload"),
    taskId: z.string().min(1).optional().describe("With QRS configured, the task is looked up and its real data used."),
    taskName: z.string().min(1).optional(),
    appId: z.string().min(1).optional(),
    appName: z.string().min(1).optional(),
    host: z.string().min(1).optional(),
    service: z.string().min(1).optional().describe("Service name for service.* kinds."),
  }),
);
export type AlertEventInput = z.infer<typeof AlertEventInputSchema>;

/** Looks up a real task (and its last execution) in QRS and builds the event; wired when a Qlik client exists. */
export type TaskEventLookup = (taskId: string, outcome: TaskOutcome) => Promise<DomainEvent>;

export async function eventFromInput(input: AlertEventInput, nowMs: number, lookup?: TaskEventLookup): Promise<{ event: DomainEvent; note?: string }> {
  if (input.event) return { event: input.event as DomainEvent };
  if ((SITE_EVENT_KINDS as readonly string[]).includes(input.kind))
    return { event: syntheticSiteEvent(input.kind as SiteEventKind, { host: input.host, nowMs }) };
  if ((DATA_CHECK_EVENT_KINDS as readonly string[]).includes(input.kind)) {
    return { event: syntheticDataCheckEvent(input.kind as DataCheckEventKind, { host: input.host, nowMs, appId: input.appId, appName: input.appName }) };
  }
  if ((WATCHDOG_EVENT_KINDS as readonly string[]).includes(input.kind))
    return { event: syntheticWatchdogEvent(input.kind as WatchdogEventKind, { host: input.host, nowMs }) };
  if ((CHECKIN_EVENT_KINDS as readonly string[]).includes(input.kind))
    return { event: syntheticCheckinEvent(input.kind as CheckinEventKind, { host: input.host, nowMs }) };
  if ((FRESHNESS_EVENT_KINDS as readonly string[]).includes(input.kind))
    return { event: syntheticFreshnessEvent(input.kind as FreshnessEventKind, { host: input.host, nowMs }) };
  if (isEngineReloadKind(input.kind))
    return { event: syntheticEngineReloadEvent(input.kind, { host: input.host, appId: input.appId, appName: input.appName, nowMs }) };
  if (input.kind.startsWith("service.")) {
    return {
      event: syntheticServiceEvent({ state: input.kind === "service.stopped" ? "stopped" : "started", host: input.host, service: input.service, nowMs }),
    };
  }
  const outcome = input.kind.slice("task.".length) as TaskOutcome;
  if (input.taskId && lookup) return { event: await lookup(input.taskId, outcome) };
  const event = syntheticTaskEvent({
    outcome,
    taskType: input.taskType,
    taskId: input.taskId,
    taskName: input.taskName,
    appId: input.appId,
    appName: input.appName,
    host: input.host,
    nowMs,
  });
  return { event, note: input.taskId ? "QRS lookup is not available here; task data is synthetic" : undefined };
}
