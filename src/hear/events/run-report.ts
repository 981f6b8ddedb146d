// A finished run as a datagram or reconciliation reports it, before the enricher looks it up in QRS.
import type { QrsExecutionResult } from "../../platform/qlik/qrs-schemas";
import type { TaskEvent, TaskOutcome, TaskType } from "../../platform/events/types";

/** What is known about a finished run before enrichment. */
export interface RunReport {
  source: TaskEvent["source"];
  outcome: TaskOutcome;
  /** The run's ExecutionId, or the datagram's stand-in when it named none (see executionIdAsSent). */
  executionId: string;
  /** The datagram named no execution: its ExecutionId field as sent ("(null)", ""); the run is found by time in QRS. */
  executionIdAsSent?: string;
  taskId: string;
  appId?: string;
  host?: string;
  user?: string;
  taskName?: string;
  appName?: string;
  logTimestamp?: string;
  logLevel?: string;
  logMessage?: string;
  /** The datagram came from the distribute appender (the task type is known without QRS). */
  distribute?: boolean;
  /** An execution result already read from QRS (reconciliation, distribute polling). */
  execution?: QrsExecutionResult;
  /** Gaps the caller already knows of (e.g. a distribute outcome that had to be guessed). */
  knownMissing?: TaskEvent["missing"];
  /**
   * When Steward heard of the run (Clock ms): QRS rows read since then may serve its enrichment (a burst of runs of
   * the same task reads the task once). Unset: only rows read once its enrichment began.
   */
  heardAtMs?: number;
  /** The caller already found that QRS has no such run (why): it is marked unconfirmed without further lookups. */
  deniedByQrs?: string;
  /** The datagram's source address (a node's, or one spoofing it): unconfirmed runs are paged per address (unconfirmed-sources.ts). */
  sentFrom?: string;
}

/**
 * A queued run once QRS showed its task (the enrichment's reads ahead of its turn): what a later stage needs to
 * start its own reads for it (the incidents' trigger lookups) while it waits.
 */
export interface QueuedRun {
  report: RunReport;
  taskType: TaskType;
  /** When the run started, when QRS already said so (the report came with its execution, or it is the task's last run). */
  startTime?: string;
}
