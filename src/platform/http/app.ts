// Builds the Hono application: request context, body limit, error handling, and the core routes. Feature
// modules register their routes on the returned router.
import { Hono, type Context, type MiddlewareHandler } from "hono";
import type { Logger } from "pino";
import type { MetricsRegistry } from "../core/metrics";
import type { Readiness } from "../core/readiness";
import { handleError, handleNotFound, type SecretMask } from "./errors";
import { createCachedRouter } from "./cached-router";
import { createPreHandler } from "./pre-handler";
import { createRouter, type RouteGuard, type Router } from "./route";
import { registerBaseConvertRoutes } from "./routes/base-convert";
import { registerButlerRoutes } from "./routes/butler";
import { registerHelpRoutes } from "../../show/help";
import { registerDocsRoutes } from "./routes/docs";
import { registerHealthRoutes } from "./routes/health";
import type { HttpEnv } from "./types";

export interface HttpAppDeps {
  log: Logger;
  metrics: MetricsRegistry;
  readiness: Readiness;
  bodyLimitBytes: number;
  startedAt: number;
  /** X-HTTP-Method-Override (re-dispatches a POST as the method it names). */
  methodOverride?: (c: Context<HttpEnv>) => Promise<Response> | undefined;
  /** Access checks before routing (IP allowlist, rate limit, browser guard): a refusal or undefined. */
  precheck?: (c: Context<HttpEnv>) => Response | undefined;
  /** CORS middleware, when configured. */
  cors?: MiddlewareHandler<HttpEnv>;
  /** Masks secrets in error bodies sent to clients. */
  mask?: SecretMask;
  /** Per-route guards run after the route's scope is known (authorisation). */
  guards?: RouteGuard[];
  /** Which of Butler's id conversion routes are served (all when unset). */
  baseConvert?: { base62ToBase16: boolean; base16ToBase62: boolean };
}

export interface HttpApp {
  hono: Hono<HttpEnv>;
  router: Router;
}

export function createHttpApp(deps: HttpAppDeps): HttpApp {
  const hono = new Hono<HttpEnv>({ router: createCachedRouter() });
  const onError = (err: Error, c: Context<HttpEnv>) => handleError(err, c, deps.mask);
  // The checks every request passes, in this order: request id, Host header, method override, access checks,
  // CORS, body limit (see pre-handler.ts). Each route's handler runs them, and so does the not-found answer.
  const pre = createPreHandler({
    log: deps.log,
    metrics: deps.metrics,
    bodyLimitBytes: deps.bodyLimitBytes,
    onError,
    ...(deps.methodOverride ? { methodOverride: deps.methodOverride } : {}),
    ...(deps.precheck ? { precheck: deps.precheck } : {}),
    ...(deps.cors ? { cors: deps.cors } : {}),
  });
  const unmatched = pre.metricsFor("unmatched");
  hono.onError(onError);
  hono.notFound((c) => pre.run(c, unmatched, handleNotFound));
  const router = createRouter(hono, pre, deps.guards ?? [], onError);
  registerHealthRoutes(router, deps);
  registerButlerRoutes(router);
  registerBaseConvertRoutes(router, deps.baseConvert);
  registerDocsRoutes(router);
  registerHelpRoutes(router);
  return { hono, router };
}
