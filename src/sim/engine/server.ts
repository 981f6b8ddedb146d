// The simulated QIX Engine: JSON-RPC 2.0 over WSS with a required client certificate and X-Qlik-User,
// on the paths enigma.js uses (`/`, `/app/`, `/app/{appId}`, `/app/engineData`, optional /identity and /ttl).
import type { CertSet } from "../certs/generate";
import { formatUser, parseQlikUser } from "../qrs/auth";
import type { Faults } from "../traffic/faults";
import { pickHeaders, type RequestLog } from "../traffic/request-log";
import { empty, text } from "../util/http";
import { createListener, type Listener } from "../util/listener";
import { runtime, type RequestContext, type ServerSocket } from "../../platform/runtime";
import { closeSession, createSession, handleFrame } from "./session";
import type { EngineSession } from "./session-types";
import type { EngineState } from "./state";

export interface EngineServerDeps {
  state: EngineState;
  certs: CertSet;
  requestLog: RequestLog;
  faults: Faults;
  hostname: string;
  port: number;
  onError?: (err: Error) => void;
}

const PATH_RE = /^\/?(?:app(?:\/[^/]*)?)?(?:\/identity\/[^/]+)?(?:\/ttl\/\d+)?\/?$/i;

interface WsData {
  session: EngineSession;
}

export function createEngineServer(deps: EngineServerDeps): Listener {
  const { state } = deps;

  const upgrade = async (req: Request, ctx: RequestContext<WsData>): Promise<Response | undefined> => {
    const url = new URL(req.url);
    const nowMs = state.now();
    const log = (status: number) =>
      deps.requestLog.add(
        { source: "engine", method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: pickHeaders(req.headers), status },
        nowMs,
      );
    const fault = deps.faults.take({ target: "engine", method: req.method, path: url.pathname }, nowMs);
    if (fault) {
      await deps.faults.hold(fault);
      if (fault.status !== undefined) {
        log(fault.status);
        return text(fault.status, fault.body ?? "Internal Server Error");
      }
    }
    if (!PATH_RE.test(url.pathname)) {
      log(404);
      return empty(404);
    }
    const header = req.headers.get("x-qlik-user");
    const user = parseQlikUser(header);
    if (!user || header === null) {
      log(403);
      return text(403, "Access denied: the X-Qlik-User header is missing or malformed.");
    }
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      log(400);
      return text(400, "Expected a WebSocket upgrade.");
    }
    // Simulator knobs: which node's Engine, and a session "through the Qlik Proxy" (a hub user's) rather than the Engine API's.
    const node = req.headers.get("x-sim-node") ?? undefined;
    const proxySessionId = req.headers.get("x-sim-proxy-session")?.slice(0, 100) ?? undefined;
    const session = createSession(state, {
      user: formatUser(user),
      userHeader: header,
      path: url.pathname,
      ...(node ? { node } : {}),
      ...(proxySessionId ? { proxySessionId } : {}),
    });
    if (ctx.upgrade({ session })) {
      log(101);
      return undefined;
    }
    log(400);
    return text(400, "WebSocket upgrade failed.");
  };

  const serve = (port: number) =>
    runtime.serve<WsData>({
      hostname: deps.hostname,
      port,
      idleTimeout: 0,
      tls: { cert: deps.certs.serverCert, key: deps.certs.serverKey, ca: deps.certs.ca, requestCert: true, rejectUnauthorized: true },
      fetch: (req, ctx) => upgrade(req, ctx),
      websocket: {
        open(ws) {
          ws.send(JSON.stringify({ jsonrpc: "2.0", method: "OnConnected", params: { qSessionState: "SESSION_CREATED" } }));
        },
        message(ws: ServerSocket<WsData>, message) {
          const frame = typeof message === "string" ? message : new TextDecoder().decode(message);
          void handleFrame(ws.data.session, frame, deps)
            .then((out) => {
              if (out !== undefined && !ws.data.session.closed) ws.send(out);
            })
            .catch((err: unknown) => deps.onError?.(err as Error));
        },
        close(ws) {
          closeSession(ws.data.session);
        },
      },
    });

  return createListener("Engine", deps.port, serve, deps.onError);
}
