// The Bun implementation of the runtime boundary.
import { resolve } from "node:path";
import type { RequestContext, Runtime, ServeOptions, ServedHttp, SpawnResult } from "../types";

/** Running as a compiled executable (its modules in Bun's embedded file system), not from the sources. */
const compiled = () => Bun.main.startsWith("/$bunfs/") || /^[A-Z]:[\\/]~BUN[\\/]/i.test(Bun.main);

/**
 * What the handler gets beside a request: one object per request, its method shared rather than a closure each. The
 * peer's address is asked of the server on first read: each ask is a system call (getpeername) and a formatted
 * address, about a tenth of a ping's CPU here, and a request that needs no address makes none (issue 69).
 */
class BunRequestContext<D> implements RequestContext<D> {
  private peer: string | undefined | null = null;
  constructor(
    private readonly req: Request,
    private readonly server: Bun.Server<D>,
  ) {}
  get remoteAddress(): string | undefined {
    if (this.peer === null) this.peer = this.server.requestIP(this.req)?.address;
    return this.peer;
  }
  upgrade(data: D): boolean {
    return (this.server.upgrade as (req: Request, o: { data: D }) => boolean)(this.req, { data });
  }
}

function serve<D>(o: ServeOptions<D>): ServedHttp {
  const server = Bun.serve<D>({
    hostname: o.hostname,
    port: o.port,
    ...(o.maxRequestBodySize !== undefined ? { maxRequestBodySize: o.maxRequestBodySize } : {}),
    ...(o.idleTimeout !== undefined ? { idleTimeout: o.idleTimeout } : {}),
    ...(o.tls ? { tls: o.tls } : {}),
    fetch: (req, srv) => o.fetch(req, new BunRequestContext(req, srv)),
    websocket: {
      ...(o.idleTimeout !== undefined ? { idleTimeout: o.idleTimeout } : {}),
      open: (ws) => o.websocket?.open?.(ws),
      message: (ws, message) => o.websocket?.message(ws, typeof message === "string" ? message : new Uint8Array(message)),
      close: (ws) => o.websocket?.close?.(ws),
    },
  });
  return {
    port: server.port ?? o.port,
    stop: (graceful) => server.stop(!graceful),
  };
}

async function spawn(argv: string[], opts: { timeoutMs: number }): Promise<SpawnResult> {
  const proc = Bun.spawn(argv, { stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: opts.timeoutMs, killSignal: "SIGKILL", windowsHide: true });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).bytes(), new Response(proc.stderr).bytes(), proc.exited]);
  const timedOut = proc.signalCode !== null && proc.signalCode !== undefined;
  return { code: timedOut ? -1 : code, stdout, stderr, timedOut };
}

// The DOM lib's WebSocket typing hides Bun's constructor overload that takes headers and TLS options.
const BunWebSocket = WebSocket as unknown as new (url: string, options: Bun.WebSocketOptions) => WebSocket;

export const bunRuntime: Runtime = {
  name: "bun",
  version: Bun.version,
  serve,
  // Bun.serve answers 413 itself and fails the handler's read with this plain Error (Bun 1.4).
  bodyTooLarge: (err) => err instanceof Error && err.message === "Request body exceeded maxRequestBodySize",
  spawn,
  selfCommand() {
    return compiled() ? [process.execPath] : [process.execPath, resolve(Bun.main)];
  },
  openWebSocket: (url, { headers, tls }) => new BunWebSocket(url, { headers, tls }),
  // JavaScriptCore drops every function's compiled code (recompiled from its bytecode when it runs again: the start's
  // one-off functions never do), collects, and returns free memory to the system: about 3 MiB of idle RSS (issue 69).
  releaseStartupMemory: () => Bun.shrink(),
  // JavaScriptCore does not move objects: collected here, the wiring's objects take the freed cells (heap 10.0 -> 8.6
  // MB at idle; bench/history/issue-78.md, "Idle memory").
  collectBeforeWiring: () => Bun.gc(true),
  // In an executable the sources' URLs name nothing: its entry points sit under its own root, src/.
  startWorker: (url, embedded) => new Worker(compiled() ? `./${embedded}` : url.href, { type: "module" }),
  // bun:ffi is reached only here, and only when asked for: Deno never loads these modules.
  win32Service: async () => (await import("./win32-service")).bindWin32Service(),
  win32EventSource: async (source) => (await import("./win32-event-log")).openEventSource(source),
};
