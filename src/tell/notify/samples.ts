// Synthetic events: the sample data templates are checked against, and the events behind
// `steward alert test` and POST /v4/alerts/test (marked source "test").
import { randomUUID } from "node:crypto";
import { scriptLogExcerpt } from "../../hear/events/enrich-mappers";
import type {
  DataCheckEvent,
  DataCheckEventKind,
  ServiceEvent,
  SiteEvent,
  ReportSection,
  SiteEventKind,
  TaskEvent,
  TaskEventKind,
  TaskOutcome,
  TaskType,
  WatchCondition,
  WatchdogEvent,
  WatchdogEventKind,
} from "../../platform/events/types";
import { dataCheckEvent } from "../../hear/events/data-check-event";
import { watchdogEvent } from "../../watch/watchdog/watchdog-event";
import { STEWARD_SAMPLES } from "./steward-samples";
import { AUTOMATION_SAMPLES } from "./automation-samples";
import { DATA_TASK_SAMPLES } from "./data-task-samples";
import { ACTION_UPDATE_SAMPLE } from "./action-update-sample";

export interface SyntheticTaskOptions {
  outcome?: TaskOutcome;
  /** task.recovered or task.warning (outcome succeeded); default task.<outcome>. */
  kind?: TaskEventKind;
  taskType?: TaskType;
  taskName?: string;
  taskId?: string;
  appName?: string;
  appId?: string;
  host?: string;
  nowMs?: number;
  /** Fills every optional part (owner, script log, details) so templates meet all branches. */
  full?: boolean;
}

const STATUS: Record<TaskOutcome, [number, string]> = { succeeded: [7, "FinishedSuccess"], failed: [8, "FinishedFail"], aborted: [6, "Aborted"] };

