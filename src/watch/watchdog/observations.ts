// Runs as QRS records them (execution results), read at the edge: ids lower-cased, QRS's 1753 "never" dates and
// unreadable rows dropped, start times falling back to when the result was created (a run still Triggered); a run
// waiting in the Scheduler's queue (Queued) has no start until it leaves it.
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { QrsCountSchema, QrsRowsSchema } from "../../platform/qlik/qrs-schemas";
import { and, compare, or } from "../../platform/qlik/qrs-filter";
import { queueHistory } from "../../platform/qlik/queue-history";

export interface Execution {
  resultId: string;
  /** The execution session: every retry attempt of one run shares it. */
  executionId: string;
  taskId: string;
  appId?: string;
  status: number;
  createdMs: number;
  modifiedMs: number;
  startMs?: number;
  stopMs?: number;
  node?: string;
  /** Ended while waiting in the Scheduler's queue, never started (platform/qlik/queue-history.ts): Qlik cancelled it. */
  cancelledInQueue?: true;
}

/** QRS execution status codes the watchdog reads. */
export const STATUS = {
  Triggered: 1,
  Started: 2,
  Queued: 3,
  AbortInitiated: 4,
  Aborting: 5,
  Aborted: 6,
  Success: 7,
  Fail: 8,
  Skipped: 9,
  Retry: 10,
  Error: 11,
  Reset: 12,
} as const;
const FINAL = new Set<number>([STATUS.Aborted, STATUS.Success, STATUS.Fail, STATUS.Error, STATUS.Reset]);
export const isFinal = (status: number) => FINAL.has(status);
/**
 * In progress: Triggered … Aborting. A Queued run (waiting for an engine slot) is included: the Scheduler does not
 * start the task again meanwhile. It is not timed (runStartMs), and does not hold back its app's staleness
 * (evaluation-look.ts): it has not started.
 */
export const isRunning = (status: number) => status >= STATUS.Triggered && status <= STATUS.Aborting;
export const isQueued = (status: number) => status === STATUS.Queued;

/**
 * When a run started, for timing it (running long, running since): undefined while it waits in the queue. A run that
 * was queued started when it left the queue (readExecutions).
 */
export const runStartMs = (e: Pick<Execution, "startMs" | "createdMs" | "status">): number | undefined =>
  isQueued(e.status) ? undefined : (e.startMs ?? e.createdMs);

/** An execution result row as the watchdog reads it; other fields are left as QRS sent them. */
interface Row {
  id: string;
  executionID?: string | null;
  taskID?: string | null;
  appID?: string | null;
  status: number;
  createdDate?: string | null;
  modifiedDate?: string | null;
  startTime?: string | null;
  stopTime?: string | null;
  executingNodeName?: string | null;
  /** Read by queueHistory, and only there: a detail it cannot read is skipped, never the run. */
  details?: unknown;
}

const TEXTS = ["executionID", "taskID", "appID", "createdDate", "modifiedDate", "startTime", "stopTime", "executingNodeName"] as const;

/**
 * The row when its fields have the types the watchdog reads (the texts may be null or absent), else undefined. A
 * check of those fields, not a schema parse: a look reads every run in progress (768 at once on the ×50 site's
 * night) and the runs changed since the last look, and parsing copied each whole row with its details (issue 78).
 * row-shape.test.ts holds it to the schema it replaces.
 */
export function executionRow(raw: unknown): Row | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== "string" || typeof r.status !== "number" || !Number.isFinite(r.status)) return undefined;
  for (const k of TEXTS) {
    const v = r[k];
    if (v !== undefined && v !== null && typeof v !== "string") return undefined;
  }
  return r as unknown as Row;
}

const ZERO = "00000000-0000-0000-0000-000000000000";
const time = (s: string | null | undefined): number | undefined => {
  if (!s || s.startsWith("1753-01-01")) return undefined;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms : undefined;
};

