// Engine-side reloads (DoReload/DoReloadEx): duration and outcome from the fixture, progress, cancel,
// script log, and the app's lastReloadTime in the QRS on success.
import type { Timer } from "../../platform/core/clock";
import { effectiveDuration } from "../settings";
import { buildScriptLog, scriptStatements } from "../tasks/script-log";
import { newGuid } from "../util/ids";
import type { EngineReloadRecord, EngineState } from "./state";
import type { Json } from "./rpc";
import { type EngineReloadContext, reloadEnded, reloadStarted } from "./engine-log";
import { writeScriptLogFile } from "./script-log-dir";

export interface PendingReload {
  requestId: number | string | null | undefined;
  record: EngineReloadRecord;
  durationMs: number;
  willSucceed: boolean;
  finished: boolean;
  cancel(): void;
  done: Promise<boolean>;
}

export function startEngineReload(
  state: EngineState,
  appId: string,
  opts: { user: string; mode: number; partial: boolean; requestId: PendingReload["requestId"]; log?: EngineReloadContext },
): PendingReload {
  const app = state.repo.findApp(appId)!;
  const startMs = state.now();
  const stamp = new Date(startMs)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.(\d{3})Z$/, ".$1+0000");
  const record: EngineReloadRecord = {
    id: newGuid(),
    appId: app.model.id,
    appName: app.model.name,
    user: opts.user,
    partial: opts.partial,
    mode: opts.mode,
    startMs,
    stopMs: undefined,
    status: "running",
    scriptLogFile: `C:\\ProgramData\\Qlik\\Sense\\Log\\Script\\${app.model.id}.${stamp}.log`,
    scriptLog: undefined,
  };
  state.addReload(record);
  if (opts.log) for (const l of reloadStarted(opts.log, startMs, opts)) state.log(l);
  const durationMs = effectiveDuration(state.settings.timing, app.model.reload.durationMs);
  // qMode 2 ignores script errors, so a failing script still "succeeds".
  const willSucceed = app.model.reload.outcome === "succeed" || opts.mode === 2;

  let timer: Timer | undefined;
  let resolveDone!: (ok: boolean) => void;
  const done = new Promise<boolean>((r) => (resolveDone = r));

  const finish = (status: EngineReloadRecord["status"]) => {
    if (pending.finished) return;
    pending.finished = true;
    if (timer) state.clock.clearTimeout(timer);
    const stopMs = state.now();
    record.stopMs = stopMs;
    record.status = status;
    record.scriptLog = buildScriptLog({
      script: app.script,
      productVersion: state.repo.site.info.productVersion,
      user: opts.user,
      startMs,
      stopMs,
      outcome: status === "succeeded" ? "success" : status === "failed" ? "fail" : "abort",
      ...(app.model.reload.error === undefined ? {} : { error: app.model.reload.error }),
      partial: opts.partial,
    });
    if (status === "succeeded") {
      app.lastReloadMs = stopMs;
      app.modifiedMs = stopMs;
    }
    writeScriptLogFile(state.settings.scriptLog.dir, app.model.id, startMs, record.scriptLog);
    if (opts.log) for (const l of reloadEnded(opts.log, stopMs, status === "running" ? "failed" : status, app.model.reload.error)) state.log(l);
    resolveDone(status === "succeeded");
  };

  const pending: PendingReload = {
    requestId: opts.requestId,
    record,
    durationMs,
    willSucceed,
    finished: false,
    cancel: () => finish("cancelled"),
    done,
  };
  timer = state.clock.setTimeout(() => finish(willSucceed ? "succeeded" : "failed"), durationMs);
  return pending;
}

/**
 * GetProgress payload for a reload (or an idle one when there is none). Script errors appear in qErrorData
 * only when the session asked for them with ConfigureReload(qUseErrorData: true), as on the real Engine.
 */
export function progressOf(state: EngineState, r: PendingReload | undefined, useErrorData = false): Json {
  const base = {
    qStarted: false,
    qFinished: false,
    qCompleted: 0,
    qTotal: 0,
    qKB: 0,
    qMillisecs: 0,
    qUserInteractionWanted: false,
    qPersistentProgress: "",
    qTransientProgress: "",
    qErrorData: [] as Json[],
    qPersistentProgressMessages: [] as Json[],
    qTransientProgressMessage: { qMessageCode: 0, qMessageParameters: [] },
  };
  if (!r) return { qProgressData: base };
  const app = state.repo.findApp(r.record.appId);
  const statements = app ? scriptStatements(app.script).filter((s) => s.isLoad) : [];
  const elapsed = (r.record.stopMs ?? state.now()) - r.record.startMs;
  const fraction = r.finished ? 1 : Math.min(0.99, r.durationMs === 0 ? 1 : elapsed / r.durationMs);
  const doneCount = Math.floor(statements.length * fraction);
  const lines = statements.slice(0, doneCount).map((s) => {
    const from = /\[(lib:\/\/[^\]]+)\]/.exec(s.lines.map((l) => l.text).join(" "))?.[1] ?? "SQL";
    const label = /^\[?([^\]:]+)\]?:/.exec(s.lines[0]?.text.trim() ?? "")?.[1] ?? "table";
    return `${label} << ${from} ${(1000 * (label.length + 7)).toLocaleString("en-US").replace(/,/g, " ")} Lines fetched`;
  });
  const failed = useErrorData && r.finished && r.record.status === "failed";
  return {
    qProgressData: {
      ...base,
      qStarted: true,
      qFinished: r.finished,
      qMillisecs: elapsed,
      qPersistentProgress: lines.length > 0 ? `${lines.join("\n")}\n` : "",
      qTransientProgress: r.finished ? "" : (statements[doneCount]?.lines[0]?.text.trim() ?? ""),
      qErrorData: failed
        ? [
            {
              qErrorString: app?.model.reload.error ?? "Script error",
              qLineEnd: "",
              qLine: statements[statements.length - 1]?.lines[0]?.text.trim() ?? "",
              qErrorDataCode: 1,
              qMessage: { qMessageCode: 1, qMessageParameters: [] },
            },
          ]
        : [],
      qPersistentProgressMessages: lines.map(() => ({ qMessageCode: 21, qMessageParameters: ["1000"] })),
    },
  };
}
