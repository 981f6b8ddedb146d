// What the Qlik Sense scheduler's log4net UDP appenders send (qlik-protocols §1), after parsing; and the Engine's
// reload lines (src/hear/engine, docs/engine-reloads.md).
import type { EngineLine } from "../engine/engine-line";

/** The datagram prefixes Steward accepts (field 0, compared lower-cased, without the surrounding slashes). */
export const SCHEDULER_PREFIXES = {
  "scheduler-task-failed": { outcome: "failed", generation: "current" },
  "scheduler-reload-failed": { outcome: "failed", generation: "legacy" },
  "scheduler-reloadtask-failed": { outcome: "failed", generation: "legacy" },
  "scheduler-task-aborted": { outcome: "aborted", generation: "current" },
  "scheduler-reload-aborted": { outcome: "aborted", generation: "legacy" },
  "scheduler-task-success": { outcome: "succeeded", generation: "current" },
  "scheduler-reloadtask-success": { outcome: "succeeded", generation: "legacy" },
  "scheduler-distribute": { outcome: "distribute", generation: "current" },
} as const;

export type SchedulerPrefix = keyof typeof SCHEDULER_PREFIXES;
/** `distribute` datagrams announce the end of a distribution run; the outcome comes from QRS. */
export type SchedulerOutcome = (typeof SCHEDULER_PREFIXES)[SchedulerPrefix]["outcome"];

export const ENGINE_PREFIX = "engine-reload-failed";

export interface SchedulerMessage {
  kind: "scheduler";
  /** Normalised prefix name, e.g. `scheduler-task-success` (also for the shipped `/scheduler-task-success//`). */
  prefix: SchedulerPrefix;
  outcome: SchedulerOutcome;
  /** `legacy` for the 2023–2024 appender file prefixes. */
  generation: "current" | "legacy";
  host: string;
  taskName: string;
  /** Empty for tasks without an app (and for log4net's `(null)`). */
  appName: string;
  /** `DIRECTORY\userid` as sent. */
  user: string;
  /** Lower-case GUIDs. */
  taskId: string;
  appId?: string;
  /**
   * The run's ExecutionId (lower-case GUID); when the datagram gave none (empty, log4net's `(null)`, anything not a
   * GUID), a stand-in made of the task, the log line's time and nothing else (`noexec:<taskId>:<timestamp>`), so a
   * resent or duplicated datagram of that run is still one run (issue 59).
   */
  executionId: string;
  /** Set when the datagram named no execution: the field as sent ("(null)", "", …). */
  executionIdAsSent?: string;
  /** Server-local `yyyy-MM-dd HH:mm:ss,fff`, as sent. */
  timestamp: string;
  level: string;
  message: string;
  /** `;` inside the task or app name made the split between the two a guess; QRS names win in enrichment. */
  namesAmbiguous: boolean;
  /** A field was longer than the configured cap and was cut. */
  truncated: boolean;
}

export interface EngineMessage {
  kind: "engine";
  prefix: typeof ENGINE_PREFIX;
  host: string;
  appId: string;
  /**
   * Field 3 as sent: the Engine's `%property{SessionId}` in the appender layout Butler documents in its own code
   * (`…;%property{AppId};%property{SessionId};%property{ActiveUserDirectory};…`). Butler reads it nowhere, and its
   * test datagram carries a placeholder (an app name) there; neither is checked, and the app is named by field 2.
   */
  sessionId: string;
  userDirectory: string;
  userId: string;
  timestamp: string;
  level: string;
  message: string;
  truncated: boolean;
}

/** A line of the Engine's reload appender (`/engine-reload/`), parsed by src/hear/engine/engine-parser.ts. */
export interface EngineReloadMessage {
  kind: "engine-reload";
  line: EngineLine;
  /** A field was longer than the cap and was cut (as line.truncated). */
  truncated: boolean;
}

export type ParsedDatagram = SchedulerMessage | EngineMessage | EngineReloadMessage;

export const REJECT_REASONS = [
  "empty",
  "unknown_prefix",
  "too_few_fields",
  "bad_task_id",
  "bad_app_id",
  "bad_execution_id",
  "bad_log_date",
  "bad_engine_app_id",
  "engine_no_app",
  "bad_engine_time",
  "internal_error",
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export type ParseResult = { ok: true; message: ParsedDatagram } | { ok: false; reason: RejectReason; detail: string };
