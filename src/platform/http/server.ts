// The HTTP listener: the runtime's server around the Hono app, started and stopped by the lifecycle.
import type { Logger } from "pino";
import type { Component } from "../core/lifecycle";
import { errorBody } from "./errors";
import { createHostHeaderCheck, UNUSABLE_HOST_URL } from "./host-header";
import type { HttpEnv } from "./types";
import type { Hono } from "hono";
import { warnOnLowFileLimit } from "../core/file-limit";
import { runtime, type RequestContext, type ServedHttp } from "../runtime";

export interface HttpServerOptions {
  host: string;
  port: number;
  maxRequestBodySize: number;
  /**
   * The listener is bound to a loopback address, so every caller is a process on this server: a read (GET, HEAD,
   * OPTIONS) is handed over without its peer's address, which is asked for only if a check needs it (security's
   * IP gate, for an allowlist or limit that loopback callers do not pass freely; the status routes; a denial's log).
   */
  loopbackListener?: boolean;
  /** TLS material (PEM text), when HTTPS is configured. */
  tls?: { cert: string; key: string; passphrase?: string; ca?: string; requestCert?: boolean; rejectUnauthorized?: boolean };
}

export interface HttpServer extends Component {
  /** The actual URL once started (port 0 becomes the real port). */
  url(): string;
  port(): number;
}

/**
 * A connection silent this long is closed; Bun's timer ticks every 4 s, so from 8 s on. A request that waits on the
 * store is answered before (core/deadline.ts: STORE_ANSWER_BOUND_MS), so it never ends without an answer.
 */
export const IDLE_TIMEOUT_SECONDS = 10;

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * The bindings of a read on a loopback listener: the peer's address is asked of the runtime when first read (a reset
 * connection's is then undefined, which the IP gate refuses), not for every request.
 */
class LoopbackRead {
  readonly loopbackListener = true as const;
  hostProblem?: string;
  constructor(
    private readonly ctx: RequestContext<unknown>,
    public request: Request | undefined,
  ) {}
  get remoteAddress(): string | undefined {
    return this.ctx.remoteAddress;
  }
}

function connectRefused(): Response {
  const body = errorBody(400, "BAD_REQUEST", "method: CONNECT is not served (Steward is not a proxy)", [{ field: "method", message: "CONNECT is not served" }]);
  return Response.json(body, { status: 400, headers: { connection: "close" } });
}

export function createHttpServer(hono: Hono<HttpEnv>, options: HttpServerOptions, log: Logger): HttpServer {
  let server: ServedHttp | undefined;
  const hostCheck = createHostHeaderCheck();
  return {
    name: "http",
    start() {
      server = runtime.serve({
        hostname: options.host,
        port: options.port,
        maxRequestBodySize: options.maxRequestBodySize + 1024,
        // An idle connection (also one that never finishes its TLS handshake) is closed after this many seconds:
        // none is held. The runtime offers no cap on the number of connections.
        idleTimeout: IDLE_TIMEOUT_SECONDS,
        fetch: (req, ctx) => {
          // A proxy's method: its target is an authority ("host:port"), which the runtime hands over as the request's
          // URL, and which no route or check can read (it made a 500). Steward is no proxy.
          if (req.method === "CONNECT") return connectRefused();
          let env: HttpEnv["Bindings"];
          if (options.loopbackListener && READS.has(req.method)) env = new LoopbackRead(ctx, req);
          else {
            const remoteAddress = ctx.remoteAddress;
            // The peer's address is gone when the connection was reset before the request is handled; such a
            // request is answered (to nobody) without running, never as one without an address.
            if (!remoteAddress) return new Response(null, { status: 400, headers: { connection: "close" } });
            env = { remoteAddress, request: req };
          }
          const hostProblem = hostCheck(req.headers.get("host"));
          if (hostProblem) {
            env.hostProblem = hostProblem;
            env.request = undefined;
            return hono.fetch(new Request(UNUSABLE_HOST_URL, { method: req.method, headers: req.headers }), env);
          }
          return hono.fetch(req, env);
        },
        ...(options.tls ? { tls: options.tls } : {}),
      });
      log.info({ url: this.url() }, "REST API listening");
      warnOnLowFileLimit(log);
    },
    async stop() {
      // Graceful: let in-flight requests finish; the lifecycle bounds how long that may take.
      await server?.stop(true);
      server = undefined;
    },
    url() {
      if (!server) throw new Error("HTTP server is not started");
      const host = options.host.includes(":") ? `[${options.host}]` : options.host;
      const shown = options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : host;
      return `${options.tls ? "https" : "http"}://${shown}:${server.port}`;
    },
    port() {
      return server?.port ?? 0;
    },
  };
}
