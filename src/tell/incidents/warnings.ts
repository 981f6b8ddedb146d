// "Succeeded with warnings": a successful reload whose log shows errors the script continued past (ErrorMode), a
// table earlier runs filled that loaded 0 rows now, or a run far shorter than the task usually takes. Each rule
// needs evidence from earlier runs (or from this log) before it speaks, so a new or irregular task stays quiet.
import { logMessage, showScriptLog } from "../../hear/events/script-log-excerpt";
import type { RunWarning } from "../../platform/events/run-context";
import type { TaskEvent } from "../../platform/events/types";
import { durationText } from "../notify/time-format";

export interface WarningSettings {
  skippedErrors: boolean;
  emptyTables: { enabled: boolean; minRuns: number };
  shortRun: { enabled: boolean; fraction: number; minUsual: number; minRuns: number };
}

export interface WarningInput {
  event: TaskEvent;
  durationMs?: number;
  usualDurationMs?: number;
  /** The quickest of the runs the usual duration was read from. */
  quickestMs?: number;
  /** Successful runs the usual duration was read from. */
  successes: number;
  /** Rows per table of this run (undefined: the log was not read). */
  tables?: Record<string, number>;
  /** Rows per table of earlier successful runs, newest first (up to TABLE_RUNS are looked at). */
  previousTables: Array<Record<string, number>>;
}

/** Earlier runs a table must have been filled in, all of them, for its 0 rows to be news (a table that is often empty is not). */
export const TABLE_RUNS = 10;

const rows = (n: number) => `${n.toLocaleString("en-US").replace(/,/g, " ")} ${n === 1 ? "row" : "rows"}`;

export function detectWarnings(i: WarningInput, s: WarningSettings): RunWarning[] {
  const out: RunWarning[] = [];
  const log = i.event.scriptLog;
  if (s.skippedErrors && log && (log.failureCount ?? 0) > 0) {
    const first = showScriptLog(log, { head: 0, tail: 0 }).failures[0];
    const count = log.failureCount ?? 1;
    const what = first ? `: ${logMessage(first.text).replace(/^error:\s*/i, "")}` : "";
    out.push({ kind: "skippedErrors", message: `The script continued past ${count} ${count === 1 ? "error" : "errors"} (ErrorMode)${what}` });
  }
  if (s.emptyTables.enabled && i.tables) {
    for (const [table, n] of Object.entries(i.tables)) {
      if (n !== 0) continue;
      const before = i.previousTables
        .filter((t) => t[table] !== undefined)
        .slice(0, TABLE_RUNS)
        .map((t) => t[table]!);
      if (before.length < s.emptyTables.minRuns || before.some((b) => b <= 0)) continue;
      const lo = Math.min(...before);
      const hi = Math.max(...before);
      out.push({
        kind: "emptyTable",
        table,
        message: `Table ${table} loaded 0 rows; the last ${before.length} runs loaded ${lo === hi ? rows(lo) : `${rows(lo).replace(/ rows?$/, "")} to ${rows(hi)}`}`,
      });
    }
  }
  const sr = s.shortRun;
  if (sr.enabled && i.durationMs !== undefined && i.usualDurationMs !== undefined && i.successes >= sr.minRuns && i.usualDurationMs >= sr.minUsual) {
    // A task whose runs vary widely is not flagged for one quick run: it must also beat its quickest recent run by half.
    if (i.durationMs < i.usualDurationMs * sr.fraction && (i.quickestMs === undefined || i.durationMs < i.quickestMs / 2)) {
      out.push({ kind: "shortRun", message: `The run took ${durationText(i.durationMs)}, usually ${durationText(i.usualDurationMs)}` });
    }
  }
  return out;
}
