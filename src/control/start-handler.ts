// One start request, whichever edge it came from (REST or MQTT): validate ids, store the key-value pairs,
// start through the TaskStarter, optionally wait for the runs, and build the answer.
import type { WaitSchema } from "../config/sections/control";
import { AppError } from "../core/errors";
import { assertTaskIdsWellFormed, isEmptySelector, parseStartRequest, type StartBody } from "./start-request";
import { toStartResponse, type StartResponse } from "./start-response";
import type { TaskWaiter } from "./task-waiter";
import type { KeyValueWriter, StartOrigin, TaskStarter } from "./types";
import type { z } from "zod";

export interface StartHandlerDeps {
  starter: TaskStarter;
  waiter: TaskWaiter;
  waitCfg: z.infer<typeof WaitSchema>;
  /** The KV store, once it exists; `keyvaluestore` items fail with 503 without it. */
  kv: () => KeyValueWriter | undefined;
}

export interface StartRequestOptions {
  allTaskIdsMustExist?: boolean;
  wait?: boolean;
  timeoutMs?: number;
}

export type StartHandler = (pathTaskId: string | undefined, body: StartBody, origin: StartOrigin, options?: StartRequestOptions) => Promise<StartResponse>;

export function createStartHandler(deps: StartHandlerDeps): StartHandler {
  return async (pathTaskId, body, origin, options = {}) => {
    const { selector, kvWrites } = parseStartRequest(pathTaskId, body);
    assertTaskIdsWellFormed(selector.taskIds);
    if (isEmptySelector(selector) && kvWrites.length === 0) {
      throw new AppError("BAD_REQUEST", "nothing to start: give a task id in the path, or taskId, tag or customProperty in the body");
    }
    if (kvWrites.length > 0) {
      const kv = deps.kv();
      if (!kv) throw new AppError("UNAVAILABLE", "the request carries keyvaluestore items but the key-value store is not available");
      // Before the starts, so the started app can read what its caller left for it.
      for (const w of kvWrites) await kv.setKey(w.namespace, w.key, w.value, w.ttlMs);
    }
    if (isEmptySelector(selector)) return toStartResponse({ started: [], notFound: [], invalid: [], denied: [], byTag: [], byCustomProperty: [] });
    const report = await deps.starter.start(selector, origin, { allTaskIdsMustExist: options.allTaskIdsMustExist, synchronous: options.wait === true });
    if (!options.wait) return toStartResponse(report);
    const timeoutMs = Math.min(options.timeoutMs ?? deps.waitCfg.defaultTimeoutMs, deps.waitCfg.maxTimeoutMs);
    const executions = await deps.waiter.waitAll(report.started, { timeoutMs, pollIntervalMs: deps.waitCfg.pollIntervalMs, logTailLines: deps.waitCfg.logTailLines });
    return toStartResponse(report, executions);
  };
}

/** `?timeout=` as milliseconds, or with a unit: 90s, 5m, 1h. */
export function parseTimeout(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? "ms";
  return n * (unit === "h" ? 3_600_000 : unit === "m" ? 60_000 : unit === "s" ? 1000 : 1);
}
