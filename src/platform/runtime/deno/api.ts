// The part of the `Deno` global Steward uses, typed here because the project type-checks against bun-types
// (Deno's own lib would clash with it). `deno check src/platform/runtime/deno` checks these calls against the real API.

export interface DenoNetAddr {
  transport: string;
  hostname?: string;
  port?: number;
}

export interface DenoHttpServer {
  addr: DenoNetAddr;
  finished: Promise<void>;
  shutdown(): Promise<void>;
}

export interface DenoServeOptions {
  hostname: string;
  port: number;
  cert?: string;
  key?: string;
  onListen?: (addr: DenoNetAddr) => void;
  onError?: (error: unknown) => Response | Promise<Response>;
  handler: (req: Request, info: { remoteAddr: DenoNetAddr }) => Response | Promise<Response>;
}

export interface DenoChildProcess {
  readonly status: Promise<{ success: boolean; code: number; signal: string | null }>;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  kill(signal?: "SIGKILL" | "SIGTERM"): void;
}

export interface DenoCommand {
  spawn(): DenoChildProcess;
}

export type DenoFfiType = "u16" | "u32" | "i32" | "u64" | "usize" | "pointer" | "buffer" | "function";
export type DenoPointer = object | null;

export interface DenoFfiSymbol {
  parameters: DenoFfiType[];
  result: DenoFfiType | "void";
}

export interface DenoDynamicLibrary<S> {
  symbols: { [K in keyof S]: (...args: unknown[]) => unknown };
  close(): void;
}

export interface DenoUnsafeCallback {
  readonly pointer: DenoPointer;
  ref(): number;
  close(): void;
}

export interface DenoApi {
  version: { deno: string };
  build: { os: string; standalone?: boolean };
  mainModule: string;
  execPath(): string;
  serve(options: DenoServeOptions): DenoHttpServer;
  upgradeWebSocket(req: Request): { socket: WebSocket; response: Response };
  Command: new (program: string, options: { args: string[]; stdin: "null"; stdout: "piped"; stderr: "piped"; windowsRawArguments?: boolean }) => DenoCommand;
  createHttpClient(options: { caCerts?: string[]; cert?: string; key?: string }): unknown;
  dlopen<S extends Record<string, DenoFfiSymbol>>(path: string, symbols: S): DenoDynamicLibrary<S>;
  UnsafeCallback: {
    // biome-ignore lint/suspicious/noConfusingVoidType: Deno's own signature (a callback may return nothing).
    threadSafe(definition: DenoFfiSymbol, callback: (...args: (number | bigint | DenoPointer)[]) => number | void): DenoUnsafeCallback;
  };
  UnsafePointer: {
    of(value: ArrayBufferView): DenoPointer;
    value(value: DenoPointer): bigint;
  };
}

/** The global, when running under Deno. */
export const deno = (globalThis as unknown as { Deno: DenoApi }).Deno;
