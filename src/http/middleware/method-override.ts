// X-HTTP-Method-Override on POST (as Butler's front server honoured it): Qlik's REST connector can only send GET
// and POST, so load scripts reach PUT and DELETE routes (delete a key, publish to MQTT, copy a file) this way.
import type { Hono, MiddlewareHandler } from "hono";
import type { HttpEnv } from "../types";

const OVERRIDABLE = new Set(["PUT", "DELETE", "PATCH"]);
const HEADER = "x-http-method-override";

/** `app` is read lazily: the middleware is created before the Hono app it re-dispatches into. */
export function createMethodOverride(app: () => Hono<HttpEnv>): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const wanted = c.req.header(HEADER)?.trim().toUpperCase();
    if (c.req.method !== "POST" || !wanted) return next();
    if (!OVERRIDABLE.has(wanted)) {
      return c.json({ error: `X-HTTP-Method-Override may only be PUT, DELETE or PATCH, got ${JSON.stringify(wanted)}`, code: "BAD_REQUEST" }, 400);
    }
    const headers = new Headers(c.req.raw.headers);
    headers.delete(HEADER);
    // The inner request keeps the outer one's id, so both log lines belong together.
    headers.set("x-request-id", c.get("requestId"));
    const body = await c.req.raw.arrayBuffer();
    const req = new Request(c.req.url, { method: wanted, headers, ...(body.byteLength > 0 ? { body } : {}) });
    return app().fetch(req, c.env);
  };
}
