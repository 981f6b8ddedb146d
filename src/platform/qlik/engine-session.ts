// One Engine (QIX) session: JSON-RPC 2.0 over an open WebSocket. Matches answers to requests by id, bounds
// every call with a timeout, and fails all pending calls when the socket closes.
import { type Clock, wallClock } from "../core/clock";
import { inFlight } from "../core/stepped-clock";
import { AppError } from "../core/errors";

export type EngineParams = unknown[] | Record<string, unknown>;

export interface EngineCallOptions {
  /**
   * 0 = no timeout (DoReload may run for hours; the caller bounds it). Such a call is not work in flight on a stepped
   * clock either: its answer waits for the reload, which needs (simulated) time to pass.
   */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface EngineRequest<T> {
  /** The JSON-RPC id, needed for GetProgress(qRequestId). */
  id: number;
  result: Promise<T>;
}

/** The Engine answered with a JSON-RPC error (not a transport failure). */
export class EngineRpcError extends AppError {
  readonly rpcCode: number;
  readonly method: string;
  constructor(method: string, rpcCode: number, message: string, parameter?: string) {
    // 1003 LOCERR_APP_NOT_FOUND and 2 "not found" are a client error; access denials are 403; the rest is upstream.
    const code = rpcCode === 1003 || rpcCode === 2 ? "NOT_FOUND" : rpcCode === 5 || rpcCode === 403 ? "FORBIDDEN" : "ENGINE_UNAVAILABLE";
    super(code, `Engine ${method} failed: ${message}${parameter ? ` (${parameter})` : ""} [engine error ${rpcCode}]`, {
      details: { engineError: rpcCode, method, ...(parameter ? { parameter } : {}) },
    });
    this.rpcCode = rpcCode;
    this.method = method;
  }
}

export interface EngineSession {
  /** Sends a request; `result` resolves with the JSON-RPC `result` object. */
  request<T = Record<string, unknown>>(handle: number, method: string, params?: EngineParams, opts?: EngineCallOptions): EngineRequest<T>;
  call<T = Record<string, unknown>>(handle: number, method: string, params?: EngineParams, opts?: EngineCallOptions): Promise<T>;
  close(): Promise<void>;
  readonly closed: boolean;
}

interface Pending {
  method: string;
  resolve(v: unknown): void;
  reject(e: unknown): void;
  cleanup(): void;
}

interface RpcMessage {
  id?: number;
  method?: string;
  result?: unknown;
  error?: { code?: number; message?: string; parameter?: string };
}

/**
 * Wraps an already-open WebSocket. `defaultTimeoutMs` applies when a call gives none. On a stepped `clock` each call
 * with a timeout is work in flight until answered.
 */
export function createEngineSession(ws: WebSocket, defaultTimeoutMs: number, label: string, clock?: Clock): EngineSession {
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;
  let closeReason = "";

  const failAll = (err: unknown) => {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.cleanup();
      p.reject(err);
    }
  };

  ws.addEventListener("message", (ev) => {
    let msg: RpcMessage;
    try {
      msg = JSON.parse(typeof ev.data === "string" ? ev.data : new TextDecoder().decode(ev.data as ArrayBuffer)) as RpcMessage;
    } catch {
      return; // not JSON: nothing can be matched to it
    }
    // Notifications (OnConnected, OnMaxParallelSessionsExceeded …) carry no id.
    if (typeof msg.id !== "number") return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    p.cleanup();
    if (msg.error) p.reject(new EngineRpcError(p.method, msg.error.code ?? -1, msg.error.message ?? "unknown error", msg.error.parameter));
    else p.resolve(msg.result ?? {});
  });
  ws.addEventListener("close", (ev) => {
    closed = true;
    closeReason = `socket closed (${ev.code}${ev.reason ? ` ${ev.reason}` : ""})`;
    failAll(new AppError("ENGINE_UNAVAILABLE", `Engine session ${label}: ${closeReason}`));
  });

  function request<T>(handle: number, method: string, params: EngineParams = [], opts: EngineCallOptions = {}): EngineRequest<T> {
    const id = nextId++;
    if (closed || ws.readyState !== WebSocket.OPEN) {
      return { id, result: Promise.reject(new AppError("ENGINE_UNAVAILABLE", `Engine session ${label} is closed${closeReason ? `: ${closeReason}` : ""}`)) };
    }
    if (opts.signal?.aborted) {
      return { id, result: Promise.reject(new AppError("TIMEOUT", `Engine ${method} aborted: ${String(opts.signal.reason ?? "cancelled")}`)) };
    }
    const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
    const result = new Promise<T>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? wallClock.setTimeout(() => finish(new AppError("TIMEOUT", `Engine ${method} did not answer within ${timeoutMs} ms`)), timeoutMs)
          : undefined;
      const onAbort = () => finish(new AppError("TIMEOUT", `Engine ${method} aborted: ${String(opts.signal?.reason ?? "cancelled")}`));
      const finish = (err: unknown) => {
        if (!pending.delete(id)) return;
        cleanup();
        reject(err);
      };
      const cleanup = () => {
        if (timer) wallClock.clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
      };
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, cleanup });
      ws.send(JSON.stringify({ jsonrpc: "2.0", id, handle, method, params }));
    });
    return { id, result: clock && timeoutMs > 0 ? inFlight(clock, result, `Engine ${method} (${label})`) : result };
  }

  return {
    request,
    call: <T>(handle: number, method: string, params?: EngineParams, opts?: EngineCallOptions) => request<T>(handle, method, params, opts).result,
    get closed() {
      return closed;
    },
    close() {
      if (closed) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = wallClock.setTimeout(resolve, 2000); // never wait long for the peer's close frame
        ws.addEventListener("close", () => {
          wallClock.clearTimeout(timer);
          resolve();
        });
        ws.close(1000, "done");
      }).finally(() => {
        closed = true;
        failAll(new AppError("ENGINE_UNAVAILABLE", `Engine session ${label} closed by Steward`));
      });
    },
  };
}