export function readExecutions(rows: readonly unknown[]): { executions: Execution[]; unreadable: number } {
  const executions: Execution[] = [];
  let unreadable = 0;
  for (const raw of rows) {
    const e = executionRow(raw);
    const created = e ? (time(e.createdDate) ?? time(e.startTime)) : undefined;
    if (!e?.taskID || created === undefined) {
      unreadable++;
      continue;
    }
    // A queued run is not timed; one that left the queue started then, whatever startTime says (QRS may have set it
    // when the run was triggered).
    const queued = isQueued(e.status);
    const history = queued ? undefined : queueHistory(e.details, e.status);
    const left = history?.leftMs;
    const stated = time(e.startTime);
    const start = queued ? undefined : left !== undefined && (stated === undefined || left > stated) ? left : stated;
    const stop = time(e.stopTime);
    executions.push({
      resultId: e.id.toLowerCase(),
      executionId: (e.executionID ?? e.id).toLowerCase(),
      taskId: e.taskID!.toLowerCase(),
      ...(e.appID && e.appID !== ZERO ? { appId: e.appID.toLowerCase() } : {}),
      status: e.status,
      createdMs: created,
      modifiedMs: time(e.modifiedDate) ?? created,
      ...(start !== undefined ? { startMs: start } : {}),
      ...(stop !== undefined ? { stopMs: stop } : {}),
      ...(e.executingNodeName ? { node: e.executingNodeName } : {}),
      ...(history?.cancelled ? { cancelledInQueue: true as const } : {}),
    });
  }
  return { executions, unreadable };
}

/** Runs in progress now: Triggered … Aborting (1–5). */
const runningFilter = () => and(compare("status", "ge", STATUS.Triggered), compare("status", "le", STATUS.Aborting));

export async function fetchRunning(qrs: QrsClient): Promise<unknown[]> {
  return qrs.getJson("executionresult/full", QrsRowsSchema, { filter: runningFilter().expression });
}

/** What one look read of the changed execution results: every row changed in (since, `untilMs`]. */
export interface ChangedRead {
  rows: unknown[];
  untilMs: number;
  /** False when the rows up to now were more than the look may read: the next look carries on from `untilMs`. */
  complete: boolean;
}

/** Counts asked at most in one look to find a span that fits (each narrows it in proportion, at least by half). */
const MAX_COUNTS = 8;
/**
 * A span this short is read without counting first: a look every minute reads about one minute, and no site changes
 * thousands of results in ten, so the usual look costs no extra call. Longer spans come after an outage or a restart.
 */
const UNCOUNTED_SPAN_MS = 10 * 60_000;

/**
 * Results created or changed after `sinceMs`; with `untilMs`, only up to it, plus those created by then and changed
 * after (runs going on at `untilMs`, a few): a run that started before the span and ended after it is then neither
 * in progress nor unseen when the site is judged as of `untilMs`.
 */
const changedFilter = (sinceMs: number, untilMs?: number) => {
  const since = new Date(sinceMs).toISOString();
  if (untilMs === undefined) return or(compare("modifiedDate", "gt", since), compare("createdDate", "gt", since)).expression;
  const until = new Date(untilMs).toISOString();
  return or(
    and(compare("modifiedDate", "gt", since), compare("modifiedDate", "le", until)),
    and(compare("createdDate", "gt", since), compare("createdDate", "le", until)),
    and(compare("createdDate", "le", until), compare("modifiedDate", "gt", until)),
  ).expression;
};

/**
 * The execution results QRS created or changed in (sinceMs, nowMs] (new runs, status changes, finishes, skips,
 * retries), at most `maxRows` of them: after a long QRS outage a site has thousands, and one look must not read
 * them all in one answer. QRS pages no /full list, so a span longer than ten minutes is narrowed by counts first
 * (cheap) until it holds at most `maxRows`; it never ends before `minUntilMs`, so each look moves on even when more
 * rows than that changed in that first second.
 */
