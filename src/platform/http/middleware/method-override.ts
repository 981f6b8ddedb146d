// X-HTTP-Method-Override on POST (as Butler's front server honoured it): Qlik's REST connector can only send GET
// and POST, so load scripts reach PUT and DELETE routes (delete a key, publish to MQTT, copy a file) this way.
// Butler also honoured GET and POST as overrides; a GET carries no body, so the POST's body is dropped.
import type { Context, Hono } from "hono";
import { errorBody } from "../errors";
import type { HttpEnv } from "../types";
import { headersOf, methodOf, requestIdOf } from "../request-state";

const OVERRIDABLE = new Set(["GET", "POST", "PUT", "DELETE", "PATCH"]);
const HEADER = "x-http-method-override";

/**
 * The answer to a POST that asks for another method, or undefined for every other request (the common case,
 * decided without allocating). `app` is read lazily: this is created before the Hono app it re-dispatches into.
 */
export function createMethodOverride(app: () => Hono<HttpEnv>): (c: Context<HttpEnv>) => Promise<Response> | undefined {
  return (c) => {
    if (methodOf(c) !== "POST") return undefined;
    const wanted = headersOf(c).get(HEADER)?.trim().toUpperCase();
    if (!wanted || wanted === "POST") return undefined;
    return overridden(c, wanted, app);
  };
}

async function overridden(c: Context<HttpEnv>, wanted: string, app: () => Hono<HttpEnv>): Promise<Response> {
  if (!OVERRIDABLE.has(wanted)) {
    return c.json(errorBody(400, "BAD_REQUEST", `X-HTTP-Method-Override may only be GET, POST, PUT, DELETE or PATCH, got ${JSON.stringify(wanted)}`), 400);
  }
  const headers = new Headers(c.req.raw.headers);
  headers.delete(HEADER);
  // The inner request keeps the outer one's id, so both log lines belong together.
  headers.set("x-request-id", requestIdOf(c));
  const body = wanted === "GET" ? new ArrayBuffer(0) : await c.req.raw.arrayBuffer();
  if (wanted === "GET") {
    headers.delete("content-type");
    headers.delete("content-length");
  }
  const req = new Request(c.req.url, { method: wanted, headers, ...(body.byteLength > 0 ? { body } : {}) });
  return app().fetch(req, c.env);
}