export function syntheticTaskEvent(o: SyntheticTaskOptions = {}): TaskEvent {
  const outcome = o.kind === "task.recovered" || o.kind === "task.warning" ? "succeeded" : (o.outcome ?? "failed");
  const kind: TaskEventKind = o.kind ?? `task.${outcome}`;
  const taskType = o.taskType ?? "reload";
  const now = o.nowMs ?? Date.now();
  const executionId = randomUUID();
  const start = new Date(now - 83_000).toISOString();
  const stop = new Date(now - 1_000).toISOString();
  const [statusCode, status] = STATUS[outcome];
  const hasApp = taskType === "reload" || taskType === "distribute" || taskType === "preload";
  const logLines = [
    "20260301T140001.000+0100 Execution started.",
    "20260301T140001.050+0100 Qlik Sense Server Version 14.173.4",
    "20260301T140002.110+0100 LIB CONNECT TO 'Sales DW'",
    "20260301T140003.400+0100 Orders << OrderLines 1,204,331 Lines fetched",
    outcome === "failed" ? "20260301T140122.900+0100 Error: Field 'CustomerKey' not found" : "20260301T140122.900+0100 Execution finished.",
  ];
  const full = o.full ?? true;
  const failed = outcome !== "succeeded";
  return {
    id: kind === `task.${outcome}` ? `${executionId}:${outcome}` : `${executionId}:${kind.slice("task.".length)}`,
    kind,
    outcome,
    taskType,
    source: "test",
    receivedAt: new Date(now).toISOString(),
    host: o.host ?? "sense1.corp.example",
    executionId,
    user: "CORP\\qlik_service",
    logTimestamp: new Date(now).toISOString().replace("T", " ").replace("Z", ""),
    logLevel: outcome === "succeeded" ? "INFO" : "ERROR",
    logMessage:
      outcome === "succeeded"
        ? "Execution State Change to FinishedSuccess"
        : outcome === "aborted"
          ? "Execution State Change to Aborting"
          : "Max retries reached",
    task: {
      id: o.taskId ?? randomUUID(),
      name: o.taskName ?? "Steward test: Sales dashboard reload",
      tags: full ? ["Finance", "Nightly"] : [],
      customProperties: full ? [{ name: "Steward_Alert", value: "Yes" }] : [],
      isManuallyTriggered: false,
      isPartialReload: false,
      maxRetries: 0,
      sessionTimeoutMinutes: 1440,
      nextExecution: "1753-01-01T00:00:00.000Z",
    },
    app: hasApp
      ? {
          id: o.appId ?? randomUUID(),
          name: o.appName ?? "Sales dashboard",
          stream: full ? "Finance" : undefined,
          published: full,
          tags: full ? ["Certified"] : [],
          customProperties: [],
          owner: full ? { userDirectory: "CORP", userId: "anna", name: "Anna Andersson", emails: ["anna@corp.example"] } : undefined,
          lastReloadTime: stop,
        }
      : undefined,
    execution: {
      statusCode,
      status,
      startTime: start,
      stopTime: stop,
      durationMs: 82_000,
      executingNode: o.host ?? "sense1.corp.example",
      details: full
        ? [
            { message: "Changing task state from NeverStarted to Triggered", detailsType: 2, createdDate: start },
            { message: `Changing task state to ${status}`, detailsType: outcome === "succeeded" ? 2 : 3, createdDate: stop },
          ]
        : [],
    },
    scriptLog: full && taskType === "reload" ? scriptLogExcerpt(logLines.join("\r\n"), 20, 40, 1024 * 1024) : undefined,
    complete: full,
    missing: full ? [] : [{ item: "scriptLog", reason: "synthetic event without a script log" }],
    ...(full
      ? {
          history: {
            consecutiveFailures: failed ? 3 : 0,
            lastSuccessAt: new Date(now - 86_400_000).toISOString(),
            ...(failed ? { failingSince: new Date(now - 2 * 3_600_000).toISOString() } : {}),
            usualDurationMs: 250_000,
            durationMs: 82_000,
            runsKnown: 12,
            startedBy: { kind: "scheduler" as const, user: "CORP\\qlik_service", text: "a trigger or task chain" },
          },
          ...(failed
            ? {
                errorClass: "script" as const,
                errorHint:
                  "The load script stopped on an error of its own (syntax, a field or table that does not exist): open it in the data load editor at the line in the log; a source may have renamed a column.",
                errorLine: "Field 'CustomerKey' not found",
                incident: { id: 42, status: "open" as const, failures: 3, openedAt: new Date(now - 2 * 3_600_000).toISOString() },
              }
            : {}),
          ...(kind === "task.recovered"
            ? {
                incident: {
                  id: 42,
                  status: "closed" as const,
                  failures: 3,
                  openedAt: new Date(now - 2 * 3_600_000).toISOString(),
                  closedAt: stop,
                  durationMs: 2 * 3_600_000 - 1000,
                },
              }
            : {}),
          ...(kind === "task.warning"
            ? {
                warnings: [
                  { kind: "emptyTable" as const, table: "Orders", message: "Table Orders loaded 0 rows; the last 3 runs loaded 1 204 331 to 1 210 554 rows" },
                ],
              }
            : {}),
        }
      : {}),
  };
}

export function syntheticServiceEvent(o: { state?: "stopped" | "started"; host?: string; service?: string; nowMs?: number } = {}): ServiceEvent {
  const state = o.state ?? "stopped";
  return {
    id: `svc:${randomUUID()}`,
    kind: state === "stopped" ? "service.stopped" : "service.started",
    receivedAt: new Date(o.nowMs ?? Date.now()).toISOString(),
    host: o.host ?? "sense1.corp.example",
    service: { name: o.service ?? "QlikSenseSchedulerService", displayName: "Qlik Sense Scheduler Service", friendlyName: "Scheduler", startType: "Automatic" },
    state: state === "stopped" ? "STOPPED" : "RUNNING",
    previousState: state === "stopped" ? "RUNNING" : "STOPPED",
  };
}

