// The one middleware every request passes before its route: request id (echoed as X-Request-Id), the Host-header
// check, method override, access checks before routing (IP allowlist, per-IP rate limit, browser guard), CORS and
// the body limit, in that order, in one pass; afterwards the count and latency metrics. It allocates no logger
// (requestLog() makes the request's child logger when something logs) and counts into series resolved once per
// method, route and status.
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import { AppError } from "../core/errors";
import type { MetricsRegistry } from "../core/metrics";
import type { HttpEnv, Principal } from "./types";

export interface PreHandlerDeps {
  log: Logger;
  metrics: MetricsRegistry;
  bodyLimitBytes: number;
  /** X-HTTP-Method-Override: a response (the re-dispatched request's) when the request asks for one, else undefined. */
  methodOverride?: (c: Context<HttpEnv>) => Promise<Response> | undefined;
  /** Checks before routing (access control): a refusal, or undefined to go on. May set response headers. */
  precheck?: (c: Context<HttpEnv>) => Response | undefined;
  /** CORS, when configured. */
  cors?: MiddlewareHandler<HttpEnv>;
  /** The app's error handler: a refusal thrown here is answered (and counted) like one thrown by a route. */
  onError: (err: Error, c: Context<HttpEnv>) => Response | Promise<Response>;
}

/** Every request starts anonymous with every scope; the access guard replaces it on routes that check. */
const ANONYMOUS: Principal = Object.freeze({ kind: "anonymous", name: "anonymous", scopes: "all" }) as Principal;
const REQUEST_ID = /^[\w.-]{1,64}$/;
const BASE_LOG = "baseLog" as const;

/** The request's logger (a child with its requestId), made on first use: most requests never log. */
export function requestLog(c: Context<HttpEnv>): Logger | undefined {
  let log = c.get("log");
  if (log) return log;
  const base = c.get(BASE_LOG);
  if (!base) return undefined;
  log = base.child({ requestId: c.get("requestId") });
  c.set("log", log);
  return log;
}

export function createPreHandler(deps: PreHandlerDeps): MiddlewareHandler<HttpEnv> {
  const requests = deps.metrics.counter("steward_http_requests_total", "HTTP requests by method, route and status.");
  const latency = deps.metrics.histogram(
    "steward_http_request_duration_seconds",
    "HTTP request latency by method and route.",
    [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
  );
  const limitBody = bodyLimit({
    maxSize: deps.bodyLimitBytes,
    onError: () => {
      throw new AppError("PAYLOAD_TOO_LARGE", `request body is larger than the limit of ${deps.bodyLimitBytes} bytes (http.bodyLimitBytes)`);
    },
  }) as unknown as MiddlewareHandler<HttpEnv>;
  // Series per "METHOD route status", resolved once (the labels are the ones the registry keeps anyway).
  const counted = new Map<string, { inc(by?: number): void }>();
  const timed = new Map<string, { observe(value: number): void }>();
  const count = (method: string, route: string, status: number, seconds: number) => {
    const routeKey = `${method} ${route}`;
    const key = `${routeKey} ${status}`;
    let c = counted.get(key);
    if (!c) counted.set(key, (c = requests.series({ method, route, status: String(status) })));
    c.inc();
    let h = timed.get(routeKey);
    if (!h) timed.set(routeKey, (h = latency.series({ method, route })));
    h.observe(seconds);
  };
  let seq = 0;

  const checks = async (c: Context<HttpEnv>, next: () => Promise<void>): Promise<unknown> => {
    const problem = c.env?.hostProblem;
    if (problem !== undefined) {
      throw new AppError("BAD_REQUEST", `${problem}; send the name or address this server is reached by, e.g. Host: steward.example.com:8080`, {
        details: [{ field: "header.host", message: problem }],
      });
    }
    if (deps.methodOverride) {
      const overridden = deps.methodOverride(c);
      if (overridden) return overridden;
    }
    if (deps.precheck) {
      const refused = deps.precheck(c);
      if (refused) return refused;
    }
    if (deps.cors) return deps.cors(c, c.req.raw.body ? () => limitBody(c, next) as Promise<void> : next);
    if (c.req.raw.body) return limitBody(c, next);
    return next();
  };

  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.raw.headers.get("x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : `${Date.now().toString(36)}-${(++seq).toString(36)}`;
    c.set("requestId", requestId);
    c.set(BASE_LOG, deps.log);
    c.set("principal", ANONYMOUS);
    // Set before the answer is built, so it is part of it (setting it afterwards would copy the response).
    c.header("X-Request-Id", requestId);
    let res: unknown;
    try {
      // A refusal is a Response; next() resolves to the context, whose answer is c.res.
      res = await checks(c, next);
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      res = await deps.onError(err, c);
    }
    if (res instanceof Response) c.res = res;
    const status = c.res.status;
    // A handler that built its own Response (not through the context) did not get the prepared header.
    if (!c.res.headers.has("X-Request-Id")) c.header("X-Request-Id", requestId);
    const route = status === 404 && !matched(c.req.routePath) ? "unmatched" : c.req.routePath;
    count(c.req.method, route, status, (performance.now() - started) / 1000);
  };
}

function matched(routePath: string): boolean {
  return routePath !== "/*" && routePath !== "*";
}
