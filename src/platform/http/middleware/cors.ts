// CORS from control.cors, so a button in a Qlik Sense app (or any listed web page) can call Steward from the
// browser. Runs before authentication: a preflight carries no credentials and must be answered as such.
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { CorsConfig } from "../config";
import type { HttpEnv } from "../types";

/** Origins compare without a trailing slash and case-insensitively (scheme and host are case-insensitive). */
const norm = (o: string) => o.replace(/\/+$/, "").toLowerCase();

export function createCorsMiddleware(cfg: CorsConfig): MiddlewareHandler<HttpEnv> | undefined {
  if (!cfg.enabled || cfg.allowOrigins.length === 0) return undefined;
  const any = cfg.allowOrigins.includes("*");
  const allowed = new Set(cfg.allowOrigins.map(norm));
  const handler = cors({
    // An unlisted origin gets no Access-Control-Allow-Origin header, so the browser blocks the call.
    origin: (origin) => (any ? "*" : allowed.has(norm(origin)) ? origin : null),
    allowMethods: ["GET", "POST", "PUT", "DELETE", "PATCH"],
    allowHeaders: cfg.allowHeaders,
    exposeHeaders: ["X-Request-Id"],
    credentials: cfg.allowCredentials,
    maxAge: cfg.maxAgeSeconds,
  });
  return handler as unknown as MiddlewareHandler<HttpEnv>;
}
