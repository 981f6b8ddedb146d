// The wire facts of MCP that Steward's /mcp speaks: JSON-RPC 2.0 messages and error codes, and the protocol
// revisions it answers in (read from the MCP specification; no SDK at run time). A body's messages are read here
// without trusting their shape: anything that is not a request, a notification or a response is an invalid request.

/** MCP revisions Steward serves, newest first: what it answers is the same in each (tools, resources, prompts). */
export const PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"] as const;
export const LATEST_PROTOCOL_VERSION = PROTOCOL_VERSIONS[0];
/** What a request without an MCP-Protocol-Version header is taken to speak (the transport's rule since 2025-06-18). */
export const ASSUMED_PROTOCOL_VERSION = "2025-03-26";

/** JSON-RPC 2.0's codes, and MCP's for a resource that is not there. */
export const RpcCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** Refused by a bound of Steward's (the answer budget, the rate limit). */
  serverError: -32000,
  resourceNotFound: -32002,
} as const;

export type RequestId = string | number;
export type Params = Record<string, unknown>;

export type Message =
  | { kind: "request"; id: RequestId; method: string; params: Params | undefined }
  | { kind: "notification"; method: string }
  /** A client's answer to a request of the server's: Steward sends none, so it is taken and dropped. */
  | { kind: "response" };

export interface RpcResult {
  jsonrpc: "2.0";
  id: RequestId;
  result: object;
}
export interface RpcError {
  jsonrpc: "2.0";
  id: RequestId | null;
  error: { code: number; message: string };
}
export type Answer = RpcResult | RpcError;

/** A failure a handler throws to answer its request with a JSON-RPC error. */
export class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export const rpcResult = (id: RequestId, result: object): RpcResult => ({ jsonrpc: "2.0", id, result });
export const rpcError = (id: RequestId | null, code: number, message: string): RpcError => ({ jsonrpc: "2.0", id, error: { code, message } });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** An id's length past which it is no id a client would use (it is echoed in the answer, outside the answer budget). */
const ID_MAX_CHARS = 256;
/** MCP: a request's id is a string or a number, never null. */
const isId = (v: unknown): v is RequestId => (typeof v === "string" && v.length <= ID_MAX_CHARS) || (typeof v === "number" && Number.isFinite(v));

/** One JSON-RPC message of a body, or why it is none (for a -32600 answer). */
export function readMessage(raw: unknown): Message | { invalid: string } {
  if (!isObject(raw)) return { invalid: "a JSON-RPC message is an object" };
  if (raw.jsonrpc !== "2.0") return { invalid: 'a JSON-RPC message has "jsonrpc": "2.0"' };
  if (typeof raw.method === "string") {
    if (raw.params !== undefined && !isObject(raw.params)) return { invalid: "params, when given, is an object" };
    const params = raw.params as Params | undefined;
    if (!("id" in raw)) return { kind: "notification", method: raw.method };
    if (!isId(raw.id)) return { invalid: `a request's id is a number or a string of at most ${ID_MAX_CHARS} characters` };
    return { kind: "request", id: raw.id, method: raw.method, params };
  }
  if ("id" in raw && ("result" in raw || "error" in raw)) return { kind: "response" };
  return { invalid: "a message is a request (method and id), a notification (method) or a response (id and result or error)" };
}

/** The revision to answer an initialize in: the client's when Steward speaks it, else Steward's newest (the client decides). */
export function negotiateVersion(asked: unknown): string {
  return typeof asked === "string" && (PROTOCOL_VERSIONS as readonly string[]).includes(asked) ? asked : LATEST_PROTOCOL_VERSION;
}

/** The MCP-Protocol-Version header's value is one Steward speaks (absent: the assumed one, which it does). */
export const speaksVersion = (header: string | undefined): boolean =>
  header === undefined || (PROTOCOL_VERSIONS as readonly string[]).includes(header.split(",").at(-1)!.trim());
