// The domain events that flow from intake and monitoring to the notification pipeline, the scheduler and the
// dashboard. This file is the single documented contract for them; payloads are plain JSON (they are stored
// in the outbox and survive restarts).
import type { WithCause } from "./cause-summary";
import type { ExecutionInfo, NameValue, QlikUserRef, ReportSection, ScriptLogExcerpt } from "./event-parts";
import type { ErrorClass, IncidentRef, RetryAndTolerance, RunHistory, RunWarning } from "./run-context";
import { ENGINE_RELOAD_EVENT_KINDS, type EngineReloadEventKind, isEngineReloadKind } from "./engine-reload";
import type { CloudAutomationEventKind, CloudDataTaskEventKind } from "./cloud-events";
import { SITE_EVENT_KINDS, type SiteEventKind } from "./site-event-kinds";

export * from "./run-context";
export * from "./engine-reload";
export * from "./event-parts";
export * from "./site-event-kinds";

/** On the run whose page stands for a flood of unconfirmed runs from one address (issue 86): what keys its cause. */
export interface UnconfirmedFlood {
  address: string;
  outcome: TaskOutcome;
}

/** Qlik Sense task types; the QRS `taskType` numbers are 0..4 in this order. */
export const TASK_TYPES = ["reload", "externalProgram", "userSync", "distribute", "preload"] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const TASK_OUTCOMES = ["succeeded", "failed", "aborted"] as const;
export type TaskOutcome = (typeof TASK_OUTCOMES)[number];

/**
 * A run's own outcome, plus the two follow-ups src/tell/incidents/ raises from a run: `task.recovered` (a success that
 * closed the task's incident) and `task.warning` (a success whose log or duration looks wrong).
 */
export const TASK_EVENT_KINDS = ["task.succeeded", "task.failed", "task.aborted", "task.recovered", "task.warning"] as const;
export type TaskEventKind = (typeof TASK_EVENT_KINDS)[number];
export type ServiceEventKind = "service.stopped" | "service.started";
/** What the data checks after a reload found (src/watch/checks): a check failed, passed again, or could not be evaluated. */
export const DATA_CHECK_EVENT_KINDS = ["data.check_failed", "data.check_passed", "data.check_error"] as const;
export type DataCheckEventKind = (typeof DATA_CHECK_EVENT_KINDS)[number];
/**
 * What the watchdog (src/watch/watchdog) raises about runs that did not happen as planned, and `task.on_track`, the
 * follow-up that closes each of them. `task.notice` is what is worth knowing but not worth a page (a run longer than
 * usual while the task's limit is still being learned, a trigger that reached the end date its admin set): for the
 * report and the dashboard, and for a route that lists it.
 */
export const WATCHDOG_EVENT_KINDS = [
  "scheduler.queue_backlog",
  "task.missed",
  "task.retrying",
  "task.chain_broken",
  "task.running_long",
  "app.stale",
  "task.disabled",
  "task.notice",
  "task.on_track",
] as const;
export type WatchdogEventKind = (typeof WATCHDOG_EVENT_KINDS)[number];
/**
 * What the check-ins (src/watch/checkins) raise about the jobs before Qlik that ping Steward: a job that did not check in
 * on its schedule, reported a failure, or started and has not finished; `checkin.recovered` closes each of them.
 * They have the watchdog event's shape (WatchdogEvent), so every channel and route treats them alike.
 */
export const CHECKIN_EVENT_KINDS = ["checkin.missed", "checkin.failed", "checkin.running_long", "checkin.recovered"] as const;
export type CheckinEventKind = (typeof CHECKIN_EVENT_KINDS)[number];
/**
 * What the freshness promises (src/watch/freshness) raise: an app not yet fresh at its warning time, not fresh at its
 * deadline, and `app.freshness_recovered` once it is. In the watchdog event's shape, with the app.
 */
