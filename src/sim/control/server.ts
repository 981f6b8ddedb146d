// The control API: plain HTTP on loopback, its own port, JSON in and out (see src/sim/README.md).
import { json } from "../util/http";
import { createListener, type Listener } from "../util/listener";
import { runtime } from "../../platform/runtime";
import { BadRequest, buildControlRouter, NotFound, type ControlDeps } from "./routes";

export function createControlServer(deps: ControlDeps & { hostname: string; port: number; onError?: (err: Error) => void }): Listener {
  const router = buildControlRouter(deps);

  const handle = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const m = router.match(req.method, url.pathname);
    if (!m) return json(404, { error: `no route ${req.method} ${url.pathname}` });
    if ("methodNotAllowed" in m) return json(405, { error: `method ${req.method} not allowed on ${url.pathname}` });
    let body: unknown;
    const raw = req.method === "GET" || req.method === "HEAD" ? "" : await req.text();
    if (raw.trim() !== "") {
      try {
        body = JSON.parse(raw);
      } catch {
        return json(400, { error: "request body is not valid JSON" });
      }
    }
    try {
      return await m.handler({ url, body }, m.params);
    } catch (err) {
      if (err instanceof BadRequest) return json(400, { error: err.message, details: err.details });
      if (err instanceof NotFound) return json(404, { error: err.message });
      deps.onError?.(err as Error);
      return json(500, { error: (err as Error).message });
    }
  };

  return createListener("control API", deps.port, (port) => runtime.serve({ hostname: deps.hostname, port, fetch: handle }), deps.onError);
}
