// The watchdog's read of QRS for one look: runs in progress, then the execution results changed since the cursor
// (finished runs are kept to learn from), and where the look stands: the cursor, the due times already judged and
// when watching began. After the look the cursor moves on past what was read.
import type { Logger } from "pino";
import type { WatchdogConfig } from "./config";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { type Execution, fetchLookRead, isFinal, readExecutions, STATUS } from "./observations";
import { RECENT_RUNS_MS } from "./look-runs";
import type { WatchStore } from "./watch-store";

const CURSOR = "exec_cursor";
const CHECKED = "checked_until";
const SINCE = "watching_since";
/** Results changed this close to the cursor are read again (QRS commits a run's updates in several writes). */
const OVERLAP_MS = 10_000;
/** A first start reads this much history to learn from (QRS keeps only recent results anyway). */
const FIRST_LOOK_BACK_MS = 7 * 86_400_000;

export interface QrsRead {
  cursor: number;
  checkedUntil: number;
  watchingSince: number;
  /** The time the site is judged as of: now, or where a capped read ended. */
  asOf: number;
  /** False when the read was capped (a backlog): `untilMs` is where it ended. */
  complete: boolean;
  untilMs: number;
  running: Execution[];
  changed: Execution[];
}

/**
 * `lastCompleteMs`: when this Steward's last look read everything up to its own time (undefined after a start, or
 * when that look was capped): a look soon after it is not counted first, however far back the cursor is.
 */
export async function readQrs(qrs: QrsClient, store: WatchStore, cfg: WatchdogConfig, log: Logger, now: number, lastCompleteMs?: number): Promise<QrsRead> {
  const cursor = Number((await store.getMeta(CURSOR)) ?? now - FIRST_LOOK_BACK_MS);
  const checkedUntil = Number((await store.getMeta(CHECKED)) ?? now);
  const since = await store.getMeta(SINCE);
  if (since === undefined) await store.setMeta(SINCE, String(now));
  const watchingSince = Number(since ?? now);
  // Runs in progress and what changed, in one answer or in that order: a run that ends between two reads is in the
  // second as finished. Read the other way round (or both at the same time), a short run could be in neither and look
  // as if it never started.
  const { running: runningRows, read } = await fetchLookRead(qrs, cursor - OVERLAP_MS, now, cfg.readLimit, cursor + 1_000, lastCompleteMs);
  // A look that could not read up to now (a backlog after a QRS outage) judges the site as of where its read ended:
  // runs after that are not read yet, so a due time there is not a missed start. The next look carries on from it.
  const asOf = read.complete ? now : read.untilMs;
  const running = readExecutions(runningRows);
  const changed = readExecutions(read.rows);
  if (running.unreadable + changed.unreadable > 0)
    log.warn({ rows: running.unreadable + changed.unreadable }, "watchdog: QRS execution results Steward cannot read were skipped");
  const ended = changed.executions.filter((e) => isFinal(e.status) || e.status === STATUS.Retry || e.status === STATUS.Skipped);
  await store.addRuns(
    ended.map((e: Execution) => ({
      resultId: e.resultId,
      taskId: e.taskId,
      ...(e.appId ? { appId: e.appId } : {}),
      status: e.status,
      createdMs: e.createdMs,
      // A run cancelled in the queue never started: its time was all waiting.
      startMs: e.startMs ?? (e.cancelledInQueue ? (e.stopMs ?? e.modifiedMs) : e.createdMs),
      stopMs: e.stopMs ?? e.modifiedMs,
      ...(e.node ? { node: e.node } : {}),
    })),
  );
  return {
    cursor,
    checkedUntil,
    watchingSince,
    asOf,
    complete: read.complete,
    untilMs: read.untilMs,
    running: running.executions,
    changed: changed.executions,
  };
}

/** After the look: the cursor moves past what was read, and the due times up to the look's time count as judged. */
export async function advanceCursor(store: WatchStore, cfg: WatchdogConfig, r: QrsRead, now: number): Promise<void> {
  // The cursor only moves past what was read: to the newest change seen, or to the end of a capped read's span.
  const newest = r.changed.reduce((m, e) => Math.max(m, e.modifiedMs, e.createdMs), r.cursor);
  await store.setMeta(CURSOR, String(r.complete ? Math.min(newest, now) : r.untilMs));
  // Never backwards: a first look capped days back judged nothing before this anyway (watching starts now).
  await store.setMeta(CHECKED, String(Math.max(r.checkedUntil, r.asOf)));
  await store.prune(now - cfg.keepRuns, now - 7 * 86_400_000, now - RECENT_RUNS_MS);
}
