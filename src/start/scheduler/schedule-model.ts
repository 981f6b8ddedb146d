// What a schedule is: Butler's fields (name, cronSchedule, timezone, qlikSenseTaskId, startupState, tags, id,
// created, lastKnownState) plus date bounds, a time-of-day window, catch-up and event triggers. The zod
// schemas validate API bodies and imported files alike, so errors name the field.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { Cron, CronDate } from "croner";
import { z } from "zod";
import { butlerBoolean } from "../../platform/core/butler-values";
import { isKnownZone } from "../../platform/core/time-zone";
import { TASK_OUTCOMES } from "../../platform/events/types";

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Path words under /v4/schedules that cannot be schedule ids. */
export const RESERVED_IDS = ["startall", "stopall", "status", "bulk", "import"];

export const StartupStateSchema = z.lazy(() => z.enum(["start", "started", "stop", "stopped"]));
export type StartupState = z.infer<typeof StartupStateSchema>;
export type ScheduleState = "started" | "stopped";
export const stateFromStartup = (s: StartupState): ScheduleState => (s === "start" || s === "started" ? "started" : "stopped");

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE_OR_DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

export const TimeWindowSchema = z.lazy(() =>
  z
    .strictObject({
      from: z.string().regex(HHMM, "expected HH:MM (00:00–23:59)").describe("Start of the window, local time in the schedule's zone (inclusive)."),
      to: z
        .string()
        .regex(HHMM, "expected HH:MM (00:00–23:59)")
        .describe("End of the window (inclusive, to the minute). A window may wrap midnight (22:00–04:00)."),
    })
    .describe("Only fire when the local time of day (minute resolution) is inside [from, to]."),
);

export const TriggerSchema = z.lazy(() =>
  z
    .strictObject({
      on: z.array(z.enum(TASK_OUTCOMES)).min(1).describe("Outcomes that fire: succeeded, failed, aborted."),
      taskIds: z.array(z.string().regex(GUID, "expected a task GUID")).default([]).describe("Fire when one of these tasks ends so."),
      taskTags: z.array(z.string().min(1)).default([]).describe("…or when any task with one of these tags ends so."),
      maxFiresPerHour: z
        .number()
        .int()
        .min(1)
        .max(3600)
        .default(6)
        .describe('Loop guard: at most this many starts in any hour; more are skipped and audited ("when Z fails, start Z" cannot spin).'),
    })
    .refine((t) => t.taskIds.length + t.taskTags.length > 0, { message: "give taskIds or taskTags (or both)" })
    .describe("Start qlikSenseTaskId when a watched task finishes with one of the outcomes (instead of a cron schedule)."),
);

export type TimeWindow = z.infer<typeof TimeWindowSchema>;
export type Trigger = z.infer<typeof TriggerSchema>;

const DateBoundSchema = z.lazy(() =>
  z
    .string()
    .regex(DATE_OR_DATETIME, "expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]")
    .describe("A date or date-time; without an offset it is read in the schedule's time zone."),
);

/** Definition fields shared by create, update and import (timezone may be filled in by the caller); built on first use. */
const definitionShape = () => ({
  name: z.string().min(1).max(200).describe("Descriptive name."),
  cronSchedule: z.string().min(1).max(200).optional().describe("5-field (minute first) or 6-field (second first) cron. Omit for an event trigger."),
  timezone: z.string().min(1).optional().describe("IANA time zone the cron and window are read in, e.g. Europe/Stockholm."),
  qlikSenseTaskId: z.string().regex(GUID, "expected a task GUID").describe("The Qlik Sense task to start."),
  startupState: StartupStateSchema.default("started").describe("State on creation: start/started (enabled) or stop/stopped."),
  tags: z.array(z.string().min(1).max(200)).max(100).default([]).describe("Labels to select schedules in bulk."),
  startDate: DateBoundSchema.optional().describe("No fires before this (inclusive)."),
  endDate: DateBoundSchema.optional().describe("No fires from this instant on; a plain date includes that whole day."),
  timeWindow: TimeWindowSchema.optional(),
  catchUp: butlerBoolean.default(false).describe("If fires were missed while Steward was down, run once at start."),
  trigger: TriggerSchema.optional(),
});

