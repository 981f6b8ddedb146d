// What every request passes around its route: request id (echoed as X-Request-Id), the Host-header check, method
// override, access checks before routing (IP allowlist, per-IP rate limit, browser guard), CORS and the body
// limit, in that order, in one pass; afterwards the count and latency metrics. It is not a Hono middleware: each
// route's one handler (and the not-found answer) calls it, so Hono takes its single-handler path (no compose, no
// middleware chain per request). It allocates no logger (requestLog() makes the request's child logger when
// something logs) and counts into series resolved once per route, method and status.
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import { STORE_DEADLINE_MS, underDeadline } from "../core/deadline";
import { AppError } from "../core/errors";
import type { MetricsRegistry } from "../core/metrics";
import { beginRequest, methodOf, requestIdFor, requestOf } from "./request-state";
import type { HttpEnv } from "./types";

// requestLog moved to request-state.ts with the rest of the request's state; its importers keep this path.
export { requestLog } from "./request-state";

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

/** The answer behind the checks: the matched route's handler, or the not-found answer. */
export type Inner = (c: Context<HttpEnv>) => Response | Promise<Response>;

/** The metric series of one route (its declared path, or "unmatched"), resolved as methods and statuses appear. */
export interface RouteMetrics {
  readonly route: string;
  readonly methods: Map<string, { latency: { observe(value: number): void }; statuses: Map<number, { inc(by?: number): void }> }>;
  /** The route never waits on the store (RouteSpec.storeFree): its requests run without the store's deadline. */
  readonly storeFree?: boolean;
  /** The series of the last method and status counted: a route's requests mostly repeat them (no map lookup then). */
  last?: { method: string; status: number; latency: { observe(value: number): void }; count: { inc(by?: number): void } };
}

export interface PreHandler {
  /** Made once per declared route, at registration; `storeFree` as the route declares it. */
  metricsFor(route: string, storeFree?: boolean): RouteMetrics;
  /** Runs `inner` behind the checks and counts the answer under `route`; synchronous when nothing on the way awaits. */
  run(c: Context<HttpEnv>, route: RouteMetrics, inner: Inner): Response | Promise<Response>;
}

const REQUEST_ID = /^[\w.-]{1,64}$/;

/** The answer `res` as the context's: set unless a guard or middleware already did (setting it again copies it). */
function settle(c: Context<HttpEnv>, res: Response): void {
  if (!c.finalized) c.res = res;
}

export function createPreHandler(deps: PreHandlerDeps): PreHandler {
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
  const count = (m: RouteMetrics, method: string, status: number, seconds: number) => {
    const last = m.last;
    if (last !== undefined && last.status === status && last.method === method) {
      last.count.inc();
      last.latency.observe(seconds);
      return;
    }
    let perMethod = m.methods.get(method);
    if (!perMethod) m.methods.set(method, (perMethod = { latency: latency.series({ method, route: m.route }), statuses: new Map() }));
    let c = perMethod.statuses.get(status);
    if (!c) perMethod.statuses.set(status, (c = requests.series({ method, route: m.route, status: String(status) })));
    c.inc();
    perMethod.latency.observe(seconds);
    m.last = { method, status, latency: perMethod.latency, count: c };
  };
  // Request ids are this process's start (base 36) and a sequence number: unique across restarts, one
  // concatenation per request.
  const idPrefix = `${Date.now().toString(36)}-`;
  let seq = 0;

  /**
   * The answer as sent, with the request id, counted. The id is written into the answer's own headers: setting it on
   * the context first made Hono build a Headers object per request and merge it into the answer (issue 69). An
   * answer whose headers cannot change (by the Fetch standard, a redirect's) is copied with it instead.
   */
  const answered = (c: Context<HttpEnv>, route: RouteMetrics, started: number, answer: Response): Response => {
    let res = answer;
    // An answer made by jsonAnswer carries the id already (no Headers read and set).
    const id = requestIdFor(c, res);
    if (id !== undefined) {
      try {
        res.headers.set("X-Request-Id", id);
      } catch {
        res = new Response(res.body, res);
        res.headers.set("X-Request-Id", id);
      }
    }
    count(route, methodOf(c), res.status, (performance.now() - started) / 1000);
    return res;
  };
  const failed = (c: Context<HttpEnv>, route: RouteMetrics, started: number, err: unknown): Response | Promise<Response> => {
    if (!(err instanceof Error)) throw err;
    const res = deps.onError(err, c);
    return res instanceof Promise ? res.then((r) => answered(c, route, started, r)) : answered(c, route, started, res);
  };

  /** The checks, then `inner`: its answer, or a refusal. A body is read through the body limit. */
  const checks = (c: Context<HttpEnv>, inner: Inner): Response | Promise<Response> => {
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
    const hasBody = requestOf(c).body !== null;
    if (!deps.cors && !hasBody) return inner(c);
    // Hono's middlewares answer through the context: the answer is what they return, else c.res.
    const next = async () => settle(c, await inner(c));
    const viaContext = (ran: Promise<unknown>) => ran.then((refused) => (refused instanceof Response ? refused : c.res));
    if (deps.cors) return viaContext(deps.cors(c, hasBody ? () => limitBody(c, next) as Promise<void> : next));
    return viaContext(limitBody(c, next));
  };

  return {
    metricsFor: (route, storeFree = false) => ({ route, methods: new Map(), storeFree }),
    run(c, route, inner) {
      const started = performance.now();
      // The listener hands its request over with the bindings (server.ts), taken here once: `c.req.raw` would make
      // Hono build its request object for every request. Other callers (in-process, the mTLS listener, a
      // re-dispatch with the same bindings) are read from `c.req`.
      const env = c.env;
      let raw: Request;
      if (env?.request !== undefined) {
        raw = env.request;
        env.request = undefined;
      } else raw = c.req.raw;
      const headers = raw.headers;
      const incoming = headers.get("x-request-id");
      const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : idPrefix + (++seq).toString(36);
      const state = beginRequest(c, raw, headers, requestId, deps.log, started + STORE_DEADLINE_MS);
      // A request that awaits nothing (a ping, a refusal) is answered without a promise or a closure: about a tenth of
      // a ping's CPU went into the async functions and their turns of the microtask queue (issue 69, callgrind).
      let res: Response | Promise<Response>;
      try {
        // The store stops waiting at the request's deadline, so a silent database is answered 503 before the server's
        // idle timeout closes the connection without an answer (core/deadline.ts). A route that never waits on the
        // store (a ping) enters no async context for it.
        res = route.storeFree === true ? checks(c, inner) : underDeadline(state, checks, c, inner);
      } catch (err) {
        return failed(c, route, started, err);
      }
      if (res instanceof Promise)
        return res.then(
          (r) => answered(c, route, started, r),
          (err: unknown) => failed(c, route, started, err),
        );
      return answered(c, route, started, res);
    },
  };
}
