// The HTTPS listener for mutual TLS. Neither Bun.serve nor Deno.serve expose the peer certificate of a request, so with
// client-certificate rules the API is served by node:tls + node:http instead, and each request carries the
// verified certificate's subject and fingerprint to the access guard. Deadlines and connection caps come from
// connection-guard.ts: node:http's own timeouts do not apply to connections handed to it this way.
// Without a CA it asks for no certificate: plain HTTPS under a low open-file limit is served here for its caps
// (security/setup.ts says why).
import { errorBody } from "../http/errors";
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createTls, type TLSSocket } from "node:tls";
import type { Socket } from "node:net";
import type { Hono } from "hono";
import type { Logger } from "pino";
import { createHostHeaderCheck, UNUSABLE_HOST_URL } from "../http/host-header";
import type { HttpServer } from "../http/server";
import type { ClientCertInfo, HttpEnv } from "../http/types";
import { warnOnLowFileLimit } from "../core/file-limit";
import { sleep } from "../runtime";
import { createConnectionGuard, defaultConnectionLimits, type ConnectionLimits } from "./connection-guard";

export interface MtlsServerOptions {
  host: string;
  port: number;
  maxRequestBodySize: number;
  /** Without `ca`, no client certificate is asked for (plain HTTPS with the caps). */
  tls: { cert: string; key: string; ca?: string; passphrase?: string; requireClientCert: boolean };
  /** Deadlines and caps; by default from the open-file limit (connection-guard.ts). */
  limits?: ConnectionLimits;
}

function certInfo(socket: TLSSocket): ClientCertInfo {
  const peer = socket.getPeerCertificate();
  const cn = peer?.subject?.CN;
  return {
    authorized: socket.authorized,
    ...(typeof cn === "string" ? { subjectCN: cn } : Array.isArray(cn) ? { subjectCN: String(cn[0]) } : {}),
    ...(peer?.fingerprint256 ? { fingerprint256: peer.fingerprint256.replace(/:/g, "").toUpperCase() } : {}),
    ...(socket.authorizationError ? { error: String(socket.authorizationError) } : {}),
  };
}

async function readBody(req: IncomingMessage, limit: number, done: () => void): Promise<Buffer | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit) return "too-large";
      chunks.push(chunk as Buffer);
    }
  } finally {
    done();
  }
  return Buffer.concat(chunks);
}

export function createMtlsServer(hono: Hono<HttpEnv>, options: MtlsServerOptions, log: Logger): HttpServer {
  const hostCheck = createHostHeaderCheck();
  const certs = new WeakMap<Socket, ClientCertInfo>();
  const sockets = new Set<Socket>();
  const limits = options.limits ?? defaultConnectionLimits();
  const guard = createConnectionGuard(limits, log);
  const askCerts = options.tls.ca !== undefined;
  let inFlight = 0;
  let boundPort = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    const socket = req.socket as TLSSocket;
    guard.requestStarted(socket);
    let ended = false;
    const end = () => {
      if (!ended) guard.requestEnded(socket);
      ended = true;
    };
    res.once("finish", end);
    res.once("close", end);
    try {
      // Read before awaiting the body: a destroyed socket forgets its peer, and an absent address must never
      // reach the IP gate (which treats it as an in-process request).
      const remoteAddress = socket.remoteAddress;
      if (remoteAddress === undefined) {
        res.destroy();
        return;
      }
      let info = askCerts ? certs.get(socket) : undefined;
      if (askCerts && !info) certs.set(socket, (info = certInfo(socket)));
      const method = req.method ?? "GET";
      const headers = new Headers();
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
      let body: Buffer | undefined;
      if (method !== "GET" && method !== "HEAD") {
        const read = await readBody(req, options.maxRequestBodySize + 1024, guard.bodyDeadline(socket));
        if (read === "too-large") {
          res.writeHead(413, { "content-type": "application/json" }).end(JSON.stringify(errorBody(413, "PAYLOAD_TOO_LARGE", "request body too large")));
          return;
        }
        body = read;
      }
      const hostProblem = hostCheck(req.headers.host);
      const url = hostProblem ? UNUSABLE_HOST_URL : `https://${req.headers.host}${req.url ?? "/"}`;
      const request = new Request(url, { method, headers, ...(body && body.length > 0 && !hostProblem ? { body: new Uint8Array(body) } : {}) });
      const response = await hono.fetch(request, { remoteAddress, ...(info ? { clientCert: info } : {}), ...(hostProblem ? { hostProblem } : {}) });
      const outHeaders: Record<string, string | string[]> = {};
      response.headers.forEach((value, name) => {
        if (name === "set-cookie") return;
        outHeaders[name] = value;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length) outHeaders["set-cookie"] = cookies;
      res.writeHead(response.status, outHeaders);
      if (response.body && method !== "HEAD") {
        for await (const chunk of response.body) res.write(chunk);
      }
      res.end();
    } catch (err) {
      log.error({ err }, "mTLS request bridge failed");
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify(errorBody(500, "INTERNAL", "internal error")));
    } finally {
      inFlight--;
    }
  };

  const http = createHttp((req, res) => void handle(req, res));
  const tls = createTls(
    {
      cert: options.tls.cert,
      key: options.tls.key,
      ...(askCerts ? { ca: options.tls.ca } : {}),
      ...(options.tls.passphrase ? { passphrase: options.tls.passphrase } : {}),
      requestCert: askCerts,
      rejectUnauthorized: askCerts && options.tls.requireClientCert,
    },
    (socket) => {
      guard.secured(socket);
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
      http.emit("connection", socket);
    },
  );
  // Before the handshake: the caps, and its deadline.
  tls.on("connection", (socket: Socket) => {
    if (guard.admit(socket)) {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    }
  });
  // With a listener here, node:tls leaves the failed socket open: close it.
  tls.on("tlsClientError", (err, socket) => {
    log.debug({ err: err.message }, "TLS handshake refused");
    socket.destroy();
  });

  return {
    name: "http",
    async start() {
      await new Promise<void>((resolve, reject) => {
        tls.once("error", reject);
        tls.listen({ host: options.host, port: options.port }, () => {
          tls.off("error", reject);
          const addr = tls.address();
          boundPort = typeof addr === "object" && addr ? addr.port : options.port;
          resolve();
        });
      });
      if (askCerts)
        log.info(
          { url: this.url(), clientCertificates: options.tls.requireClientCert ? "required" : "requested", maxConnections: limits.maxConnections },
          "REST API listening (mutual TLS)",
        );
      else log.info({ url: this.url(), maxConnections: limits.maxConnections }, "REST API listening (HTTPS, connections capped for the low open-file limit)");
      warnOnLowFileLimit(log);
    },
    async stop(budgetMs: number) {
      const closed = new Promise<void>((resolve) => tls.close(() => resolve()));
      // Let in-flight requests finish (bounded), then drop idle keep-alive connections.
      const deadline = Date.now() + Math.max(100, budgetMs - 200);
      while (inFlight > 0 && Date.now() < deadline) await sleep(20);
      for (const s of sockets) s.destroy();
      await closed;
    },
    url() {
      const host = options.host.includes(":") ? `[${options.host}]` : options.host;
      const shown = options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : host;
      return `https://${shown}:${boundPort}`;
    },
    port: () => boundPort,
  };
}
