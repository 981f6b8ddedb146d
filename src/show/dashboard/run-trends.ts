// What the reports read of the run history: runs per outcome and app in a span, and the successful reloads whose
// average duration grew most (this week against the three weeks before), each one statement over the finished_at index.
import type { DatabaseSync } from "node:sqlite";

export type TrendOutcome = "succeeded" | "failed" | "aborted";

export interface DurationGrowth {
  taskId: string;
  taskName: string;
  recentAvgMs: number;
  baselineAvgMs: number;
  /** recent ÷ baseline. */
  factor: number;
}

export interface RunTrends {
  /** Runs per outcome and per app that ended in [from, to) (the reports' counts). */
  runsBetween(from: number, to: number): Array<{ appName: string | null; outcome: TrendOutcome; runs: number }>;
  /**
   * Successful reloads whose average duration in the last `recentMs` before `at` grew most against the `baselineMs`
   * before that; only tasks with at least `minRuns` runs in each span.
   */
  growing(at: number, recentMs: number, baselineMs: number, minRuns: number, limit: number): DurationGrowth[];
}

export function createRunTrends(db: DatabaseSync): RunTrends {
  const betweenRows = db.prepare(
    "SELECT app_name, outcome, COUNT(*) AS n FROM task_runs WHERE finished_at >= ? AND finished_at < ? GROUP BY app_name, outcome",
  );
  // One pass over the span: each task's two averages side by side.
  const growthRows = db.prepare(
    `SELECT task_id, MAX(task_name) AS task_name,
       AVG(CASE WHEN finished_at >= ? THEN duration_ms END) AS recent_ms, SUM(CASE WHEN finished_at >= ? THEN 1 ELSE 0 END) AS recent_n,
       AVG(CASE WHEN finished_at < ? THEN duration_ms END) AS base_ms, SUM(CASE WHEN finished_at < ? THEN 1 ELSE 0 END) AS base_n
     FROM task_runs WHERE finished_at >= ? AND finished_at < ? AND outcome = 'succeeded' AND task_type = 'reload' AND duration_ms IS NOT NULL
     GROUP BY task_id`,
  );
  return {
    runsBetween(from, to) {
      return (betweenRows.all(from, to) as Array<{ app_name: string | null; outcome: TrendOutcome; n: number }>).map((r) => ({
        appName: r.app_name,
        outcome: r.outcome,
        runs: Number(r.n),
      }));
    },
    growing(at, recentMs, baselineMs, minRuns, limit) {
      const split = at - recentMs;
      const rows = growthRows.all(split, split, split, split, split - baselineMs, at) as Array<{
        task_id: string;
        task_name: string;
        recent_ms: number | null;
        recent_n: number;
        base_ms: number | null;
        base_n: number;
      }>;
      return rows
        .filter((r) => Number(r.recent_n) >= minRuns && Number(r.base_n) >= minRuns && Number(r.base_ms) > 0)
        .map((r) => ({
          taskId: r.task_id,
          taskName: r.task_name,
          recentAvgMs: Number(r.recent_ms),
          baselineAvgMs: Number(r.base_ms),
          factor: Number(r.recent_ms) / Number(r.base_ms),
        }))
        .filter((g) => g.factor > 1)
        .sort((a, b) => b.factor - a.factor)
        .slice(0, limit);
    },
  };
}
