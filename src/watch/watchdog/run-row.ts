// A finished run as the watchdog keeps it: what it learns durations, intervals and chains from.
export interface RunRow {
  resultId: string;
  taskId: string;
  appId?: string;
  status: number;
  /** When the Scheduler triggered the run: what "it started" means for a due time or a chain. */
  createdMs: number;
  /** When it got an engine (durations are measured from here). */
  startMs?: number;
  stopMs: number;
  /** The node that ran it (QRS executingNodeName), when known: its time counts to the node's hours (node-hours.ts). */
  node?: string;
}
