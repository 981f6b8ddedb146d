// One task's finished runs as a look reads them: by position, oldest first, one field at a time. The runs kept in
// memory (kept-runs.ts) are columns of numbers, not an object per run (issue 78: at five thousand tasks, 35 days of
// runs as objects grew the heap by megabytes a day); a list read from the store is wrapped the same way, so every
// reader has one shape to read.
import type { RunRow } from "./run-row";

/** What a look knows of a finished run: the fields its statistics and judgements read. */
export type KeptRun = Pick<RunRow, "taskId" | "status" | "createdMs" | "startMs" | "stopMs">;

export interface RunList {
  readonly taskId: string;
  readonly length: number;
  /**
   * Changes whenever the runs do (a run added or pruned): the same list with the same version holds the same runs,
   * so what was learned from them still holds. Undefined for a list made afresh (never the same).
   */
  readonly version: number | undefined;
  status(k: number): number;
  createdMs(k: number): number;
  startMs(k: number): number | undefined;
  stopMs(k: number): number;
  /** The runs as objects, made on each call: for readers of a few tasks, not for a pass over the site. */
  rows(): KeptRun[];
}

/** The `k`-th run of `list` as an object. */
export function runAt(list: RunList, k: number): KeptRun {
  const startMs = list.startMs(k);
  return {
    taskId: list.taskId,
    status: list.status(k),
    createdMs: list.createdMs(k),
    ...(startMs !== undefined ? { startMs } : {}),
    stopMs: list.stopMs(k),
  };
}

/** The last run of `list`, if any. */
export const lastRun = (list: RunList | undefined): KeptRun | undefined => (list && list.length > 0 ? runAt(list, list.length - 1) : undefined);

/** Runs already in hand (read from the store, or a caller's own) as a list, in the order given. */
export function arrayRunList(taskId: string, runs: readonly KeptRun[]): RunList {
  return {
    taskId,
    length: runs.length,
    version: undefined,
    status: (k) => runs[k]!.status,
    createdMs: (k) => runs[k]!.createdMs,
    startMs: (k) => runs[k]!.startMs,
    stopMs: (k) => runs[k]!.stopMs,
    rows: () => runs.map((r) => ({ ...r })),
  };
}

/** Groups `runs` per task, each list in the order given. */
export function runListsOf(runs: readonly KeptRun[]): Map<string, RunList> {
  const grouped = new Map<string, KeptRun[]>();
  for (const r of runs) {
    const own = grouped.get(r.taskId);
    if (own) own.push(r);
    else grouped.set(r.taskId, [r]);
  }
  return new Map([...grouped].map(([taskId, own]) => [taskId, arrayRunList(taskId, own)]));
}

/** No runs: always the same (version 0), so what was learned of a task without runs is not learned again. */
export const NO_RUNS: RunList = { ...arrayRunList("", []), version: 0 };
