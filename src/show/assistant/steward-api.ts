// The assistant's tools ask Steward's own REST API, in-process, with the credentials of the /mcp request: a tool sees
// and does exactly what the caller's key may see and do through the API, answered from the same code.
import type { ToolResult } from "./catalog";
import type { Context, Hono } from "hono";
import type { HttpEnv, RefusalTally } from "../../platform/http/types";
import { type ApiResult, forwardedHeaders, readResult } from "../dashboard/api-reader";
import { bounded } from "./bounds";
import { markSiteData, SITE_DATA_PREAMBLE, type SiteText } from "./site-data";

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

/**
 * A tool's answer: the facts with the site's texts marked (site-data.ts), bounded; as text for every client (the
 * preamble that says what the marks mean, then the facts as JSON) and structured for those that read it.
 */
export function factsAnswer(data: object): ToolResult {
  const facts = bounded(markSiteData(data)) as Record<string, unknown>;
  return {
    content: [
      { type: "text", text: SITE_DATA_PREAMBLE },
      { type: "text", text: JSON.stringify(facts) },
    ],
    structuredContent: facts,
  };
}

/** A refusal or a failure the assistant can tell the person about: what Steward answered and why. */
export function errorAnswer(message: string): ToolResult {
  return { isError: true, content: [{ type: "text", text: message }] };
}

/**
 * The API's answer as the tool's: its facts, or its error with the status. The error's message is marked as the
 * site's: it may quote QRS or a name (a task QRS would not start, an app it does not know).
 */
export function apiAnswer<T extends object>(r: ApiResult<T>, shape: (data: T) => object = (d) => d): ToolResult {
  if (r.ok) return factsAnswer(shape(r.data));
  return errorAnswer(`Steward answered ${r.status}; its message, marked as data from the site: ${JSON.stringify({ siteData: r.error } satisfies SiteText)}`);
}

export const query = (params: Record<string, string | number | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
};
