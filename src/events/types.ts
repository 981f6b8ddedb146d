// The domain events that flow from intake and monitoring to the notification pipeline, the scheduler and the
// dashboard. This file is the single documented contract for them; payloads are plain JSON (they are stored
// in the outbox and survive restarts).
import type { ErrorClass, IncidentRef, RunHistory, RunWarning } from "./run-context";

export * from "./run-context";

/** Qlik Sense task types; the QRS `taskType` numbers are 0..4 in this order. */
export const TASK_TYPES = ["reload", "externalProgram", "userSync", "distribute", "preload"] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const TASK_OUTCOMES = ["succeeded", "failed", "aborted"] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

/**
 * A run's own outcome, plus the two follow-ups src/incidents/ raises from a run: `task.recovered` (a success that
 * closed the task's incident) and `task.warning` (a success whose log or duration looks wrong).
 */
export const TASK_EVENT_KINDS = ["task.succeeded", "task.failed", "task.aborted", "task.recovered", "task.warning"] as const;
export type TaskEventKind = (typeof TASK_EVENT_KINDS)[number];
export type ServiceEventKind = "service.stopped" | "service.started";
/** Site-wide conditions the site monitors raise (license, version). */
export const SITE_EVENT_KINDS = ["license.expiring", "license.expired", "license.low_availability", "license.released", "qliksense.version_changed"] as const;
export type SiteEventKind = (typeof SITE_EVENT_KINDS)[number];
export type EventKind = TaskEventKind | ServiceEventKind | SiteEventKind;
export const EVENT_KINDS: readonly EventKind[] = [...TASK_EVENT_KINDS, "service.stopped", "service.started", ...SITE_EVENT_KINDS];

export interface NameValue {
  name: string;
  value: string;
}

export interface QlikUserRef {
  id?: string;
  userDirectory: string;
  userId: string;
  name?: string;
  /** All e-mail attributes of the user, in QRS order. */
  emails: string[];
}

export interface ExecutionDetail {
  message: string;
  detailsType: number;
  createdDate: string;
}

export interface ExecutionInfo {
  executionResultId?: string;
  /** QRS status code (7 FinishedSuccess, 8 FinishedFail, 6 Aborted, …) and its name. */
  statusCode: number;
  status: string;
  startTime?: string;
  stopTime?: string;
  durationMs?: number;
  executingNode?: string;
  details: ExecutionDetail[];
  fileReferenceId?: string;
  scriptLogSize?: number;
}

/**
 * What an event keeps of a reload's script log (built by `keepScriptLog` in script-log-excerpt.ts). Lines longer
 * than 2,000 characters are cut with a visible note. Messages show an excerpt of these lines with a marker for
 * every stretch left out, so no line is ever skipped silently.
 */
export interface ScriptLogExcerpt {
  /** Lines 1 … head.length of the log. */
  head: string[];
  /** The last lines of the log (totalLines - tail.length + 1 … totalLines); never overlapping head. */
  tail: string[];
  /** Lines between head and tail kept because they state the failure or surround such a line, in order. */
  middle?: Array<{ n: number; text: string }>;
  /** Numbers (1-based) of the lines that state the failure (`Error: …`, `Execution Failed`), wherever they are;
   * of many, the first 5 and the last 5. */
  failureLines?: number[];
  /** How many lines state a failure in the whole log. */
  failureCount?: number;
  totalLines: number;
  sizeBytes: number;
  /** The whole log (capped), attached to failure e-mails. */
  text?: string;
  /** `text` holds only the end of the log, from line `textFirstLine` (a whole line) on. */
  truncated?: boolean;
  textFirstLine?: number;
}