export async function fetchChanged(qrs: QrsClient, sinceMs: number, nowMs: number, maxRows: number, minUntilMs = sinceMs + 1_000): Promise<ChangedRead> {
  let untilMs = nowMs;
  let capped = false;
  const counted = nowMs - sinceMs > UNCOUNTED_SPAN_MS;
  for (let i = 0; counted && i < MAX_COUNTS && untilMs > minUntilMs; i++) {
    const { value } = await qrs.getJson("executionresult/count", QrsCountSchema, { filter: changedFilter(sinceMs, untilMs) });
    if (value <= maxRows) break;
    capped = true;
    // Out of counts: the shortest span (a second past the cursor), so all that is read unverified is that second's.
    const last = i === MAX_COUNTS - 1;
    untilMs = last ? minUntilMs : Math.max(minUntilMs, sinceMs + Math.floor((untilMs - sinceMs) * Math.min(0.5, (0.9 * maxRows) / value)));
  }
  // Not capped: everything after `sinceMs`, also what changed since `nowMs` was taken (a run that ended between the
  // read of runs in progress and this one must be in one of the two).
  const rows = await qrs.getJson("executionresult/full", QrsRowsSchema, { filter: changedFilter(sinceMs, capped ? untilMs : undefined) });
  return { rows, untilMs: capped ? untilMs : nowMs, complete: !capped };
}

/** What one look reads of the execution results: the runs in progress, and the results changed since its cursor. */
export interface LookRead {
  running: unknown[];
  read: ChangedRead;
}

/** A row QRS created or changed after `sinceMs`, by the same test as changedFilter's. */
const changedAfter = (row: unknown, sinceMs: number): boolean => {
  const r = row as { modifiedDate?: unknown; createdDate?: unknown } | null;
  const after = (v: unknown) => typeof v === "string" && Date.parse(v) > sinceMs;
  return after(r?.modifiedDate) || after(r?.createdDate);
};

/**
 * How long a look's read covers that no read has covered before: from `sinceMs`, or from `lastCompleteMs` when a look
 * read everything up to then. A quiet site's cursor stays at its last change (hours back at night), but the results
 * between it and that read were all in that read, which fitted: what is new is only what changed since.
 */
export function unreadSpanMs(sinceMs: number, nowMs: number, lastCompleteMs?: number): number {
  const from = lastCompleteMs !== undefined && lastCompleteMs > sinceMs && lastCompleteMs <= nowMs ? lastCompleteMs : sinceMs;
  return nowMs - from;
}

/**
 * The runs in progress and the results changed since `sinceMs`. A usual look's span (ten minutes or less, read
 * without counting) is one call: one answer is one moment of QRS's, so a run that ends meanwhile is in it either in
 * progress or finished, as with two reads in that order; the rows are split by the tests the two filters make (a run
 * in progress that changed since is in both, as before). One request a look fewer (issue 89). A longer span (after
 * an outage) is counted and may be capped: the runs in progress are read first, then what changed. The span is what
 * no read has covered yet (unreadSpanMs, with `lastCompleteMs`): a quiet site's look minutes after the last one is one
 * call, however far back its cursor is, instead of three.
 */
export async function fetchLookRead(
  qrs: QrsClient,
  sinceMs: number,
  nowMs: number,
  maxRows: number,
  minUntilMs = sinceMs + 1_000,
  lastCompleteMs?: number,
): Promise<LookRead> {
  if (unreadSpanMs(sinceMs, nowMs, lastCompleteMs) > UNCOUNTED_SPAN_MS) {
    const running = await fetchRunning(qrs);
    return { running, read: await fetchChanged(qrs, sinceMs, nowMs, maxRows, minUntilMs) };
  }
  const since = new Date(sinceMs).toISOString();
  const filter = or(runningFilter(), compare("modifiedDate", "gt", since), compare("createdDate", "gt", since)).expression;
  const rows = await qrs.getJson("executionresult/full", QrsRowsSchema, { filter });
  const running: unknown[] = [];
  const changed: unknown[] = [];
  for (const row of rows) {
    const status = (row as { status?: unknown } | null)?.status;
    const inProgress = typeof status === "number" && isRunning(status);
    if (inProgress) running.push(row);
    // Not in progress: the answer holds it because it changed since.
    if (!inProgress || changedAfter(row, sinceMs)) changed.push(row);
  }
  return { running, read: { rows: changed, untilMs: nowMs, complete: true } };
}
