// Server-side reads of Steward's own REST API for the dashboard pages: each read is an in-process request
// carrying the page request's credentials, so a page shows exactly what its viewer may read through the API.
import type { Context, Hono } from "hono";
import type { HttpEnv } from "../../platform/http/types";

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; status: number; error: string; body: unknown };

export type ApiReader = <T>(c: Context<HttpEnv>, path: string) => Promise<ApiResult<T>>;

/** Request headers that are about the page request's body or transport, not about who is asking. */
const NOT_FORWARDED = new Set(["content-length", "content-type", "accept-encoding", "connection", "transfer-encoding", "x-request-id"]);

export function createApiReader(hono: Hono<HttpEnv>): ApiReader {
  return async <T>(c: Context<HttpEnv>, path: string): Promise<ApiResult<T>> => {
    const headers = new Headers();
    c.req.raw.headers.forEach((value, name) => {
      if (!NOT_FORWARDED.has(name)) headers.set(name, value);
    });
    headers.set("accept", "application/json");
    const rid = c.get("requestId");
    if (rid) headers.set("x-request-id", `${rid}.ui`.slice(0, 64));
    const res = await hono.request(path, { headers }, c.env);
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
  };
}
