// One Engine WebSocket session: handle table, JSON-RPC dispatch to the method tables, injected faults, logging.
import type { Faults } from "../traffic/faults";
import type { RequestLog } from "../traffic/request-log";
import { GLOBAL_METHODS } from "./methods-global";
import { DOC_METHODS } from "./methods-doc";
import { GENERIC_METHODS, OBJECT_ONLY_METHODS } from "./methods-generic";
import { ERR, namedParams, RpcError, type Json, type RpcRequest } from "./rpc";
import type { EngineSession, HandleObject, MethodDef } from "./session-types";
import type { EngineState } from "./state";
import { newGuid } from "../util/ids";

export function createSession(
  state: EngineState,
  opts: { user: string; userHeader: string; path: string; node?: string; proxySessionId?: string },
): EngineSession {
  const node = state.nodeFor(opts.node);
  return {
    state,
    user: opts.user,
    id: newGuid(),
    node: { name: node.name, hostName: node.hostName },
    proxySessionId: opts.proxySessionId || "0",
    userHeader: opts.userHeader,
    path: opts.path,
    handles: new Map<number, HandleObject>([[-1, { kind: "Global" }]]),
    nextHandle: 1,
    docHandle: undefined,
    reloads: [],
    reloadConfig: { cancelOnScriptError: false, useErrorData: false, interactOnError: false },
    closed: false,
  };
}

function methodFor(h: HandleObject, method: string): MethodDef | undefined {
  switch (h.kind) {
    case "Global":
      return GLOBAL_METHODS[method];
    case "Doc":
      return DOC_METHODS[method];
    case "GenericObject":
      return GENERIC_METHODS[method] ?? OBJECT_ONLY_METHODS[method];
    default:
      return GENERIC_METHODS[method];
  }
}

export function closeSession(s: EngineSession): void {
  s.closed = true;
  for (const r of s.reloads) if (!r.finished) r.cancel();
}

const reply = (id: unknown, body: Json) => JSON.stringify({ jsonrpc: "2.0", id: id ?? null, ...body });

/** Handles one text frame; resolves with the response frame (undefined for notifications). */
export async function handleFrame(s: EngineSession, frame: string, deps: { requestLog: RequestLog; faults: Faults }): Promise<string | undefined> {
  let req: RpcRequest;
  try {
    req = JSON.parse(frame) as RpcRequest;
  } catch {
    return reply(null, { error: { code: -32700, parameter: "", message: "Parse error" } });
  }
  if (req === null || typeof req !== "object" || typeof req.method !== "string") {
    const err = ERR.invalidRequest();
    return reply((req as RpcRequest | null)?.id, { error: { code: err.code, parameter: err.parameter, message: err.message } });
  }
  const now = s.state.now();
  deps.requestLog.add(
    {
      source: "engine",
      method: "RPC",
      path: s.path,
      query: {},
      headers: { user: s.userHeader },
      rpc: { id: req.id, handle: req.handle, method: req.method, params: req.params },
    },
    now,
  );
  try {
    const fault = deps.faults.take({ target: "engine", rpcMethod: req.method, path: s.path }, now);
    if (fault) {
      await deps.faults.hold(fault);
      if (fault.rpcErrorCode !== undefined || fault.status !== undefined) {
        throw new RpcError(fault.rpcErrorCode ?? -32603, fault.body ?? "Internal error", req.method);
      }
    }
    const handleNo = typeof req.handle === "number" ? req.handle : -1;
    const h = s.handles.get(handleNo);
    if (!h) throw ERR.invalidHandle(req.handle);
    const m = methodFor(h, req.method);
    if (!m) throw ERR.methodNotFound(req.method);
    const result = await m.run(s, h, namedParams(req.params, m.params), req);
    return req.id === undefined ? undefined : reply(req.id, { result });
  } catch (err) {
    const e = err instanceof RpcError ? err : new RpcError(-32603, `Internal error: ${(err as Error).message}`);
    return reply(req.id, { error: { code: e.code, parameter: e.parameter, message: e.message } });
  }
}
