// Following one Engine reload: its answer awaited while GetProgress is polled for the script log and progress,
// cancelled past control.reload.timeoutMs; and the log tail and script errors the job keeps.
import type { Logger } from "pino";
import { sleep } from "../../platform/core/clock";
import { AppError, describeError } from "../../platform/core/errors";
import { GLOBAL_HANDLE } from "../../platform/qlik/engine-doc";
import type { EngineSession } from "../../platform/qlik/engine-session";
import type { AppReloaderDeps } from "./app-reloader-types";
import type { ReloadJob } from "./reload-jobs";

/** What the parts of a reload job share: the reloader's dependencies, its log and the time as ISO text. */
export interface ReloadEnv {
  deps: AppReloaderDeps;
  log: Logger;
  iso(): string;
}

export interface ProgressData {
  qPersistentProgress?: string;
  qTransientProgress?: string;
  qErrorData?: Array<{ qErrorString?: string; qLine?: string }>;
}

/** The last lines of the script log (at most `maxLines`), and the script errors the Engine reported, each once. */
export function createReloadLog(maxLines: number) {
  const tail: string[] = [];
  const pushLines = (text: string) => {
    for (const line of text.split(/\r?\n/)) if (line.trim()) tail.push(line);
    if (tail.length > maxLines) tail.splice(0, tail.length - maxLines);
  };
  // Script errors the Engine reported (GetProgress qErrorData), each once, for the job's error text.
  const scriptErrors: string[] = [];
  const noteError = (e: { qErrorString?: string; qLine?: string }) => {
    if (!e.qErrorString) return;
    const text = `${e.qErrorString}${e.qLine ? ` (at: ${e.qLine.trim()})` : ""}`;
    if (scriptErrors.includes(text)) return;
    scriptErrors.push(text);
    pushLines(`Error: ${text}`);
  };
  return { tail, scriptErrors, pushLines, noteError };
}

/** Waits for the reload answer while polling GetProgress; cancels the reload past the timeout. */
export async function followReload<T>(
  env: ReloadEnv,
  session: EngineSession,
  req: { id: number; result: Promise<T> },
  signal: AbortSignal,
  started: number,
  pushLines: (t: string) => void,
  save: (p: Partial<ReloadJob>) => void,
  noteError: (e: { qErrorString?: string; qLine?: string }) => void,
): Promise<T> {
  const { deps, log } = env;
  const { cfg } = deps;
  let done = false;
  // Ends the wait between progress polls when the reload ends, so the poller does not outlive it.
  const ended = new AbortController();
  let lastPersistent = "";
  const poll = async () => {
    while (!done && !signal.aborted) {
      await sleep(deps.clock, cfg.progressIntervalMs, AbortSignal.any([signal, ended.signal]));
      if (done) return;
      const elapsedMs = deps.clock.now() - started;
      if (elapsedMs > cfg.timeoutMs) {
        await session.call(GLOBAL_HANDLE, "CancelReload", []).catch(() => undefined);
        throw new AppError("TIMEOUT", `the reload ran longer than control.reload.timeoutMs (${cfg.timeoutMs} ms) and was cancelled`);
      }
      try {
        const r = await session.call<{ qProgressData?: ProgressData }>(GLOBAL_HANDLE, "GetProgress", [req.id]);
        const p = r.qProgressData ?? {};
        const text = p.qPersistentProgress ?? "";
        // Engines send persistent progress either as increments or as the whole text so far.
        const fresh = lastPersistent && text.startsWith(lastPersistent) ? text.slice(lastPersistent.length) : text;
        if (text) lastPersistent = text;
        if (fresh) pushLines(fresh);
        for (const e of p.qErrorData ?? []) noteError(e);
        const lastMessage = (p.qTransientProgress || fresh.trim().split(/\r?\n/).at(-1) || undefined)?.trim();
        save({ progress: { elapsedMs, ...(lastMessage ? { lastMessage } : {}) } });
      } catch (err) {
        if (done || signal.aborted) return;
        log.debug({ err: describeError(err) }, "GetProgress failed; the reload goes on");
      }
    }
  };
  const poller = poll();
  try {
    return await Promise.race([req.result, poller.then(() => req.result)]);
  } finally {
    done = true;
    ended.abort();
    await poller.catch(() => undefined);
  }
}