const SITE_SAMPLES: Record<SiteEventKind, { title: string; summary: string; data: SiteEvent["data"]; sections?: ReportSection[] }> = {
  "license.expiring": {
    title: "Qlik Sense license expires in 21 days",
    summary: "The Qlik Sense server license is valid to 2026-12-31: 21 days left (alert at 60).",
    data: { expiryDate: "2026-12-31", daysUntilExpiry: 21, licenseExpired: false, thresholdDays: 60 },
  },
  "license.expired": {
    title: "Qlik Sense license expired",
    summary: "The Qlik Sense server license expired on 2026-10-31.",
    data: { expiryDate: "2026-10-31", daysUntilExpiry: -22, licenseExpired: true },
  },
  "license.low_availability": {
    title: "Few Qlik Sense professional allocations left: 2",
    summary: "2 professional allocations available, below the threshold of 5.",
    data: { accessType: "professional", available: 2, threshold: 5 },
  },
  "license.released": {
    title: "Released 2 Qlik Sense license allocations",
    summary: "Released after more than 30 days without use: CORP\\erik (professional, 45 days), CORP\\maria (analyzer, 90 days).",
    data: { released: 2, failed: 0, deferred: 0, inactiveDays: 30 },
  },
  "qlikcloud.key_rejected": {
    title: "Qlik Cloud refuses Steward's API key: corp-eu",
    summary:
      "corp.eu.qlikcloud.com refused the API key (HTTP 401): it is wrong, expired or revoked, or its user lost the role. Steward does not see this tenant's reloads until a working key is configured.",
    data: { tenant: "corp-eu", url: "https://corp.eu.qlikcloud.com" },
  },
  "qlikcloud.key_expiring": {
    title: "Qlik Cloud API key of corp-eu expires in 9 days",
    summary:
      "The API key Steward uses for corp.eu.qlikcloud.com expires at 2026-12-02T08:00:00.000Z. Make a new key in the tenant (profile → Settings → API keys), put it in steward.env and reload the config; until then Steward keeps watching with the old one.",
    data: { tenant: "corp-eu", url: "https://corp.eu.qlikcloud.com", expiresAt: "2026-12-02T08:00:00.000Z", daysLeft: 9 },
  },
  ...STEWARD_SAMPLES,
  ...AUTOMATION_SAMPLES,
  ...DATA_TASK_SAMPLES,
  "maintenance.summary": {
    title: "Maintenance window sunday-patching ended: 3 alerts held",
    summary:
      "From 2026-11-22T21:00:00.000Z to 2026-11-23T05:00:00.000Z, 3 alerts were held: 2 task.missed, 1 task.failed. Still open at its end: Sales - load (task.failed).",
    data: { window: "sunday-patching", startsAt: "2026-11-22T21:00:00.000Z", endsAt: "2026-11-23T05:00:00.000Z", held: 3, stillOpen: 1 },
  },
  "cause.resolved": {
    title: "Qlik services down on sense2: resolved by anna",
    summary:
      "anna resolved cause #7 (Qlik services down on sense2) by hand from the dashboard: node rebuilt. Steward no longer holds what it affected: a new failure opens a new incident and pages.",
    data: { causeId: 7, causeTitle: "Qlik services down on sense2", resolvedBy: "anna", resolvedVia: "dashboard", note: "node rebuilt", resolvedThrough: null },
  },
  "remediation.action_update": ACTION_UPDATE_SAMPLE,
  "influxdb.field_conflict": {
    title: "InfluxDB refuses reload_task_failed points: field task_scriptLogSize is integer there, Steward wrote float",
    summary:
      "InfluxDB at http://influx.corp.example:8086 (database butler) refused points of reload_task_failed written by channel metrics: the field task_scriptLogSize is stored there as integer and Steward wrote it as float (a field type conflict, which lasts until the shard rolls over).",
    data: {
      channel: "metrics",
      url: "http://influx.corp.example:8086",
      database: "butler",
      measurement: "reload_task_failed",
      field: "task_scriptLogSize",
      storedType: "integer",
      writtenType: "float",
    },
  },
  "qliksense.version_changed": {
    title: "Qlik Sense version changed to 14.212.7 (May 2025)",
    summary: "Qlik Sense on sense1.corp.example now reports version 14.212.7 (May 2025); it was 14.187.4 (February 2025).",
    data: { previousVersion: "14.187.4 (February 2025)", version: "14.212.7", releaseLabel: "May 2025", productName: "Qlik Sense" },
  },
};

