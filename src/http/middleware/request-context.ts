// Gives every request an id (echoed as X-Request-Id), a child logger, and records count and latency metrics.
import type { MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { MetricsRegistry } from "../../core/metrics";
import type { HttpEnv } from "../types";

export function requestContext(log: Logger, metrics: MetricsRegistry): MiddlewareHandler<HttpEnv> {
  const requests = metrics.counter("steward_http_requests_total", "HTTP requests by method, route and status.");
  const latency = metrics.histogram("steward_http_request_duration_seconds", "HTTP request latency by method and route.", [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5]);
  let seq = 0;
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : `${Date.now().toString(36)}-${(++seq).toString(36)}`;
    c.set("requestId", requestId);
    c.set("log", log.child({ requestId }));
    c.set("principal", { kind: "anonymous", name: "anonymous", scopes: "all" });
    await next();
    c.header("X-Request-Id", requestId);
    const route = c.res.status === 404 && !matched(c.req.routePath) ? "unmatched" : c.req.routePath;
    requests.inc({ method: c.req.method, route, status: String(c.res.status) });
    latency.observe((performance.now() - started) / 1000, { method: c.req.method, route });
  };
}

function matched(routePath: string): boolean {
  return routePath !== "/*" && routePath !== "*";
}