function checkDefinition(
  d: { cronSchedule?: string | undefined; trigger?: unknown; timezone?: string | undefined; startDate?: string | undefined; endDate?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (d.cronSchedule === undefined && d.trigger === undefined)
    ctx.addIssue({ code: "custom", path: ["cronSchedule"], message: "give cronSchedule, or trigger for an event-triggered schedule" });
  if (d.cronSchedule !== undefined && d.trigger !== undefined)
    ctx.addIssue({ code: "custom", path: ["trigger"], message: "a schedule has either cronSchedule or trigger, not both" });
  const tzOk = d.timezone === undefined || isKnownZone(d.timezone);
  if (!tzOk)
    ctx.addIssue({ code: "custom", path: ["timezone"], message: `unknown time zone '${d.timezone}' (expected an IANA name such as Europe/Stockholm)` });
  const tz = tzOk ? d.timezone : undefined;
  if (d.cronSchedule !== undefined) {
    const problem = cronProblem(d.cronSchedule, tz);
    if (problem) ctx.addIssue({ code: "custom", path: ["cronSchedule"], message: problem });
  }
  const start = d.startDate === undefined ? undefined : boundInstant(d.startDate, tz ?? "UTC", false);
  const end = d.endDate === undefined ? undefined : boundInstant(d.endDate, tz ?? "UTC", true);
  if (Number.isNaN(start)) ctx.addIssue({ code: "custom", path: ["startDate"], message: "not a valid date" });
  if (Number.isNaN(end)) ctx.addIssue({ code: "custom", path: ["endDate"], message: "not a valid date" });
  if (start !== undefined && end !== undefined && !(end > start)) ctx.addIssue({ code: "custom", path: ["endDate"], message: "must be after startDate" });
}

/** The create body (Butler's POST /v4/schedules plus Steward's fields). */
export const ScheduleInputSchema = z.lazy(() => z.strictObject(definitionShape()).superRefine(checkDefinition));
export type ScheduleInput = z.input<typeof ScheduleInputSchema>;
export type ScheduleDefinition = z.output<typeof ScheduleInputSchema> & { timezone: string };

/** The update body: any field; null clears an optional one. */
export const ScheduleUpdateSchema = z.lazy(() => {
  const shape = definitionShape();
  return z.strictObject({
    name: shape.name.optional(),
    cronSchedule: z.string().min(1).max(200).nullable().optional(),
    timezone: z.string().min(1).optional(),
    qlikSenseTaskId: shape.qlikSenseTaskId.optional(),
    startupState: StartupStateSchema.optional(),
    tags: z.array(z.string().min(1).max(200)).max(100).optional(),
    startDate: DateBoundSchema.nullable().optional(),
    endDate: DateBoundSchema.nullable().optional(),
    timeWindow: TimeWindowSchema.nullable().optional(),
    catchUp: butlerBoolean.optional(),
    trigger: TriggerSchema.nullable().optional(),
  });
});
export type ScheduleUpdate = z.infer<typeof ScheduleUpdateSchema>;

/** Why a cron string is not usable, or undefined when it is (5 or 6 fields). */
export function cronProblem(pattern: string, timezone?: string): string | undefined {
  try {
    new Cron(pattern, { mode: "5-or-6-parts", paused: true, ...(timezone ? { timezone } : {}) });
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/^CronPattern: /, "");
  }
}

/** Epoch ms of a date bound in a zone; a plain end date means the start of the following day. NaN if invalid. */
export function boundInstant(value: string, timezone: string, isEnd: boolean): number {
  let text = value;
  if (isEnd && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split("-").map(Number) as [number, number, number];
    const next = new Date(Date.UTC(y, m - 1, d + 1));
    text = next.toISOString().slice(0, 10);
  }
  try {
    return new CronDate(text.length === 10 ? `${text}T00:00:00` : text, timezone).getTime();
  } catch {
    return Number.NaN;
  }
}

export interface LastRun {
  at: string;
  reason: "cron" | "event" | "catch-up";
  /** held: an event trigger whose reload's data checks failed (a block check): the task was not started. */
  result: "started" | "failed" | "held";
  taskId: string;
  error?: string;
  eventId?: string;
}

export interface MissedReport {
  count: number;
  /** True when counting stopped at scheduler.catchUpLimit. */
  capped: boolean;
  first: string;
  last: string;
  detectedAt: string;
  caughtUp: boolean;
}

/** A schedule as stored and as returned by the API (Butler's fields first). */
export interface Schedule {
  id: string;
  name: string;
  cronSchedule?: string;
  timezone: string;
  qlikSenseTaskId: string;
  startupState: StartupState;
  tags: string[];
  created: string;
  lastKnownState: ScheduleState;
  startDate?: string;
  endDate?: string;
  timeWindow?: TimeWindow;
  catchUp: boolean;
  trigger?: Trigger;
  updated?: string;
  /** Next cron fire (ISO), null when stopped, event-triggered, or past its end. */
  nextRun: string | null;
  lastRun?: LastRun;
  missed?: MissedReport;
}

/** The definition part of a schedule (what create/update/import set). */
export function definitionOf(s: Schedule): ScheduleDefinition {
  const { name, cronSchedule, timezone, qlikSenseTaskId, startupState, tags, startDate, endDate, timeWindow, catchUp, trigger } = s;
  return {
    name,
    timezone,
    qlikSenseTaskId,
    startupState,
    tags,
    catchUp,
    ...(cronSchedule !== undefined ? { cronSchedule } : {}),
    ...(startDate !== undefined ? { startDate } : {}),
    ...(endDate !== undefined ? { endDate } : {}),
    ...(timeWindow !== undefined ? { timeWindow } : {}),
    ...(trigger !== undefined ? { trigger } : {}),
  };
}