export function syntheticSiteEvent(kind: SiteEventKind, o: { host?: string; nowMs?: number } = {}): SiteEvent {
  const s = SITE_SAMPLES[kind];
  const facts = Object.entries(s.data)
    .filter(([, v]) => v !== null && v !== "")
    .map(([name, v]) => ({ name, value: String(v) }));
  return {
    id: `${kind}:${randomUUID()}`,
    kind,
    receivedAt: new Date(o.nowMs ?? Date.now()).toISOString(),
    host: o.host ?? "sense1.corp.example",
    title: s.title,
    summary: s.summary,
    facts,
    data: s.data,
    ...(s.sections ? { sections: s.sections } : {}),
  };
}

/**
 * A data.check_* event: a block check that failed after a reload task, passed again, could not be evaluated
 * (`runError`: the whole run could not, e.g. the Engine did not answer). `full` adds the task, owner and previous value.
 */
export function syntheticDataCheckEvent(
  kind: DataCheckEventKind,
  o: { host?: string; nowMs?: number; full?: boolean; runError?: boolean; appName?: string; appId?: string } = {},
): DataCheckEvent {
  const full = o.full ?? true;
  const appId = o.appId ?? "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
  const runId = `task:${randomUUID()}`;
  const app: DataCheckEvent["app"] = {
    id: appId,
    name: o.appName ?? "Sales dashboard",
    tags: full ? ["Finance"] : [],
    customProperties: full ? [{ name: "StewardChecks", value: "sales" }] : [],
    ...(full
      ? {
          stream: "Sales",
          owner: {
            id: "a1b2c3d4-0000-4000-8000-000000000001",
            userDirectory: "CORP",
            userId: "anna",
            name: "Anna Svensson",
            emails: ["anna.svensson@corp.example"],
          },
        }
      : {}),
  };
  const value = kind === "data.check_failed" ? { text: "0", number: 0 } : kind === "data.check_passed" ? { text: "118 204", number: 118204 } : null;
  const check: DataCheckEvent["check"] = {
    name: "orders-not-empty",
    expression: "NoOfRows('Orders')",
    expect: "> 0.8 * previous",
    severity: "block",
    value,
    previous: full ? 120000 : null,
    ...(full ? { resolved: "> 96000" } : {}),
    ...(kind === "data.check_error" ? { message: "Error in expression: ')' expected" } : {}),
  };
  return dataCheckEvent({
    kind,
    runId,
    nowMs: o.nowMs ?? Date.now(),
    host: o.host ?? "sense1.corp.example",
    app,
    ...(full ? { task: { id: "7552d9fc-d1bb-4975-9a38-18357de531ea", name: "Reload Sales dashboard", tags: ["Nightly"], customProperties: [] } } : {}),
    reload: full ? { kind: "task", id: randomUUID() } : { kind: "reload-job", id: randomUUID() },
    ...(o.runError
      ? { error: { message: "the Engine did not answer within 120000 ms (EvaluateEx)", checks: ["orders-not-empty", "fresh-orders"] } }
      : { check }),
    holdsBack: kind !== "data.check_passed",
  });
}

