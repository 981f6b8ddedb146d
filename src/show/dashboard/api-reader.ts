// Server-side reads of Steward's own REST API for the dashboard pages: each read is an in-process request
// carrying the page request's credentials, so a page shows exactly what its viewer may read through the API.
import type { Context, Hono } from "hono";
import type { HttpEnv } from "../../platform/http/types";
import { requestIdOf } from "../../platform/http/request-state";

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; error: string; body: unknown };

export type ApiReader = <T>(c: Context<HttpEnv>, path: string) => Promise<ApiResult<T>>;

/** Request headers that are about the page request's body or transport, not about who is asking. */
const NOT_FORWARDED = new Set(["content-length", "content-type", "accept-encoding", "connection", "transfer-encoding", "x-request-id"]);

/** The request's credentials (key, cookie, certificate header) for a request Steward makes to itself on its behalf. */
export function forwardedHeaders(c: Context<HttpEnv>, suffix: string): Headers {
  const headers = new Headers();
  c.req.raw.headers.forEach((value, name) => {
    if (!NOT_FORWARDED.has(name)) headers.set(name, value);
  });
  headers.set("accept", "application/json");
  const rid = requestIdOf(c);
  if (rid) headers.set("x-request-id", `${rid}.${suffix}`.slice(0, 64));
  return headers;
}

export function createApiReader(hono: Hono<HttpEnv>): ApiReader {
  return async <T>(c: Context<HttpEnv>, path: string): Promise<ApiResult<T>> => {
    const res = await hono.request(path, { headers: forwardedHeaders(c, "ui") }, c.env);
    return readResult<T>(res);
  };
}

/** A Steward answer as data: the JSON (or text) body, and the error's message when it is not a success. */
export async function readResult<T>(res: Response): Promise<ApiResult<T>> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text answer (e.g. /v4/schedules/status)
  }
  if (res.ok) return { ok: true, status: res.status, data: body as T };
  const error = typeof body === "object" && body !== null && "error" in body ? String((body as { error: unknown }).error) : `HTTP ${res.status}`;
  return { ok: false, status: res.status, error, body };
}
