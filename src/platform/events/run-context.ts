// What Steward adds to a task event from its own memory before the event reaches any channel (src/tell/incidents/):
// the run's history, the likely cause of a failure, the incident it belongs to, and warnings of a successful run.
// Plain JSON, stored with the event in the outbox, so a delivery retried after a restart says the same thing.
import type { ScriptLogExcerpt } from "./event-parts";

/**
 * Likely causes of a failed run; `unknown` when no rule of the pattern table matched. `queue`: Qlik cancelled the run
 * after it waited in its node's Scheduler queue longer than the queue timeout; it never started (read from the
 * execution's shape, not a log line: platform/qlik/queue-history.ts).
 */
export const ERROR_CLASSES = ["connection", "file", "lock", "script", "memory", "timeout", "access", "executor", "queue", "unknown"] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** Who or what started the run, as far as QRS and the datagram tell it. */
export interface StartedBy {
  /** `user`: a person started it (QMC, hub); `scheduler`: the Scheduler's own account (a trigger or a task chain). */
  kind: "user" | "scheduler" | "unknown";
  /** `DIRECTORY\userid` of the run. */
  user?: string;
  /** For the Scheduler's runs, the QRS trigger that started it, when Steward could tell. */
  trigger?: {
    type: "schedule" | "chain";
    name: string /** A chain's upstream task and the outcome it waited for. */;
    after?: { task: string; outcome: "succeeded" | "failed" };
  };
  /** One phrase for people: "CORP\anna (manual start)", "a trigger or task chain", "unknown". */
  text: string;
}

/** The task's recent runs as Steward knows them, as of this run. */
export interface RunHistory {
  /** Failed or aborted runs in a row up to and including this one; 0 for a successful run. */
  consecutiveFailures: number;
  /** End of the last successful run before this one (ISO-8601 UTC). */
  lastSuccessAt?: string;
  /** End of the first failed run of the current streak (ISO-8601 UTC); absent for a successful run. */
  failingSince?: string;
  /** Median duration of the task's last successful runs (at least 3 known). */
  usualDurationMs?: number;
  /** This run's duration. */
  durationMs?: number;
  /** How many earlier runs of the task the history is based on. */
  runsKnown: number;
  /**
   * End times (ISO-8601 UTC, oldest first) of the task's failed or aborted runs before this one, among its last 50 runs
   * of the last 7 days: what "page after N failures within a window" counts. Only when such a threshold is configured.
   */
  recentFailures?: string[];
  startedBy: StartedBy;
}

/** The incident a failure opened or updated, or that a success closed. */
export interface IncidentRef {
  id: number;
  status: "open" | "closed";
  /** Failed runs of the incident so far (this one included). */
  failures: number;
  /** When it opened: the end of its first failure (ISO-8601 UTC). */
  openedAt: string;
  closedAt?: string;
  /** openedAt → closedAt, for a closed incident. */
  durationMs?: number;
  /** Someone acknowledged it (POST /v4/incidents/{id}/acknowledge): its further failures do not notify again. */
  acknowledgedAt?: string;
  acknowledgedBy?: string;
  /** One of its alerts already went out to someone (not held): renotify: once holds its further failures. */
  paged?: boolean;
  /** Closed by a person, not by a good run (POST /v4/incidents/{id}/resolve, a resolve in PagerDuty…): who and from where. */
  resolved?: ResolvedByHand;
}

/**
 * Where a resolve by hand came from: the REST API, the dashboard, an on-call product's webhook, the assistant (MCP);
 * `steward`: no person, Steward's own rule ended it (a flood of unconfirmed runs that is over: tell/incidents/unconfirmed-flood-end.ts).
 */
export type ResolvedVia = "api" | "dashboard" | "pagerduty" | "opsgenie" | "mcp" | "steward";

/** An incident or cause a person closed before its task succeeded or its condition ended. */
export interface ResolvedByHand {
  /** Who: the API key's or certificate's name, "PagerDuty: Anna Berg". */
  by: string;
  via: ResolvedVia;
  /** The on-call channel whose webhook brought it: that product is not told back. */
  channel?: string;
  note?: string;
}

/** Why a successful run is suspicious (task.warning). */
export interface RunWarning {
  kind: "skippedErrors" | "emptyTable" | "shortRun";
  /** One sentence for people. */
  message: string;
  /** The table, for emptyTable. */
  table?: string;
}

/** One attempt of a run the Scheduler retried (QRS: one execution result per attempt, one execution id). */
export interface RunAttempt {
  /** 1 for the first try, then each retry. */
  attempt: number;
  /** QRS's status of the attempt: Retry for one the Scheduler retried, then the run's final status. */
  status: string;
  startedAt?: string;
  endedAt?: string;
  /** The end of an earlier attempt's script log (hear/), from which its failing line is read. */
  scriptLog?: ScriptLogExcerpt;
  /** QRS's error details of the attempt. */
  errorDetails?: string[];
  /** The line that states why the attempt failed (src/tell/incidents/). */
  errorLine?: string;
}

/** What a task event says of its run's attempts and of the threshold its failures wait for (issue 76). */
export interface RetryAndTolerance {
  /**
   * The Scheduler's attempts of this run, first to last (this event's own result last), when its task has retries and
   * the run took more than one: a success after failed attempts was recovered by retry; a failure failed N times and
   * the Scheduler gave up. Absent for a run of one attempt.
   */
  attempts?: RunAttempt[];
  /**
   * The task's or app's "page after N failures within a window" (incidents.pageAfter), when a rule names it; a route's
   * own pageAfter takes its place on that route (src/tell/notify/page-after.ts).
   */
  pageAfter?: { failures: number; withinMs: number; from: string };
  /**
   * A run whose failed attempt was held for its outcome and whose final result the Scheduler did not report within
   * `withinMs` of it (intake.retryOutcome): announced as failed, outcome unknown. `heldAt`: when the attempt was held.
   */
  outcomeUnknown?: { heldAt: string; withinMs: number };
}
