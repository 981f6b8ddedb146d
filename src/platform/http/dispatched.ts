// The runtime's request that the HTTP app is dispatching, handed to the pre-handler without `c.req`. Reading
// `c.req.raw` made Hono build a HonoRequest and its body cache for every request, two objects a ping never otherwise
// needs (the floor's route makes neither; issue 89). Hono passes the request to its `getPath` option just before it
// calls the matched route's one handler, and nothing runs in between: the pre-handler takes it first thing.
import type { Context } from "hono";
import { getPath } from "hono/utils/url";
import type { HttpEnv } from "./types";

export interface DispatchedRequests {
  /** Hono's `getPath` option: the path, as Hono's own, and the request remembered for the handler. */
  getPath(request: Request, options?: { env?: HttpEnv["Bindings"] }): string;
  /**
   * The runtime's request of `c`: the one just dispatched with `c`'s bindings, else (a context not dispatched through
   * `getPath`, or bindings that differ) `c.req.raw`, as before. Each dispatched request is taken once.
   */
  take(c: Context<HttpEnv>): Request;
}

export function createDispatchedRequests(): DispatchedRequests {
  let request: Request | undefined;
  let env: HttpEnv["Bindings"] | undefined;
  return {
    getPath(req, options) {
      request = req;
      env = options?.env;
      return getPath(req);
    },
    take(c) {
      const req = request;
      const same = req !== undefined && env === c.env;
      request = undefined;
      env = undefined;
      return same ? req : c.req.raw;
    },
  };
}
