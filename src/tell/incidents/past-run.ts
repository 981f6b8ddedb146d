// An earlier run of a task as the incident history reads it: its own file, so the store and the in-memory window
// of recent runs share the type without importing each other.
/** What a run's history is read from: an earlier run of the task, with only the columns the history needs. */
export interface PastRun {
  outcome: string;
  finishedAt: number;
  durationMs: number | null;
  /** Rows loaded per table: read only for successful runs, and only when asked for. */
  tables: Record<string, number> | null;
}
