// Runs as QRS records them (execution results), read at the edge: ids lower-cased, QRS's 1753 "never" dates and
// unreadable rows dropped, start times falling back to when the result was created (a run still Triggered).
import { z } from "zod";
import type { QrsClient } from "../qlik/qrs-client";
import { and, compare, or } from "../qlik/qrs-filter";

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
export const isRunning = (status: number) => status >= STATUS.Triggered && status <= STATUS.Aborting;

const Row = z.looseObject({
  id: z.string(),
  executionID: z.string().nullish(),
  taskID: z.string().nullish(),
  appID: z.string().nullish(),
  status: z.number(),
  createdDate: z.string().nullish(),
  modifiedDate: z.string().nullish(),
  startTime: z.string().nullish(),
  stopTime: z.string().nullish(),
  executingNodeName: z.string().nullish(),
});

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
    const r = Row.safeParse(raw);
    const created = r.success ? (time(r.data.createdDate) ?? time(r.data.startTime)) : undefined;
    if (!r.success || !r.data.taskID || created === undefined) {
      unreadable++;
      continue;
    }
    const e = r.data;
    const start = time(e.startTime);
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
    });
  }
  return { executions, unreadable };
}

/** Runs in progress now: Triggered … Aborting (1–5). */
export async function fetchRunning(qrs: QrsClient): Promise<unknown[]> {
  const filter = and(compare("status", "ge", STATUS.Triggered), compare("status", "le", STATUS.Aborting));
  return qrs.getJson("executionresult/full", z.array(z.unknown()), { filter: filter.expression });
}

/** Every execution result QRS changed after `sinceMs` (new runs, status changes, finishes, skips, retries). */
export async function fetchChanged(qrs: QrsClient, sinceMs: number): Promise<unknown[]> {
  const since = new Date(sinceMs).toISOString();
  const filter = or(compare("modifiedDate", "gt", since), compare("createdDate", "gt", since));
  return qrs.getJson("executionresult/full", z.array(z.unknown()), { filter: filter.expression });
}
