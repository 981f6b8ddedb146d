// The assistant's tools ask Steward's own REST API, in-process, with the credentials of the /mcp request: a tool sees
// and does exactly what the caller's key may see and do through the API, answered from the same code.
import type { ToolResult } from "./catalog";
import type { Context, Hono } from "hono";
import type { HttpEnv, RefusalTally } from "../../platform/http/types";
import { type ApiResult, forwardedHeaders, readResult } from "../dashboard/api-reader";
import { bounded } from "./bounds";

export interface StewardApi {
  get<T extends object = Record<string, unknown>>(path: string): Promise<ApiResult<T>>;
  post<T extends object = Record<string, unknown>>(path: string, body: unknown): Promise<ApiResult<T>>;
}

/** `refusals`: where the calls' refusals are counted, for one log line per /mcp request. */
export function stewardApiFor(hono: Hono<HttpEnv>, c: Context<HttpEnv>, refusals?: RefusalTally): StewardApi {
  const env = refusals ? { ...c.env, refusals } : c.env;
  const send = async <T>(method: string, path: string, body?: unknown): Promise<ApiResult<T>> => {
    const headers = forwardedHeaders(c, "mcp");
    if (body !== undefined) headers.set("content-type", "application/json");
    const res = await hono.request(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }, env);
    return readResult<T>(res);
  };
  return { get: (path) => send("GET", path), post: (path, body) => send("POST", path, body) };
}

/** A tool's answer: the facts as JSON (text for every client, structured for those that read it), bounded. */
export function factsAnswer(data: object): ToolResult {
  const facts = bounded(data) as Record<string, unknown>;
  return { content: [{ type: "text", text: JSON.stringify(facts) }], structuredContent: facts };
}

/** A refusal or a failure the assistant can tell the person about: what Steward answered and why. */
export function errorAnswer(message: string): ToolResult {
  return { isError: true, content: [{ type: "text", text: message }] };
}

/** The API's answer as the tool's: its facts, or its error with the status. */
export function apiAnswer<T extends object>(r: ApiResult<T>, shape: (data: T) => object = (d) => d): ToolResult {
  if (r.ok) return factsAnswer(shape(r.data));
  return errorAnswer(`Steward answered ${r.status}: ${r.error}`);
}

export const query = (params: Record<string, string | number | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
};
