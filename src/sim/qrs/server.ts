// The simulated Qlik Sense Repository Service: HTTPS with a required client certificate, xrfkey and
// X-Qlik-User checks, injected faults, request logging, and the QRS routes.
import type { CertSet } from "../certs/generate";
import type { Repository } from "../repo/repository";
import type { SimSettings } from "../settings";
import type { TaskRunner } from "../tasks/runner";
import type { Faults } from "../traffic/faults";
import { pickHeaders, type RequestLog } from "../traffic/request-log";
import { empty, jsonAnswerFacts, parseQuery, QueryError, readBody, text } from "../util/http";
import { createListener, type Listener } from "../util/listener";
import { runtime } from "../../platform/runtime";
import { createRouter } from "../util/router";
import { parseQlikUser, XSRF_FAILED, xrfkeyOk } from "./auth";
import type { QrsContext } from "./context";
import { createResources } from "./resources";
import { addEntityRoutes } from "./routes-entities";
import { addMiscRoutes } from "./routes-misc";
import { addScriptLogRoutes } from "./routes-scriptlog";
import { addTaskRoutes } from "./routes-tasks";

export interface QrsServerDeps {
  repo: Repository;
  runner: TaskRunner;
  settings: SimSettings;
  certs: CertSet;
  requestLog: RequestLog;
  faults: Faults;
  now: () => number;
  hostname: string;
  port: number;
  onError?: (err: Error) => void;
}

export function buildQrsRouter(deps: Pick<QrsServerDeps, "repo" | "runner" | "settings">) {
  const router = createRouter<QrsContext>();
  // Specific routes before the generic `{resource}/{id}` ones, so a reader sees them first.
  addTaskRoutes(router, deps);
  addScriptLogRoutes(router, deps.repo, deps.settings);
  addMiscRoutes(router, deps.repo);
  addEntityRoutes(router, createResources(deps.repo, deps.runner));
  return router;
}

export function createQrsServer(deps: QrsServerDeps): Listener {
  const router = buildQrsRouter(deps);

  const handle = async (req: Request, url: URL, body: string, nowMs: number): Promise<Response> => {
    const fault = deps.faults.take({ target: "qrs", method: req.method, path: url.pathname }, nowMs);
    if (fault) {
      await deps.faults.hold(fault);
      if (fault.status !== undefined) return text(fault.status, fault.body ?? "Internal Server Error");
    }
    if (!/^\/qrs(\/|$)/i.test(url.pathname)) return empty(404);

    let query: ReturnType<typeof parseQuery>;
    try {
      query = parseQuery(url.search);
    } catch (err) {
      if (err instanceof QueryError) return text(400, `Cannot parse the expression: ${err.message}`);
      throw err;
    }
    if (!xrfkeyOk(req.headers.get("x-qlik-xrfkey"), query.params)) return text(403, XSRF_FAILED);
    const user = parseQlikUser(req.headers.get("x-qlik-user"));
    if (!user) return text(403, "Access denied: the X-Qlik-User header is missing or malformed.");
    if (query.bare.length > 0) return text(400, "Missing parameter value(s)");

    const path = url.pathname.replace(/^\/qrs\/?/i, "");
    const m = router.match(req.method, path);
    if (!m) return empty(404);
    if ("methodNotAllowed" in m) return text(405, "Method not allowed");
    return m.handler({ req, url, query: query.params, user, body, nowMs }, m.params);
  };

  const serve = (port: number) =>
    runtime.serve({
      hostname: deps.hostname,
      port,
      idleTimeout: 0,
      tls: { cert: deps.certs.serverCert, key: deps.certs.serverKey, ca: deps.certs.ca, requestCert: true, rejectUnauthorized: true },
      fetch: async (req) => {
        const nowMs = deps.now();
        const url = new URL(req.url);
        let body = "";
        let res: Response;
        try {
          if (req.method !== "GET" && req.method !== "HEAD") body = await readBody(req);
          res = await handle(req, url, body, nowMs);
        } catch (err) {
          deps.onError?.(err as Error);
          res = text(500, "Internal Server Error");
        }
        // What a client's call cost: known for a JSON answer; any other body is in memory already and read once.
        const facts = jsonAnswerFacts(res);
        let bytes = facts?.bytes ?? 0;
        if (!facts && res.body && res.status !== 204 && res.status !== 304) {
          const payload = new Uint8Array(await res.arrayBuffer());
          bytes = payload.byteLength;
          res = new Response(payload, { status: res.status, statusText: res.statusText, headers: res.headers });
        }
        const entry: Parameters<RequestLog["add"]>[0] = {
          source: "qrs",
          method: req.method,
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: pickHeaders(req.headers),
          status: res.status,
          responseBytes: bytes,
          ...(facts?.items !== undefined ? { responseItems: facts.items } : {}),
        };
        if (body !== "") {
          const cut = body.slice(0, 4096);
          try {
            entry.body = JSON.parse(cut);
          } catch {
            entry.body = cut;
          }
        }
        deps.requestLog.add(entry, nowMs);
        return res;
      },
    });

  return createListener("QRS", deps.port, serve, deps.onError);
}
