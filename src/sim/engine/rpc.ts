// JSON-RPC 2.0 framing of the QIX Engine: errors, handle references and positional/named parameters.

export type Json = Record<string, unknown>;

export interface RpcRequest {
  jsonrpc?: string;
  id?: number | string | null;
  handle?: number;
  method?: string;
  params?: unknown;
  delta?: boolean;
}

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly parameter = "",
  ) {
    super(message);
    this.name = "RpcError";
  }
}

export const ERR = {
  parse: () => new RpcError(-32700, "Parse error"),
  invalidRequest: () => new RpcError(-32600, "Invalid Request"),
  methodNotFound: (method: string) => new RpcError(-32601, "Method not found", method),
  invalidHandle: (handle: unknown) => new RpcError(-32602, "Invalid handle", String(handle)),
  invalidParams: (name: string) => new RpcError(-32602, "Invalid Params", name),
  appNotFound: (id: string) => new RpcError(1003, "App not found", id),
  appAlreadyOpen: (id: string) => new RpcError(1002, "App already open", id),
  noActiveDoc: () => new RpcError(1007, "No active document", ""),
};

/** Maps positional (`[a, b]`) or named (`{qA: a}`) params onto the method's parameter names. */
export function namedParams(params: unknown, names: readonly string[]): Json {
  if (params === undefined || params === null) return {};
  if (Array.isArray(params)) {
    const out: Json = {};
    names.forEach((n, i) => {
      if (i < params.length) out[n] = params[i];
    });
    return out;
  }
  if (typeof params === "object") return params as Json;
  throw ERR.invalidParams("params");
}

export function handleRef(qType: string, qHandle: number, qGenericId: string, qGenericType?: string): Json {
  const ref: Json = { qType, qHandle, qGenericId };
  if (qGenericType !== undefined) ref.qGenericType = qGenericType;
  return { qReturn: ref };
}

export const NOT_FOUND_REF = { qReturn: { qType: null, qHandle: null } };

export function str(args: Json, name: string, required = true): string {
  const v = args[name];
  if (typeof v === "string") return v;
  if (v === undefined && !required) return "";
  throw ERR.invalidParams(name);
}