const SAMPLE_CONDITION: Record<WatchdogEventKind, WatchCondition> = {
  "scheduler.queue_backlog": "queue_backlog",
  "task.missed": "missed",
  "task.retrying": "retrying",
  "task.chain_broken": "chain_broken",
  "task.running_long": "running_long",
  "app.stale": "stale",
  "task.disabled": "disabled",
  "task.notice": "running_long",
  "task.on_track": "missed",
};

/** A watchdog event about the demo site's sales reload (`full` adds tags, custom properties and the app owner). */
export function syntheticWatchdogEvent(
  kind: WatchdogEventKind,
  o: { host?: string; nowMs?: number; full?: boolean; condition?: WatchCondition } = {},
): WatchdogEvent {
  const full = o.full ?? true;
  const nowMs = o.nowMs ?? Date.now();
  const type = o.condition ?? SAMPLE_CONDITION[kind];
  const task = { id: "7552d9fc-d1bb-4975-9a38-18357de531ea", name: "Reload Sales dashboard", tags: full ? ["Finance"] : [], customProperties: [] };
  const app = {
    id: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11",
    name: "Sales dashboard",
    tags: full ? ["Finance"] : [],
    customProperties: [],
    ...(full
      ? {
          stream: "Sales",
          owner: { userDirectory: "CORP", userId: "anna", name: "Anna Svensson", emails: ["anna.svensson@corp.example"] },
        }
      : {}),
  };
  const opened = nowMs - 20 * 60_000;
  if (type === "queue_backlog") return sampleQueueEvent(kind, o.host ?? "reload01.corp.example", opened, nowMs);
  return watchdogEvent({
    kind,
    condition: { type, key: `${type}:${task.id}`, openedAtMs: opened, ...(kind === "task.on_track" ? { closedAtMs: nowMs } : {}) },
    nowMs,
    host: o.host ?? "sense1.corp.example",
    ...(type === "stale" ? {} : { task }),
    app,
    details: {
      expectedAtMs: opened - 5 * 60_000,
      trigger: "Daily at 03:30",
      graceMs: 5 * 60_000,
      ...(type === "running_long" ? { startedAtMs: opened - 60 * 60_000, usualMs: 12 * 60_000, limitMs: 45 * 60_000, limitFrom: "learned" as const } : {}),
      ...(type === "chain_broken" ? { upstreamTask: "Reload ERP extract", upstreamOutcome: "success" as const } : {}),
      ...(type === "stale" ? { lastSuccessAtMs: nowMs - 50 * 3_600_000, expectWithinMs: 26 * 3_600_000 } : {}),
      ...(type === "disabled" ? { turnedOff: "task-disabled" as const, changedBy: "CORP\\anna", changedAtMs: opened } : {}),
      ...(kind === "task.on_track" ? { resolution: "started 25 min late" } : {}),
    },
  });
}

/** A node's reload queue backed up: six reloads waiting behind the four its Scheduler runs at once. */
function sampleQueueEvent(kind: WatchdogEventKind, node: string, opened: number, nowMs: number): WatchdogEvent {
  const since = opened - 15 * 60_000;
  const names = ["Reload Sales dashboard", "Reload Stock", "Reload Finance model"];
  return watchdogEvent({
    kind,
    condition: { type: "queue_backlog", key: `queue:${node}`, openedAtMs: opened, ...(kind === "task.on_track" ? { closedAtMs: nowMs } : {}) },
    nowMs,
    host: node,
    details: {
      node,
      waitingSinceMs: since,
      waitingNow: 3,
      runningNow: 4,
      maxConcurrent: 4,
      engineTimeoutMin: 30,
      waitingTasks: names.map((n, i) => `${n} (waiting since ${new Date(since + i * 60_000).toISOString()})`).join(", "),
      waitingTaskIds: "7552d9fc-d1bb-4975-9a38-18357de531ea",
      ...(kind === "task.on_track" ? { cancelled: 1, cancelledTasks: names[2], resolution: `the queue emptied at ${new Date(nowMs).toISOString()}` } : {}),
    },
  });
}
