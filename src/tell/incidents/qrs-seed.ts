// The first time Steward hears of a task, its earlier runs are read from QRS (one call, the newest result per
// execution), so "3rd failure in a row" and "usually 4 min" are right from the first alert after an install.
import type { Logger } from "pino";
import { describeError } from "../../platform/core/errors";
import { outcomeOfStatus } from "../../hear/events/enrich-mappers";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { and, compare, eq } from "../../platform/qlik/qrs-filter";
import { isNeverDate, type QrsExecutionResult } from "../../platform/qlik/qrs-schemas";
import type { RunRow } from "./incident-store";

/** Runs read at most: enough for the streak and the usual duration. */
export const SEED_RUNS = 50;

/** The task's finished runs in QRS between `since` and `before` (ms), newest first, without `excludeExecution`. */
export async function runsFromQrs(
  qrs: Pick<QrsClient, "getExecutionResults">,
  taskId: string,
  window: { since: number; before: number; excludeExecution: string; timeoutMs: number },
  log: Logger,
): Promise<RunRow[]> {
  let rows: QrsExecutionResult[];
  try {
    rows = await qrs.getExecutionResults(and(eq("taskID", taskId), compare("stopTime", "gt", new Date(window.since).toISOString())), {
      orderBy: "stopTime desc",
      timeoutMs: window.timeoutMs,
    });
  } catch (err) {
    log.debug({ taskId, err: describeError(err) }, "could not read the task's earlier runs from QRS; its history starts now");
    return [];
  }
  const newest = new Map<string, QrsExecutionResult>();
  for (const r of rows) {
    const id = (r.executionID ?? "").toLowerCase();
    if (!id || id === window.excludeExecution || isNeverDate(r.stopTime)) continue;
    const prev = newest.get(id);
    if (!prev || (prev.stopTime ?? "") < (r.stopTime ?? "")) newest.set(id, r);
  }
  const out: RunRow[] = [];
  for (const r of newest.values()) {
    const outcome = outcomeOfStatus(r.status);
    const stop = Date.parse(r.stopTime ?? "");
    if (!outcome || !Number.isFinite(stop) || stop >= window.before) continue;
    const start = isNeverDate(r.startTime) ? Number.NaN : Date.parse(r.startTime ?? "");
    const duration = r.duration ? r.duration : Number.isFinite(start) ? stop - start : null;
    out.push({
      executionId: (r.executionID ?? "").toLowerCase(),
      outcome,
      taskId,
      finishedAt: stop,
      durationMs: duration,
      errorClass: null,
      tables: null,
      incidentId: null,
      consecutiveFailures: 0,
      source: "qrs",
    });
  }
  return out.sort((a, b) => b.finishedAt - a.finishedAt).slice(0, SEED_RUNS);
}