export const FRESHNESS_EVENT_KINDS = ["app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"] as const;
export type FreshnessEventKind = (typeof FRESHNESS_EVENT_KINDS)[number];
export type EventKind =
  | TaskEventKind
  | EngineReloadEventKind
  | ServiceEventKind
  | SiteEventKind
  | DataCheckEventKind
  | WatchdogEventKind
  | CheckinEventKind
  | FreshnessEventKind;
export const EVENT_KINDS: readonly EventKind[] = [
  ...TASK_EVENT_KINDS,
  ...ENGINE_RELOAD_EVENT_KINDS,
  "service.stopped",
  "service.started",
  ...SITE_EVENT_KINDS,
  ...DATA_CHECK_EVENT_KINDS,
  ...WATCHDOG_EVENT_KINDS,
  ...CHECKIN_EVENT_KINDS,
  ...FRESHNESS_EVENT_KINDS,
];

/** A finished (or aborting) Qlik Sense task run. */
export interface TaskEvent extends WithCause, RetryAndTolerance {
  /** Stable identity: `${executionId}:${outcome}`. Used for deduplication and delivery idempotency. */
  id: string;
  kind: TaskEventKind | EngineReloadEventKind;
  outcome: TaskOutcome;
  taskType: TaskType;
  /**
   * How Steward learnt of it: a scheduler datagram, a QRS reconciliation pass, a Qlik Cloud tenant poll (src/hear/cloud),
   * the Engine's reload lines (src/hear/engine), or a test/preview.
   */
  source: "udp" | "reconcile" | "test" | "cloud" | "engine";
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
   * The QRS task/full object as read (Butler's qs_taskMetadata on MQTT), with operational.lastExecutionResult the
   * final result of this run when QRS's copy was of this run; an aborted run's stays as read when the abort was
   * reported (status Aborting), as Butler sent it. Absent when the task lookup failed.
   */
  taskMetadata?: Record<string, unknown>;
  /** The QRS app/full object as read (Butler's qs_appMetadata on MQTT). Absent without an app or when its lookup failed. */
  appMetadata?: Record<string, unknown>;
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
  unconfirmed?: { qrs: "denied" | "unavailable"; reason: string; flood?: UnconfirmedFlood };
  /**
   * A reload outside the Scheduler (app.reload_failed, app.reload_succeeded): where it was started from, as the Engine's
   * ProxySessionId tells: `proxy`, through the Qlik Proxy (the hub or the data load editor, which the Engine's lines do
   * not tell apart); `engine-api`, straight on the Engine API (an integration, a mashup, a script).
   */
  startedVia?: "proxy" | "engine-api";
  /** Links an admin can click: QMC task page, hub app. */
  links?: { qmcTask?: string; hubApp?: string; qmc?: string };
  /** The task's recent runs (src/tell/incidents/); absent when incidents are off or the event never reached them. */
  history?: RunHistory;
  /** The likely cause of a failed or aborted run, from the pattern table; `unknown` when no rule matched. */
  errorClass?: ErrorClass;
  /** One line an administrator can act on, for the class. */
  errorHint?: string;
  /** The log line the class was read from. */
  errorLine?: string;
  /** The incident this run opened, updated or (task.recovered) closed. */
  incident?: IncidentRef;
  /**
   * A failure Steward heard of only after the task ran again successfully (its datagram lost and reconciliation found
   * it, or the success closed its incident before its page was queued): when that success ended (ISO-8601 UTC). Such a
   * failure opens no incident and pages no on-call product (nothing would end its alert); it is recorded, shown in the
   * task's history and the report, and sent as a notice only on routes with `lateFailures: true`.
   * `incidentId`: the incident the failure was recorded in before its page could be queued (the Steward that recorded
   * it stopped, or the store went away), which that success ended; unset when the failure counted in none.
   */
  heardAfterSuccess?: { succeededAt: string; incidentId?: number };
  /** task.warning: why a successful run looks wrong. */
  warnings?: RunWarning[];
}

/** A watched Windows service or systemd unit changed state. */
export interface ServiceEvent extends WithCause {
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
export interface SiteEvent extends WithCause {
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
  /** A report's sections (report.morning, report.weekly): each a heading and its lines. */
  sections?: ReportSection[];
}

/** How the reload that a data check followed came about. */
export interface ReloadTrigger {
  /**
   * `task`: a reload task heard from QSEoW; `reload-job`: a reload Steward ran (PUT /v4/app/{id}/reload); `engine`: a reload
   * of a published app outside the Scheduler, heard from the Engine (src/hear/engine); `cloud`: reserved.
   */
  kind: "task" | "reload-job" | "engine" | "cloud";
  /** The execution id (task), the job id (reload-job) or the Cloud reload id. */
  id: string;
  /** When the reload finished (ISO-8601), when known. */
  at?: string;
}

/** The value the Engine gave for an expression (EvaluateEx's dual): its text, and its number when it has one. */
export interface CheckValue {
  text: string;
  number: number | null;
}

/**
 * One data check's outcome after a reload, or (check absent) an error that stopped every check of the app: the
 * Engine could not be reached, refused the app or did not answer in time. Carries title, summary and facts like
 * a site event, so every channel can show it, plus the app, task and check for routes and templates.
 */
export interface DataCheckEvent extends WithCause {
  /** Stable per run and check: `check:<run>:<check>:<status>` (or `check:<run>:error` for the whole run). */
  id: string;
  kind: DataCheckEventKind;
  receivedAt: string;
  /** The Engine node the checks ran on. */
  host: string;
  title: string;
  summary: string;
  facts: NameValue[];
  app: { id: string; name: string; stream?: string; tags: string[]; customProperties: NameValue[]; owner?: QlikUserRef };
  /** The reload task, when the reload was one. */
  task?: { id: string; name: string; tags: string[]; customProperties: NameValue[] };
  reload: ReloadTrigger;
  /** The check run (one per reload): `task:<executionId>` or `job:<jobId>`. */
  runId: string;
  check?: {
    name: string;
    expression: string;
    expect: string;
    severity: "warn" | "block";
    value: CheckValue | null;
    previous: number | null;
    /** The expectation with its terms worked out (e.g. ">= 45963" for ">= Today() - 1"). */
    resolved?: string;
    /** Why it failed or could not be evaluated (the Engine's message for a bad expression). */
    message?: string;
  };
  /** A run-level error: what went wrong and the checks it left unevaluated. */
  error?: { message: string; checks: string[] };
  /** True when this failure (or error) makes Steward hold back the follow-up tasks it would start. */
  holdsBack: boolean;
}

/** The conditions the watchdog opens; `task.on_track` closes one of them and names it. */
export const WATCH_CONDITIONS = ["missed", "skipped", "retrying", "chain_broken", "running_long", "stale", "disabled", "queue_backlog"] as const;
export type WatchCondition = (typeof WATCH_CONDITIONS)[number];
/** The conditions the check-ins open; `checkin.recovered` closes one of them and names it. */
export const CHECKIN_CONDITIONS = ["checkin_missed", "checkin_failed", "checkin_running_long"] as const;
export type CheckinCondition = (typeof CHECKIN_CONDITIONS)[number];
/** The levels of a freshness promise not kept; `app.freshness_recovered` closes one and names the level it reached. */
export const FRESHNESS_CONDITIONS = ["freshness_warning", "freshness_breached"] as const;
export type FreshnessCondition = (typeof FRESHNESS_CONDITIONS)[number];

/**
 * A run that should have happened and did not (or is taking too long), found by the watchdog from the tasks'
 * own QRS triggers and their history. Carries title, summary and facts like a site event, so every channel can
 * show it, plus the task and app for routes, recipients and templates.
 */
export interface WatchdogEvent extends WithCause {
  /** Stable per condition and occurrence: `watch:<condition key>:<opened at ms>:<open|closed>`. */
  id: string;
  kind: WatchdogEventKind | CheckinEventKind | FreshnessEventKind;
  receivedAt: string;
  /** The node the task runs on when known, else the Qlik Sense host (qlik.host); for a check-in, the Steward that judged it. */
  host: string;
  title: string;
  summary: string;
  facts: NameValue[];
  /** The same facts for machines (InfluxDB fields, MQTT, webhooks): times ISO-8601, durations in ms. */
  data: Record<string, string | number | boolean | null>;
  task?: { id: string; name: string; tags: string[]; customProperties: NameValue[] };
  app?: { id: string; name: string; stream?: string; tags: string[]; customProperties: NameValue[]; owner?: QlikUserRef };
  condition: {
    type: WatchCondition | CheckinCondition | FreshnessCondition;
    /** Identifies the condition while it is open (e.g. `missed:<task id>:<trigger id>`). */
    key: string;
    openedAt: string;
    /** task.on_track: when the condition ended. */
    closedAt?: string;
  };
}

export type DomainEvent = TaskEvent | ServiceEvent | SiteEvent | DataCheckEvent | WatchdogEvent;

/** Event kinds and payloads as carried on the bus. */
export interface DomainEvents extends Record<CloudAutomationEventKind | CloudDataTaskEventKind | "remediation.action_update", SiteEvent> {
  "task.succeeded": TaskEvent;
  "task.failed": TaskEvent;
  "task.aborted": TaskEvent;
  "task.recovered": TaskEvent;
  "task.warning": TaskEvent;
  "app.reload_failed": TaskEvent;
  "app.reload_succeeded": TaskEvent;
  "service.stopped": ServiceEvent;
  "service.started": ServiceEvent;
  "license.expiring": SiteEvent;
  "license.expired": SiteEvent;
  "license.low_availability": SiteEvent;
  "license.released": SiteEvent;
  "qliksense.version_changed": SiteEvent;
  "influxdb.field_conflict": SiteEvent;
  "qlikcloud.key_rejected": SiteEvent;
  "qlikcloud.key_expiring": SiteEvent;
  "steward.degraded": SiteEvent;
  "steward.recovered": SiteEvent;
  "intake.node_silent": SiteEvent;
  "intake.node_recovered": SiteEvent;
  "report.morning": SiteEvent;
  "report.weekly": SiteEvent;
  "maintenance.summary": SiteEvent;
  "cause.resolved": SiteEvent;
  "data.check_failed": DataCheckEvent;
  "data.check_passed": DataCheckEvent;
  "data.check_error": DataCheckEvent;
  "scheduler.queue_backlog": WatchdogEvent;
  "task.missed": WatchdogEvent;
  "task.retrying": WatchdogEvent;
  "task.chain_broken": WatchdogEvent;
  "task.running_long": WatchdogEvent;
  "app.stale": WatchdogEvent;
  "task.disabled": WatchdogEvent;
  "task.notice": WatchdogEvent;
  "task.on_track": WatchdogEvent;
  "checkin.missed": WatchdogEvent;
  "checkin.failed": WatchdogEvent;
  "checkin.running_long": WatchdogEvent;
  "checkin.recovered": WatchdogEvent;
  "app.freshness_warning": WatchdogEvent;
  "app.freshness_breached": WatchdogEvent;
  "app.freshness_recovered": WatchdogEvent;
}

export function isTaskEvent(e: DomainEvent): e is TaskEvent {
  return (TASK_EVENT_KINDS as readonly string[]).includes(e.kind) || isEngineReloadKind(e.kind);
}

export function isWatchdogEvent(e: DomainEvent): e is WatchdogEvent {
  return (
    (WATCHDOG_EVENT_KINDS as readonly string[]).includes(e.kind) ||
    (CHECKIN_EVENT_KINDS as readonly string[]).includes(e.kind) ||
    (FRESHNESS_EVENT_KINDS as readonly string[]).includes(e.kind)
  );
}

export function isServiceEvent(e: DomainEvent): e is ServiceEvent {
  return e.kind.startsWith("service.");
}

export function isDataCheckEvent(e: DomainEvent): e is DataCheckEvent {
  return e.kind.startsWith("data.");
}

export function isSiteEvent(e: DomainEvent): e is SiteEvent {
  return (SITE_EVENT_KINDS as readonly string[]).includes(e.kind);
}
