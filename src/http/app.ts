// Builds the Hono application: request context, body limit, error handling, and the core routes. Feature
// modules register their routes on the returned router.
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Logger } from "pino";
import { AppError } from "../core/errors";
import type { MetricsRegistry } from "../core/metrics";
import type { Readiness } from "../core/readiness";
import { handleError, handleNotFound, type SecretMask } from "./errors";
import { hostHeaderGuard } from "./host-header";
import { requestContext } from "./middleware/request-context";
import { createRouter, type Router } from "./route";
import { registerBaseConvertRoutes } from "./routes/base-convert";
import { registerButlerRoutes } from "./routes/butler";
import { registerDocsRoutes } from "./routes/docs";
import { registerHealthRoutes } from "./routes/health";
import type { HttpEnv } from "./types";

export interface HttpAppDeps {
  log: Logger;
  metrics: MetricsRegistry;
  readiness: Readiness;
  bodyLimitBytes: number;
  startedAt: number;
  /** Middleware run before every route (access control, CORS) in order. */
  before?: MiddlewareHandler<HttpEnv>[];
  /** Masks secrets in error bodies sent to clients. */
  mask?: SecretMask;
  /** Per-route guards run after the route's scope is known (authorisation). */
  guards?: MiddlewareHandler<HttpEnv>[];
}

export interface HttpApp {
  hono: Hono<HttpEnv>;
  router: Router;
}

export function createHttpApp(deps: HttpAppDeps): HttpApp {
  const hono = new Hono<HttpEnv>();
  hono.use("*", requestContext(deps.log, deps.metrics));
  hono.use("*", hostHeaderGuard);
  for (const mw of deps.before ?? []) hono.use("*", mw);
  hono.use(
    "*",
    bodyLimit({
      maxSize: deps.bodyLimitBytes,
      onError: () => {
        throw new AppError("PAYLOAD_TOO_LARGE", `request body is larger than the limit of ${deps.bodyLimitBytes} bytes (http.bodyLimitBytes)`);
      },
    }),
  );
  hono.onError((err, c) => handleError(err, c, deps.mask));
  hono.notFound(handleNotFound);
  const router = createRouter(hono, deps.guards ?? []);
  registerHealthRoutes(router, deps);
  registerButlerRoutes(router);
  registerBaseConvertRoutes(router);
  registerDocsRoutes(router);
  return { hono, router };
}