/** A finished (or aborting) Qlik Sense task run. */
export interface TaskEvent {
  /** Stable identity: `${executionId}:${outcome}`. Used for deduplication and delivery idempotency. */
  id: string;
  kind: TaskEventKind;
  outcome: TaskOutcome;
  taskType: TaskType;
  /** How Steward learnt of it: a scheduler datagram, a QRS reconciliation pass, or a test/preview. */
  source: "udp" | "reconcile" | "test";
  /** When Steward received/created the event (ISO-8601 UTC). */
  receivedAt: string;
  /** Node host name as sent by the scheduler (datagram field 1) or the executing node from QRS. */
  host: string;
  executionId: string;
  /** The user that ran or aborted the task, `DIRECTORY\userid`. */
  user: string;
  /** Datagram timestamp (server-local `yyyy-MM-dd HH:mm:ss,fff`), log level and message, when from UDP. */
  logTimestamp?: string;
  logLevel?: string;
  logMessage?: string;
  task: {
    id: string;
    name: string;
    enabled?: boolean;
    tags: string[];
    customProperties: NameValue[];
    /** Optional QRS task metadata, offered to alert templates (Butler's task* variables). */
    isManuallyTriggered?: boolean;
    isPartialReload?: boolean;
    maxRetries?: number;
    sessionTimeoutMinutes?: number;
    modifiedDate?: string;
    modifiedByUserName?: string;
    nextExecution?: string;
  };
  app?: {
    id: string;
    name: string;
    stream?: string;
    published?: boolean;
    tags: string[];
    customProperties: NameValue[];
    owner?: QlikUserRef;
    lastReloadTime?: string;
    /** Optional QRS app metadata, offered to alert templates (Butler's app* variables). */
    description?: string;
    fileSize?: number;
    modifiedDate?: string;
    modifiedByUserName?: string;
    publishTime?: string;
  };
  execution?: ExecutionInfo;
  scriptLog?: ScriptLogExcerpt;
  /**
   * False when an enrichment lookup failed or timed out; `missing` names what is absent and why. Items:
   * `qrs` (qlik not configured), `task`, `taskType` (guessed), `execution`, `app`, `appOwner`, `scriptLog`,
   * `outcome` (a distribution's outcome guessed from the log level), `confirmation` (see `unconfirmed`).
   */
  complete: boolean;
  missing: Array<{ item: string; reason: string }>;
  /**
   * Present when QRS is configured and did not confirm that this run happened: UDP is unauthenticated and source
   * addresses can be forged, so a datagram alone proves nothing. `denied`: QRS answered and has no such run (or
   * reports another outcome); `unavailable`: QRS could not be asked. Such an event never starts a task, and it
   * reaches channels only as `intake.confirm.alertUnconfirmed` allows. Absent for confirmed runs, reconciliation
   * (read from QRS) and when `qlik` is not configured.
   */
  unconfirmed?: { qrs: "denied" | "unavailable"; reason: string };
  /** Links an admin can click: QMC task page, hub app. */
  links?: { qmcTask?: string; hubApp?: string; qmc?: string };
  /** The task's recent runs (src/incidents/); absent when incidents are off or the event never reached them. */
  history?: RunHistory;
  /** The likely cause of a failed or aborted run, from the pattern table; `unknown` when no rule matched. */
  errorClass?: ErrorClass;
  /** One line an administrator can act on, for the class. */
  errorHint?: string;
  /** The log line the class was read from. */
  errorLine?: string;
  /** The incident this run opened, updated or (task.recovered) closed. */
  incident?: IncidentRef;
  /** task.warning: why a successful run looks wrong. */
  warnings?: RunWarning[];
}

/** A watched Windows service or systemd unit changed state. */
export interface ServiceEvent {
  id: string;
  kind: ServiceEventKind;
  receivedAt: string;
  host: string;
  service: { name: string; displayName?: string; friendlyName?: string; startType?: string; exePath?: string };
  state: string;
  previousState: string;
}

/**
 * A site-wide condition (a license threshold crossed, licenses released, the Qlik Sense version changed), in
 * one generic shape: a title and summary for people, facts every channel can list, data for machines.
 */
export interface SiteEvent {
  /** Stable identity of the condition, so it is alerted once. */
  id: string;
  kind: SiteEventKind;
  receivedAt: string;
  /** The Qlik Sense host (qlik.host) it was read from. */
  host: string;
  title: string;
  summary: string;
  facts: NameValue[];
  data: Record<string, string | number | boolean | null>;
}

export type DomainEvent = TaskEvent | ServiceEvent | SiteEvent;

/** Event kinds and payloads as carried on the bus. */
export interface DomainEvents {
  "task.succeeded": TaskEvent;
  "task.failed": TaskEvent;
  "task.aborted": TaskEvent;
  "task.recovered": TaskEvent;
  "task.warning": TaskEvent;
  "service.stopped": ServiceEvent;
  "service.started": ServiceEvent;
  "license.expiring": SiteEvent;
  "license.expired": SiteEvent;
  "license.low_availability": SiteEvent;
  "license.released": SiteEvent;
  "qliksense.version_changed": SiteEvent;
}

export function isTaskEvent(e: DomainEvent): e is TaskEvent {
  return e.kind.startsWith("task.");
}

export function isServiceEvent(e: DomainEvent): e is ServiceEvent {
  return e.kind.startsWith("service.");
}

export function isSiteEvent(e: DomainEvent): e is SiteEvent {
  return (SITE_EVENT_KINDS as readonly string[]).includes(e.kind);
}
