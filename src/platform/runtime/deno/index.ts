// The Deno implementation of the runtime boundary.
import { createPrivateKey } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { ClientTls, Runtime, ServeOptions, ServedHttp, ServerSocket, SpawnResult } from "../types";
import { deno } from "./api";
import { DENO_SERVICE_FLAGS } from "./permissions";

/** Deno.serve takes an unencrypted key only: an encrypted one is decrypted in memory. */
function plainKey(key: string, passphrase: string | undefined): string {
  if (!passphrase) return key;
  return createPrivateKey({ key, passphrase }).export({ type: "pkcs8", format: "pem" }).toString();
}

function tooLarge(req: Request, max: number | undefined): boolean {
  if (max === undefined) return false;
  const length = Number(req.headers.get("content-length") ?? "0");
  return Number.isFinite(length) && length > max;
}

function serve<D>(o: ServeOptions<D>): ServedHttp {
  if (o.tls?.requestCert) {
    // Deno.serve cannot ask for a client certificate; Steward's own mutual-TLS listener uses node:tls instead.
    throw new Error("a listener that asks for client certificates needs the Bun runtime (Deno.serve has no client-certificate option)");
  }
  let port = o.port;
  const server = deno.serve({
    hostname: o.hostname,
    port: o.port,
    ...(o.tls ? { cert: o.tls.cert, key: plainKey(o.tls.key, o.tls.passphrase) } : {}),
    onListen: (addr) => {
      port = addr.port ?? port;
    },
    onError: () => new Response(null, { status: 500 }),
    handler: async (req, info) => {
      if (tooLarge(req, o.maxRequestBodySize)) return new Response(null, { status: 413, headers: { connection: "close" } });
      let upgraded: Response | undefined;
      const res = await o.fetch(req, {
        remoteAddress: info.remoteAddr.hostname,
        upgrade: (data) => {
          if (!o.websocket) return false;
          const { socket, response } = deno.upgradeWebSocket(req);
          acceptSocket(socket, data, o.websocket);
          upgraded = response;
          return true;
        },
      });
      return res ?? upgraded ?? new Response(null, { status: 500 });
    },
  });
  port = server.addr.port ?? port;
  return {
    port,
    async stop(graceful) {
      const done = server.shutdown();
      if (graceful) await done;
      else void done.catch(() => undefined);
    },
  };
}

function acceptSocket<D>(socket: WebSocket, data: D, handlers: NonNullable<ServeOptions<D>["websocket"]>): void {
  socket.binaryType = "arraybuffer";
  const ws: ServerSocket<D> = { data, send: (m) => socket.send(m), close: () => socket.close() };
  socket.addEventListener("open", () => handlers.open?.(ws));
  socket.addEventListener("message", (ev) => handlers.message(ws, typeof ev.data === "string" ? ev.data : new Uint8Array(ev.data as ArrayBuffer)));
  socket.addEventListener("close", () => handlers.close?.(ws));
}

async function spawn(argv: string[], opts: { timeoutMs: number }): Promise<SpawnResult> {
  const [program, ...args] = argv;
  const child = new deno.Command(program!, { args, stdin: "null", stdout: "piped", stderr: "piped" }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, opts.timeoutMs);
  try {
    const [stdout, stderr, status] = await Promise.all([new Response(child.stdout).bytes(), new Response(child.stderr).bytes(), child.status]);
    return { code: timedOut ? -1 : status.code, stdout, stderr, timedOut };
  } finally {
    clearTimeout(timer);
  }
}

function openWebSocket(url: string, opts: { headers: Record<string, string>; tls: ClientTls }): WebSocket {
  if (!opts.tls.rejectUnauthorized) {
    // Deno verifies server certificates per process (--unsafely-ignore-certificate-errors), not per connection.
    throw new Error("qlik.rejectUnauthorized: false is not supported for Engine sessions on Deno; trust the Qlik CA (qlik.certs.ca) instead");
  }
  const client = deno.createHttpClient({ caCerts: [opts.tls.ca], cert: opts.tls.cert, key: plainKey(opts.tls.key, opts.tls.passphrase) });
  const DenoWebSocket = WebSocket as unknown as new (url: string, options: { headers: Record<string, string>; client: unknown }) => WebSocket;
  return new DenoWebSocket(url, { headers: opts.headers, client });
}

export const denoRuntime: Runtime = {
  name: "deno",
  version: deno.version.deno,
  serve,
  // Deno.serve counts no chunked body: Steward's own limit (hono's bodyLimit) refuses it with a 413 of its own.
  bodyTooLarge: () => false,
  spawn,
  selfCommand() {
    if (deno.build.standalone) return [deno.execPath()];
    return [deno.execPath(), "run", ...DENO_SERVICE_FLAGS, fileURLToPath(deno.mainModule)];
  },
  openWebSocket,
  // V8 offers a script no equivalent; its collector returns memory by itself.
  // deno compile keeps the module at its source URL (scripts/build-deno.ts includes it).
  startWorker: (url) => new Worker(url.href, { type: "module" }),
  releaseStartupMemory: () => {},
  // V8's collector compacts its heap: what the wiring keeps does not stay where the start's garbage left holes.
  collectBeforeWiring: () => {},
  win32Service: async () => (await import("./win32-service")).bindWin32Service(),
  win32EventSource: async (source) => (await import("./win32-event-log")).openEventSource(source),
};
