// One start request, whichever edge it came from (REST or MQTT): validate ids, store the key-value pairs,
// start through the TaskStarter, optionally wait for the runs, and build the answer.
import type { waitSchema } from "./config";
import { AppError, isAppError } from "../../platform/core/errors";
import { assertTaskIdsWellFormed, isEmptySelector, parseStartRequest, type KvSkipped, type KvWrite, type StartBody } from "./start-request";
import { toStartResponse, type KeyValueReport, type StartResponse } from "./start-response";
import type { TaskWaiter } from "./task-waiter";
import type { KeyValueWriter, StartOrigin, TaskStarter } from "./types";
import type { z } from "zod";

export interface StartHandlerDeps {
  starter: TaskStarter;
  waiter: TaskWaiter;
  waitCfg: z.infer<ReturnType<typeof waitSchema>>;
  /** The KV store, once it exists; without it `keyvaluestore` items are skipped and reported. */
  kv: () => KeyValueWriter | undefined;
}

export interface StartRequestOptions {
  allTaskIdsMustExist?: boolean;
  wait?: boolean;
  timeoutMs?: number;
}

export type StartHandler = (pathTaskId: string | undefined, body: StartBody, origin: StartOrigin, options?: StartRequestOptions) => Promise<StartResponse>;

export function createStartHandler(deps: StartHandlerDeps): StartHandler {
  /**
   * Stores the pairs before the starts, so the started app can read what its caller left for it. A pair the store
   * refuses (a limit, the store off) is skipped and reported like a malformed one: the tasks start all the same.
   */
  async function storeKeyValues(writes: KvWrite[], skipped: KvSkipped[]): Promise<KeyValueReport> {
    const stored: KeyValueReport["stored"] = [];
    const kv = deps.kv();
    for (const w of writes) {
      if (!kv) {
        skipped.push({ namespace: w.namespace, key: w.key, reason: "the key-value store is off (kv.enabled: false)" });
        continue;
      }
      try {
        await kv.setKey(w.namespace, w.key, w.value, w.ttlMs);
        stored.push({ namespace: w.namespace, key: w.key });
      } catch (err) {
        if (!isAppError(err) || err.status >= 500) throw err;
        skipped.push({ namespace: w.namespace, key: w.key, reason: err.message });
      }
    }
    return { stored, skipped };
  }

  return async (pathTaskId, body, origin, options = {}) => {
    const { selector, kvWrites, kvSkipped, objectFormIds } = parseStartRequest(pathTaskId, body);
    assertTaskIdsWellFormed(objectFormIds);
    const hasKvItems = kvWrites.length + kvSkipped.length > 0;
    // Butler answered an empty array on "-" with an empty report, not an error.
    if (isEmptySelector(selector) && !hasKvItems && !Array.isArray(body)) {
      throw new AppError("BAD_REQUEST", "nothing to start: give a task id in the path, or taskId, tag or customProperty in the body");
    }
    const keyValues = hasKvItems ? await storeKeyValues(kvWrites, kvSkipped) : undefined;
    const empty = { started: [], notFound: [], invalid: [], denied: [], byTag: [], byCustomProperty: [] };
    if (isEmptySelector(selector)) return toStartResponse(empty, undefined, keyValues);
    const report = await deps.starter.start(selector, origin, { allTaskIdsMustExist: options.allTaskIdsMustExist, synchronous: options.wait === true });
    if (!options.wait) return toStartResponse(report, undefined, keyValues);
    const timeoutMs = Math.min(options.timeoutMs ?? deps.waitCfg.defaultTimeoutMs, deps.waitCfg.maxTimeoutMs);
    const executions = await deps.waiter.waitAll(report.started, {
      timeoutMs,
      pollIntervalMs: deps.waitCfg.pollIntervalMs,
      logTailLines: deps.waitCfg.logTailLines,
    });
    return toStartResponse(report, executions, keyValues);
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
