// The one error handler: JSON `{ error, code, details? }`, statuses from AppError codes, never a stack trace.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError, describeError } from "../core/errors";
import type { HttpEnv } from "./types";

/** Masks secret values (config passwords, tokens) in text sent to clients; identity when none are known. */
export type SecretMask = (text: string) => string;

export function handleError(err: Error, c: Context<HttpEnv>, mask: SecretMask = (t) => t): Response {
  if (err instanceof AppError) {
    if (err.status >= 500) c.get("log")?.error({ err: describeError(err), code: err.code }, "request failed");
    // A config error can quote the offending value, which may be a secret (POST /v4/admin/reload).
    const details = err.details === undefined ? undefined : (JSON.parse(mask(JSON.stringify(err.details))) as unknown);
    return c.json({ error: mask(err.message), code: err.code, ...(details !== undefined ? { details } : {}) }, err.status as 400);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code = status === 413 ? "PAYLOAD_TOO_LARGE" : status === 401 ? "UNAUTHORIZED" : status === 403 ? "FORBIDDEN" : status === 404 ? "NOT_FOUND" : "BAD_REQUEST";
    return c.json({ error: err.message || "request rejected", code }, status);
  }
  c.get("log")?.error({ err }, "unhandled error in request");
  return c.json({ error: "internal error; see the Steward log for this request id", code: "INTERNAL", details: { requestId: c.get("requestId") } }, 500);
}

export function handleNotFound(c: Context<HttpEnv>): Response {
  return c.json({ error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}`, code: "NOT_FOUND" }, 404);
}
