// What Steward needs from its JavaScript runtime, beyond the Web and node: APIs both Bun and Deno provide.
// One implementation per runtime (src/platform/runtime/bun, src/platform/runtime/deno); src/platform/runtime/index.ts picks one at start.

export type RuntimeName = "bun" | "deno";

/** TLS material (PEM text) of a listener. requestCert/ca ask the client for a certificate (Bun only). */
export interface ServeTls {
  cert: string;
  key: string;
  passphrase?: string;
  ca?: string;
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
}

/** The server side of an accepted WebSocket. */
export interface ServerSocket<D> {
  readonly data: D;
  send(message: string): void;
  close(): void;
}

export interface WebSocketHandlers<D> {
  open?(ws: ServerSocket<D>): void;
  message(ws: ServerSocket<D>, message: string | Uint8Array): void;
  close?(ws: ServerSocket<D>): void;
}

export interface RequestContext<D> {
  /**
   * The peer's IP address; undefined when the connection is already gone. May be asked of the operating system when
   * read (Bun: a getpeername call and an address formatted per request), so read it only when it is needed.
   */
  readonly remoteAddress: string | undefined;
  /** Turns the request into a WebSocket carrying `data`; the handler then answers undefined. */
  upgrade(data: D): boolean;
}

export interface ServeOptions<D = undefined> {
  hostname: string;
  /** 0 binds any free port. */
  port: number;
  tls?: ServeTls;
  /** Requests with a larger body are refused before the handler sees them. */
  maxRequestBodySize?: number;
  /** Seconds an idle connection stays open; 0 keeps it open. The runtime's default when left out. */
  idleTimeout?: number;
  fetch(req: Request, ctx: RequestContext<D>): Response | undefined | Promise<Response | undefined>;
  websocket?: WebSocketHandlers<D>;
}

export interface ServedHttp {
  readonly port: number;
  /** graceful: in-flight requests finish first; otherwise connections are dropped at once. */
  stop(graceful: boolean): Promise<void>;
}

export interface SpawnResult {
  /** Exit code; -1 when the process was killed (by the deadline). */
  code: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
  timedOut: boolean;
}

/** TLS of an outgoing WebSocket: client certificate and the CA the server's certificate must chain to. */
export interface ClientTls {
  cert: string;
  key: string;
  ca: string;
  passphrase?: string;
  rejectUnauthorized: boolean;
}

/** The Win32 calls of the Windows service host (advapi32/kernel32), bound through the runtime's FFI. */
export interface Win32ServiceApi {
  /**
   * Starts StartServiceCtrlDispatcherW on a native thread (JavaScript cannot block its only thread), with one
   * table entry: `name` → serviceMain. Returns an error text when the thread could not be started.
   */
  startDispatcher(name: string, serviceMain: () => void): string | undefined;
  /** True once the dispatcher thread has returned (it returns at once when the SCM did not start us). */
  dispatcherExited(): boolean;
  /** RegisterServiceCtrlHandlerExW with a thread-safe HandlerEx; false on failure. */
  registerControlHandler(name: string, onControl: (control: number) => number): boolean;
  /** SetServiceStatus with a SERVICE_STATUS (seven DWORDs); false on failure. */
  setServiceStatus(status: Uint32Array): boolean;
  lastError(): number;
}

/** The Application event log (RegisterEventSourceW/ReportEventW). */
export interface Win32EventSource {
  report(type: number, eventId: number, message: string): boolean;
  close(): void;
}

export interface Runtime {
  readonly name: RuntimeName;
  readonly version: string;
  serve<D = undefined>(options: ServeOptions<D>): ServedHttp;
  /**
   * Whether reading a request's body failed because the server refused it past maxRequestBodySize: a chunked body
   * (no Content-Length) reaches the handler, and its read fails once the server has counted too many bytes.
   */
  bodyTooLarge(err: unknown): boolean;
  /** Runs a program to its end (stdin closed), killing it at the deadline. Throws when it cannot start. */
  spawn(argv: string[], opts: { timeoutMs: number }): Promise<SpawnResult>;
  /** The argv that starts this Steward again: the compiled binary alone, or the runtime plus the entry script. */
  selfCommand(): string[];
  /** Opens a WebSocket with extra handshake headers and TLS client authentication (QIX Engine). */
  openWebSocket(url: string, opts: { headers: Record<string, string>; tls: ClientTls }): WebSocket;
  /**
   * Called once the app has started: gives back what only the start needed (the code compiled for reading the config,
   * migrating the store and wiring the modules, and the garbage they left). Idle memory, not a setting of the heap.
   */
  releaseStartupMemory(): void;
  /**
   * Called once, after the config is read and before the app is wired: collects what the imports and the config
   * parse left, so that what the wiring keeps for the life of the process fills the space they freed. A collector
   * that does not move objects otherwise puts it in new heap blocks, kept half empty (about 1 MiB at idle).
   */
  collectBeforeWiring(): void;
  /**
   * Starts a module as a worker thread: `url` where the sources run, `embedded` its path under src/ where a compiled
   * executable keeps it (the build names it an entry point: scripts/build-workers.ts).
   */
  startWorker(url: URL, embedded: string): Worker;
  /** Loaded on Windows only, on first use. */
  win32Service(): Promise<Win32ServiceApi>;
  win32EventSource(source: string): Promise<Win32EventSource | undefined>;
}
