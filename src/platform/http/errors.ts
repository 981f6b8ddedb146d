// The one error handler: JSON `{ error, code, details?, statusCode, message }`, statuses from AppError codes,
// never a stack trace. `statusCode` and `message` are Butler's fields, which its clients read.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { AppError, describeError } from "../core/errors";
import { causedByStoreOutage, diskFullCause, mayHaveBeenApplied } from "../store/sql";
import { runtime } from "../runtime";
import { requestLog } from "./pre-handler";
import type { HttpEnv } from "./types";
import { requestIdOf } from "./request-state";

/** Masks secret values (config passwords, tokens) in text sent to clients; identity when none are known. */
export type SecretMask = (text: string) => string;

/**
 * An error answer's body: Steward's `error`, `code` and `details`, plus Butler's `statusCode` and `message`
 * (the same text as `error`), so clients written for either read it.
 */
export function errorBody(status: number, code: string, message: string, details?: unknown): Record<string, unknown> {
  return { error: message, code, ...(details !== undefined ? { details } : {}), statusCode: status, message };
}

export function handleError(err: Error, c: Context<HttpEnv>, mask: SecretMask = (t) => t): Response {
  if (err instanceof AppError) {
    if (err.status >= 500) requestLog(c)?.error({ err: describeError(err), code: err.code }, "request failed");
    // A config error can quote the offending value, which may be a secret (POST /v4/admin/reload).
    const details = err.details === undefined ? undefined : (JSON.parse(mask(JSON.stringify(err.details))) as unknown);
    return c.json(errorBody(err.status, err.code, mask(err.message), details), err.status as 400);
  }
  if (err instanceof HTTPException) {
    const status = err.status;
    const code =
      status === 413 ? "PAYLOAD_TOO_LARGE" : status === 401 ? "UNAUTHORIZED" : status === 403 ? "FORBIDDEN" : status === 404 ? "NOT_FOUND" : "BAD_REQUEST";
    return c.json(errorBody(status, code, err.message || "request rejected"), status);
  }
  const fullStore = diskFullCause(err);
  if (fullStore) {
    // Not a fault of this request either; the store says it once a minute in the log (write-health.ts), not here per
    // request: a load script's calls on a full disk made tens of thousands of lines a minute (issue 75).
    c.header("Retry-After", String(DISK_FULL_RETRY_AFTER_SECONDS));
    return c.json(
      errorBody(
        503,
        "STORE_UNAVAILABLE",
        c.req.method === "GET" || c.req.method === "HEAD"
          ? "the disk holding Steward's store is full; free space and try again"
          : "the disk holding Steward's store is full: the change was not applied; free space and try again",
        { store: fullStore, reason: "diskFull", outcome: "notApplied" },
      ),
      503,
    );
  }
  if (causedByStoreOutage(err)) {
    // An outage of the shared store, not a fault of this request: the client may try again shortly.
    requestLog(c)?.warn({ err: describeError(err) }, "request refused: the store is unreachable");
    c.header("Retry-After", String(STORE_RETRY_AFTER_SECONDS));
    return c.json(storeUnavailableBody(c.req.method, err), 503);
  }
  if (runtime.bodyTooLarge(err)) {
    // A chunked body past the listener's limit: the runtime has answered 413 and closed; this is what is counted.
    return c.json(errorBody(413, "PAYLOAD_TOO_LARGE", "request body is larger than the limit (http.bodyLimitBytes)"), 413);
  }
  if (bodyCutOff(err, c)) {
    // The client (or the listener's deadline) closed the connection before the body was complete: nobody reads this
    // answer, and it is not Steward's fault. As a 500 it was an error line, a 5xx in the metrics and a failed row in
    // the audit for every reset an attacker cared to send.
    requestLog(c)?.info({ reason: err.message }, "request body cut off: the connection closed before it was complete");
    return c.json(errorBody(400, "BAD_REQUEST", "body: the connection closed before the body was complete", [{ field: "body", message: "incomplete" }]), 400);
  }
  requestLog(c)?.error({ err }, "unhandled error in request");
  return c.json(errorBody(500, "INTERNAL", "internal error; see the Steward log for this request id", { requestId: requestIdOf(c) }), 500);
}

/**
 * Reading the body failed because the connection went away: the runtime rejects the read with an AbortError and
 * aborts the request's signal. Both, so an abort of something else (a fetch to QRS given up) stays an error.
 */
function bodyCutOff(err: Error, c: Context<HttpEnv>): boolean {
  return err.name === "AbortError" && c.req.raw.signal.aborted;
}

/** Seconds a client is asked to wait on a full disk: someone has to free space first. */
const DISK_FULL_RETRY_AFTER_SECONDS = 30;

/** Seconds a client is asked to wait after a store outage answer: a restart of PostgreSQL takes a few. */
const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * A write whose answer was lost on its way (a timeout, a connection dropped mid-statement) may have been committed:
 * it is not reported as failed, but as unknown (`details.outcome`), so a client checks or repeats it rather than
 * assume it did not happen; `notApplied` when it surely did not run. A 201 is only ever sent after the commit.
 */
function storeUnavailableBody(method: string, err: unknown): Record<string, unknown> {
  if (method === "GET" || method === "HEAD")
    return errorBody(503, "STORE_UNAVAILABLE", "the store (PostgreSQL) is unreachable; try again shortly", { store: "postgres" });
  const unknown = mayHaveBeenApplied(err);
  return errorBody(
    503,
    "STORE_UNAVAILABLE",
    unknown
      ? "the store (PostgreSQL) did not answer in time: the change may or may not have been applied; check it, or repeat it, shortly"
      : "the store (PostgreSQL) is unreachable; the change was not applied; try again shortly",
    { store: "postgres", outcome: unknown ? "unknown" : "notApplied" },
  );
}

export function handleNotFound(c: Context<HttpEnv>): Response {
  return c.json(errorBody(404, "NOT_FOUND", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404);
}
