// Script-log retrieval for a reload task run (qlik-protocols §2.8.4): the new `scriptlogfile?executionResultId=`
// flow first, then the old `scriptlog?fileReferenceId=` flow, then the download; retried while QRS catches up.
import type { z } from "zod";
import { type Clock, sleep } from "../core/clock";
import { AppError } from "../core/errors";
import { QrsTaskSchema, QrsValueSchema, ZERO_GUID } from "./qrs-schemas";
import type { QrsRawResponse, QrsRequest } from "./qrs-transport";

export interface ScriptLogOptions {
  /** Execution result id (ExecutionResult.id); read from reloadtask/{id} when absent. */
  executionResultId?: string;
  /** ExecutionResult.fileReferenceID for the old flow; read from reloadtask/{id} when absent. */
  fileReferenceId?: string;
  /** Attempts while QRS has not caught up (default 3). */
  attempts?: number;
  /** Pause between attempts (default 2000 ms). */
  retryDelayMs?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ScriptLogResult {
  /** The log text as served (CRLF line ends). */
  text: string;
  flow: "scriptlogfile" | "scriptlog";
  downloadRef: string;
  attempts: number;
}

export interface ScriptLogIo {
  request(req: QrsRequest): Promise<QrsRawResponse>;
  /** The waits between attempts run on it. */
  clock: Clock;
  getJson<S extends z.ZodType>(path: string, schema: S, query?: QrsRequest["query"], o?: { timeoutMs?: number; signal?: AbortSignal }): Promise<z.infer<S>>;
  decode<S extends z.ZodType>(res: QrsRawResponse, path: string, schema: S): z.infer<S>;
}

const REF = /^[A-Za-z0-9-]{1,64}$/;

function refFrom(value: unknown): string | undefined {
  const v = typeof value === "string" ? value : value && typeof value === "object" ? (value as { value?: unknown }).value : undefined;
  return typeof v === "string" && REF.test(v) && v !== ZERO_GUID ? v : undefined;
}

export async function fetchScriptLog(io: ScriptLogIo, taskId: string, opts: ScriptLogOptions): Promise<ScriptLogResult> {
  const attempts = Math.max(1, opts.attempts ?? 3);
  const call = { timeoutMs: opts.timeoutMs, signal: opts.signal };
  const problems: string[] = [];

  async function ref(path: string, query: Record<string, string>): Promise<string | undefined> {
    try {
      const res = await io.request({ method: "GET", path, query, ...call });
      // Qlik's spec shows a bare GUID for the newer endpoint; QRS and every client use {"value": …}.
      const text = res.body.toString("utf8").trim();
      const parsed = text.startsWith("{") ? io.decode(res, path, QrsValueSchema) : text.replace(/^"|"$/g, "");
      const found = refFrom(parsed);
      if (!found) problems.push(`${path}: no download reference in the answer`);
      return found;
    } catch (err) {
      // An HTTP answer (404, 400, even 500) from one endpoint means "try the other flow"; no answer at all is an outage.
      const answered = err instanceof AppError && typeof (err.details as { status?: unknown } | undefined)?.status === "number";
      if (answered) {
        problems.push(err.message);
        return undefined;
      }
      throw err;
    }
  }

  // A reference whose download was "not ready" is downloaded again on the next attempt rather than replaced:
  // each new reference starts its own not-ready period on the server (references live for minutes).
  let pending: { flow: ScriptLogResult["flow"]; ref: string; misses: number } | undefined;
  const download = async (flow: ScriptLogResult["flow"], downloadRef: string, attempt: number): Promise<ScriptLogResult | "not-ready"> => {
    try {
      const res = await io.request({ method: "GET", path: `download/reloadtask/${downloadRef}/scriptlog.txt`, ...call });
      return { text: res.body.toString("utf8"), flow, downloadRef, attempts: attempt };
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== "NOT_FOUND") throw err;
      problems.push(`download ${downloadRef}: not ready`);
      return "not-ready";
    }
  };

  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (pending) {
      const again = await download(pending.flow, pending.ref, attempt);
      if (again !== "not-ready") return again;
      pending.misses++;
      if (opts.signal?.aborted) break;
      if (attempt < attempts) await sleep(io.clock, opts.retryDelayMs ?? 2_000, opts.signal);
      continue;
    }
    let erId = opts.executionResultId;
    let fileRef = opts.fileReferenceId;
    if (!erId || !fileRef) {
      const task = await io.getJson(`reloadtask/${taskId}`, QrsTaskSchema, undefined, call);
      const last = task.operational?.lastExecutionResult;
      erId ??= last?.id ?? undefined;
      fileRef ??= last?.fileReferenceID ?? undefined;
    }
    const candidates: Array<{ flow: ScriptLogResult["flow"]; get: () => Promise<string | undefined> }> = [];
    if (erId) candidates.push({ flow: "scriptlogfile", get: () => ref(`reloadtask/${taskId}/scriptlogfile`, { executionResultId: erId! }) });
    // A zero fileReferenceID means "no log" to the old API; the new flow above may still have one.
    if (fileRef && fileRef !== ZERO_GUID)
      candidates.push({ flow: "scriptlog", get: () => ref(`reloadtask/${taskId}/scriptlog`, { fileReferenceId: fileRef! }) });
    if (candidates.length === 0) problems.push("QRS has no execution result or script-log reference for this run yet");

    for (const c of candidates) {
      const downloadRef = await c.get();
      if (!downloadRef) continue;
      const got = await download(c.flow, downloadRef, attempt);
      if (got !== "not-ready") return got;
      pending = { flow: c.flow, ref: downloadRef, misses: 1 };
      break;
    }
    if (opts.signal?.aborted) break;
    if (attempt < attempts) await sleep(io.clock, opts.retryDelayMs ?? 2_000, opts.signal);
  }
  throw new AppError("NOT_FOUND", `no script log for task ${taskId} after ${attempts} attempt(s): ${problems.slice(-3).join("; ")}`, {
    details: { taskId, problems: problems.slice(-6) },
  });
}
